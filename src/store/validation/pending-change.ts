/**
 * Checks on a pending change that both backends make before touching their database: malformed
 * changes are programming errors in the caller (TypeError), not user input.
 */
import type { DocumentKind, PendingChange } from '../types.js';

const documentKinds: ReadonlySet<string> = new Set<DocumentKind>(['environment', 'flag', 'segment', 'apiKey']);
const versionedKinds: ReadonlySet<DocumentKind> = new Set<DocumentKind>(['flag', 'segment', 'apiKey']);

export function checkKind(kind: unknown): void {
  if (!documentKinds.has(kind as string)) throw new TypeError(`unknown document kind '${String(kind)}'`);
}

/** Rejects malformed pending changes (a wrong ref, action, actor, key or version). */
export function checkChange(change: PendingChange): void {
  const { ref, expectedVersion, after, action } = change;
  checkKind(ref?.kind);
  if (typeof ref.key !== 'string' || ref.key === '') throw new TypeError('a document ref needs a key');
  if (ref.kind === 'segment' && (typeof ref.environment !== 'string' || ref.environment === ''))
    throw new TypeError('a segment ref needs an environment');
  if (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0)
    throw new TypeError(`invalid expected version ${expectedVersion}`);
  if ((after === null) !== (action === 'delete'))
    throw new TypeError(`a '${action}' change ${after === null ? 'needs' : 'cannot have'} a document`);
  if (typeof change.meta?.actor !== 'string' || change.meta.actor === '')
    throw new TypeError('a change needs an actor');
  if (after !== null) checkDocument(change);
}

function checkDocument(change: PendingChange): void {
  const { ref, expectedVersion } = change;
  const doc = change.after as unknown as Record<string, unknown>;
  const key = ref.kind === 'apiKey' ? doc.id : doc.key;
  if (key !== ref.key) throw new TypeError(`the document's key '${String(key)}' does not match the ref '${ref.key}'`);
  if (ref.kind === 'segment' && doc.environment !== ref.environment)
    throw new TypeError(`the segment's environment does not match the ref`);
  if (versionedKinds.has(ref.kind) && doc.version !== expectedVersion + 1) {
    throw new TypeError(
      `the document's version must be ${expectedVersion + 1} (expected version + 1), not ${String(doc.version)}`,
    );
  }
}
