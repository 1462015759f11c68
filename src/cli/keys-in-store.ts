/**
 * `vexil keys create` without `--url`: writes the key to the store itself. It never creates a store
 * (a key in a store no gateway uses is a key nobody knows) and never fights a running gateway for
 * its data directory: both are one-line errors saying what to do instead.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataDirectoryLocked } from '../store/embedded/directory-lock.js';
import { CliFailure } from './gateway-client.js';
import type { KeyRequest } from './keys-command.js';

type Created = { id: string; name: string; kind: string; environment: string | null; secret: string };
type Refused = { refused: { code: string; message: string } };

async function openExistingStore(env: NodeJS.ProcessEnv) {
  const { openStore } = await import('../store/open-store.js');
  const mongodbUri = env.MONGODB_URI || undefined;
  const dataDir = env.VEXIL_DATA_DIR || './.vexil';
  if (!mongodbUri && !existsSync(dataDir)) {
    throw new CliFailure(
      `there is no store in '${resolve(dataDir)}' (VEXIL_DATA_DIR) and none is created here; point VEXIL_DATA_DIR (or MONGODB_URI) at the gateway's store, or use --url with the running gateway`,
      2,
    );
  }
  try {
    return await openStore({ mongodbUri, dataDir });
  } catch (error) {
    if (error instanceof DataDirectoryLocked) {
      const owner = error.owner ? ` (process ${error.owner.pid})` : '';
      throw new CliFailure(
        `the store in '${resolve(dataDir)}' is open in a running gateway${owner}; create the key through it: --url <gateway URL> --key <admin key> (its createApiKey mutation)`,
        2,
      );
    }
    throw new CliFailure(`cannot open the store: ${(error as Error).message.split('\n')[0]}`, 2);
  }
}

/** Issues the key in the store; a refusal (unknown environment) is returned, not thrown. */
export async function createInStore(request: KeyRequest, env: NodeJS.ProcessEnv): Promise<Created | Refused> {
  const store = await openExistingStore(env);
  try {
    if (
      request.environment &&
      !(await store.listEnvironments()).some((environment) => environment.key === request.environment)
    ) {
      return { refused: { code: 'VALIDATION', message: `unknown environment '${request.environment}'` } };
    }
    const { issueApiKey } = await import('../server/bootstrap.js');
    const { secret, record } = await issueApiKey(store, request, 'cli');
    return { id: record.id, name: record.name, kind: record.kind, environment: record.environment, secret };
  } catch (error) {
    throw new CliFailure(`creating the key failed: ${(error as Error).message.split('\n')[0]}`, 2);
  } finally {
    await store.close();
  }
}
