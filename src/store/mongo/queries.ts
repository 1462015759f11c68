/** Read queries over the materialised collections and the audit log (the change records). */
import type { Filter } from 'mongodb';
import type { Environment, Flag, Segment } from '../../flags/model.js';
import { sortEnvironments } from '../environment-order.js';
import { afterFlagKey, auditCursor, beforePosition, flagCursor, pageSize } from '../paging.js';
import type { ApiKeyRecord, AuditFilter, ChangeRecord, FlagFilter, Page, PageRequest } from '../types.js';
import type { ChangeDoc, MaterialisedDoc, RecordDoc, StoreCollections } from './collections.js';
import { bodyProjection, toChangeRecord, toDocument } from './materialise.js';

const live: Filter<MaterialisedDoc> = { _deleted: { $ne: true } };

export async function listFlags(
  collections: StoreCollections,
  filter: FlagFilter,
  page: PageRequest,
): Promise<Page<Flag>> {
  const query = flagQuery(filter ?? {});
  const after = afterFlagKey(page.after);
  const ranged = after === null ? query : { $and: [query, { _id: { $gt: after } }] };
  const size = pageSize(page);
  const [docs, totalCount] = await Promise.all([
    collections.documents.flag
      .find(ranged, { projection: bodyProjection })
      .sort({ _id: 1 })
      .limit(size + 1)
      .toArray(),
    collections.documents.flag.countDocuments(query),
  ]);
  return toPage(
    docs.map((doc) => toDocument<Flag>(doc)),
    size,
    totalCount,
    (flag) => flagCursor(flag.key),
  );
}

function flagQuery(filter: FlagFilter): Filter<MaterialisedDoc> {
  const conditions: Filter<MaterialisedDoc>[] = [live];
  if (filter.kind != null) conditions.push({ kind: filter.kind });
  if (filter.tag != null) conditions.push({ tags: filter.tag });
  if (filter.owner != null) conditions.push({ owner: filter.owner });
  if (filter.archived != null) conditions.push({ archived: filter.archived });
  if (filter.search) {
    const pattern = { $regex: escapeRegex(filter.search), $options: 'i' };
    conditions.push({ $or: [{ key: pattern }, { name: pattern }, { description: pattern }] });
  }
  return { $and: conditions };
}

export async function listSegments(collections: StoreCollections, environment?: string): Promise<Segment[]> {
  const query = environment == null ? live : { ...live, environment };
  const docs = await collections.documents.segment
    .find(query, { projection: bodyProjection })
    .sort({ environment: 1, key: 1 })
    .toArray();
  return docs.map((doc) => toDocument<Segment>(doc));
}

export async function listEnvironments(collections: StoreCollections): Promise<Environment[]> {
  const docs = await collections.documents.environment.find(live, { projection: bodyProjection }).toArray();
  return sortEnvironments(docs.map((doc) => toDocument<Environment>(doc)));
}

/** Every flag, in key order (sorted here: cheaper than asking the server to sort whole documents). */
export async function listAllFlags(collections: StoreCollections): Promise<Flag[]> {
  const docs = await collections.documents.flag.find(live, { projection: bodyProjection }).toArray();
  docs.sort((a, b) => compare(a._id, b._id));
  return docs.map((doc) => toDocument<Flag>(doc));
}

export async function listApiKeys(collections: StoreCollections): Promise<ApiKeyRecord[]> {
  const docs = await collections.documents.apiKey.find(live, { projection: bodyProjection }).sort({ _id: 1 }).toArray();
  return docs.map((doc) => toDocument<ApiKeyRecord>(doc));
}

export async function findApiKeyByHash(
  collections: StoreCollections,
  secretHash: string,
): Promise<ApiKeyRecord | null> {
  const doc = await collections.documents.apiKey.findOne({ ...live, secretHash }, { projection: bodyProjection });
  return doc ? toDocument<ApiKeyRecord>(doc) : null;
}

/** The audit log: change records, newest first, optionally of one document (or kind, or key). */
export async function auditLog(
  collections: StoreCollections,
  filter: AuditFilter,
  page: PageRequest,
): Promise<Page<ChangeRecord>> {
  const query = auditQuery(filter);
  const before = beforePosition(page.after);
  const ranged = before === null ? query : { ...query, _id: { $lt: before } };
  const size = pageSize(page);
  const [docs, totalCount] = await Promise.all([
    collections.changes
      .find(ranged)
      .sort({ _id: -1 })
      .limit(size + 1)
      .toArray(),
    collections.changes.countDocuments(query),
  ]);
  return toPage((docs as RecordDoc[]).map(toChangeRecord), size, totalCount, (record) => auditCursor(record.position));
}

function auditQuery(filter: AuditFilter): Filter<ChangeDoc> {
  const query: Record<string, unknown> = { tombstone: { $ne: true } };
  if (filter?.ref?.kind != null) query['ref.kind'] = filter.ref.kind;
  if (filter?.ref?.key != null) query['ref.key'] = filter.ref.key;
  // A segment's environment is in its ref; an environment-scoped change of a flag records it beside.
  if (filter?.ref?.environment != null)
    query.$or = [{ 'ref.environment': filter.ref.environment }, { environment: filter.ref.environment }];
  if (filter?.since !== undefined || filter?.until !== undefined) {
    query.at = {
      ...(filter.since !== undefined ? { $gte: filter.since } : {}),
      ...(filter.until !== undefined ? { $lt: filter.until } : {}),
    };
  }
  return query as Filter<ChangeDoc>;
}

/** `items` holds up to size + 1 entries: the extra one only tells that there is a next page. */
function toPage<T>(items: T[], size: number, totalCount: number, cursorOf: (item: T) => string): Page<T> {
  const hasNextPage = items.length > size;
  const shown = hasNextPage ? items.slice(0, size) : items;
  const last = shown.at(-1);
  return { items: shown, endCursor: last === undefined ? null : cursorOf(last), hasNextPage, totalCount };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
