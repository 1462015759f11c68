/** Options of the embedded store. */

export interface EmbeddedBackendOptions {
  /** The data directory; created if missing. */
  dataDir: string;
  /**
   * Keep at most this many change records (audit entries) and prune older ones in the committing
   * transaction. Subscribers and `changesSince` behind the pruned range get a resync / 'too-old'.
   * @default unlimited (the change log is kept forever)
   */
  maxChangeRecords?: number;
}

/** The change-record limit, null for unlimited; throws RangeError unless it is a positive integer. */
export function maxChangeRecordsOf(options: EmbeddedBackendOptions): number | null {
  const max = options.maxChangeRecords;
  if (
    max !== undefined &&
    max !== null &&
    max !== Number.POSITIVE_INFINITY &&
    (!Number.isSafeInteger(max) || max < 1)
  ) {
    throw new RangeError('maxChangeRecords must be a positive integer');
  }
  return max === undefined || max === null || max === Number.POSITIVE_INFINITY ? null : max;
}
