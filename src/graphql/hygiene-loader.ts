/**
 * Per-request reads for the hygiene fields (`Flag.usage`, `Flag.stale`, `Flag.staleReasons`,
 * `Flag.codeReferences`): a page of 50 flags asking for them reads the code-reference reports once
 * and each flag's usage totals once, however many of those fields it selects.
 */
import type { CodeReferenceReport } from '../store/code-references.js';
import type { UsageStat } from '../store/types.js';
import type { GatewayContext } from './context.js';

interface RequestReads {
  codeReferences?: Promise<CodeReferenceReport[]>;
  usage: Map<string, Promise<UsageStat[]>>;
}

const reads = new WeakMap<GatewayContext, RequestReads>();

function readsOf(context: GatewayContext): RequestReads {
  let entry = reads.get(context);
  if (!entry) reads.set(context, (entry = { usage: new Map() }));
  return entry;
}

export function codeReferencesOf(context: GatewayContext): Promise<CodeReferenceReport[]> {
  const entry = readsOf(context);
  return (entry.codeReferences ??= context.services.store.readCodeReferences());
}

/** The usage totals of one flag, every environment. */
export function usageTotalsOf(context: GatewayContext, flagKey: string): Promise<UsageStat[]> {
  const { usage } = readsOf(context);
  let totals = usage.get(flagKey);
  if (!totals) usage.set(flagKey, (totals = context.services.store.readUsage({ flagKey })));
  return totals;
}
