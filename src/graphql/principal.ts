/** Who is calling, as resolvers see it: the key's identity and scope (established by the server). */
import type { ApiKeyKind } from '../store/types.js';

export interface Principal {
  keyId: string;
  name: string;
  kind: ApiKeyKind;
  /** For evaluation keys: the one environment they may use. */
  environment: string | null;
}
