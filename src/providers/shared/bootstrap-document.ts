/**
 * Bootstrap documents: evaluations a client embeds as defaults, served before (or without) the first
 * load. Accepted shapes: the OFREP bulk response (`POST /ofrep/v1/evaluate/flags`, what
 * `vexil bootstrap` prints), and GraphQL `evaluateAll` results (`{ evaluations: [...] }` or the list).
 * A flag set (`GET /sdk/v1/flag-set`, `vexil bootstrap` with a server key) bootstraps local evaluation.
 */
import type { FlagSetDocument } from '../../flags/flag-set.js';
import type { RemoteEvaluation } from './evaluation-cache.js';

/** One flag of an OFREP bulk response. */
interface OfrepFlag {
  key: string;
  value?: unknown;
  reason?: string;
  variant?: string;
  errorCode?: string;
  errorDetails?: string;
  metadata?: { ruleId?: unknown };
}

export type BootstrapDocument =
  | { flags: readonly OfrepFlag[] }
  | { evaluations: readonly RemoteEvaluation[] }
  | readonly RemoteEvaluation[]
  | FlagSetDocument;

/** Whether a bootstrap document is a flag set (for local evaluation) rather than evaluations. */
export function isFlagSet(document: BootstrapDocument): document is FlagSetDocument {
  return !Array.isArray(document) && 'segments' in (document as object) && 'environment' in (document as object);
}

function fromOfrep(flag: OfrepFlag): RemoteEvaluation {
  return {
    key: flag.key,
    value: flag.value ?? null,
    variation: flag.variant ?? null,
    reason: flag.reason ?? (flag.errorCode ? 'ERROR' : 'UNKNOWN'),
    ruleId: typeof flag.metadata?.ruleId === 'string' ? flag.metadata.ruleId : null,
    errorCode: flag.errorCode ?? null,
    errorMessage: flag.errorDetails ?? null,
  };
}

/** The evaluations of a bootstrap document; throws a TypeError naming what is wrong with one that is not. */
export function bootstrapEvaluations(document: BootstrapDocument): RemoteEvaluation[] {
  if (isFlagSet(document))
    throw new TypeError('a flag set bootstraps local evaluation only: the server provider with a server key');
  const list: readonly unknown[] | undefined = Array.isArray(document)
    ? document
    : 'flags' in (document as object)
      ? (document as { flags: readonly OfrepFlag[] }).flags.map(fromOfrep)
      : (document as { evaluations?: readonly RemoteEvaluation[] }).evaluations;
  if (!Array.isArray(list)) throw new TypeError('a bootstrap document has `flags` (OFREP bulk) or `evaluations`');
  for (const item of list)
    if (!item || typeof (item as RemoteEvaluation).key !== 'string')
      throw new TypeError('every evaluation of a bootstrap document needs a string `key`');
  return list as RemoteEvaluation[];
}
