/** How the MongoDB store follows its change records: change streams where the deployment has them, else polling. */
import type { StoreCollections } from './collections.js';
import { probeChangeStreams, type TailMode } from './feed.js';
import type { ResolvedOptions } from './options.js';

/** The configured mode, or (for 'auto') change streams if a probe finds them supported. */
export async function chooseFeedMode(options: ResolvedOptions, collections: StoreCollections): Promise<TailMode> {
  const { feedMode, logger, database, instanceId } = options;
  if (feedMode === 'polling') {
    logger.info({ feedMode: 'polling', database, instanceId }, 'mongodb store: change feed by polling (configured)');
    return 'polling';
  }
  const probe = await probeChangeStreams(collections);
  if (!probe.supported && feedMode === 'change-stream')
    throw new Error(`feedMode 'change-stream' was asked for, but ${probe.reason}`);
  const mode = probe.supported ? 'change-stream' : 'polling';
  logger.info(
    { feedMode: mode, database, instanceId, reason: probe.reason },
    `mongodb store: change feed by ${mode === 'polling' ? 'polling' : 'change streams'}`,
  );
  return mode;
}
