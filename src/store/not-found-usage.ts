/**
 * Which FLAG_NOT_FOUND counts are kept: those of a key that exists archived, or that existed (it has
 * an audit history, so it was deleted). The keys come from callers, so any other key (a typo, a
 * random probe) is dropped here and never grows the store. Verdicts are cached for a minute, so a
 * flush asks the store about each key at most once a minute whatever the request rate.
 */
import { LRUCache } from 'lru-cache';
import type { UsageEntry } from '../flags/usage.js';
import type { StoreBackend } from './types.js';

export class NotFoundUsageFilter {
  private readonly verdicts = new LRUCache<string, boolean>({ max: 10_000, ttl: 60_000 });

  constructor(private readonly backend: StoreBackend) {}

  /** `entries` without the FLAG_NOT_FOUND counts of keys that are neither archived nor deleted. */
  async keepKnown(entries: readonly UsageEntry[]): Promise<UsageEntry[]> {
    const keys = new Set(entries.filter((entry) => entry.variation === null).map((entry) => entry.flagKey));
    if (keys.size === 0) return [...entries];
    const known = new Set<string>();
    await Promise.all([...keys].map(async (key) => (await this.isArchivedOrDeleted(key)) && known.add(key)));
    return entries.filter((entry) => entry.variation !== null || known.has(entry.flagKey));
  }

  private async isArchivedOrDeleted(key: string): Promise<boolean> {
    const cached = this.verdicts.get(key);
    if (cached !== undefined) return cached;
    const flag = await this.backend.get({ kind: 'flag', key });
    // An active flag reported not found was created after that instance last synced: not a signal.
    const verdict = flag
      ? flag.archived
      : (await this.backend.auditLog({ ref: { kind: 'flag', key } }, { first: 1 })).totalCount > 0;
    this.verdicts.set(key, verdict);
    return verdict;
  }
}
