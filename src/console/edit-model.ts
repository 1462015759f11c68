/**
 * The flag page's editable copy of one environment's configuration, and its conversion back to
 * `EnvironmentConfigInput`. Split weights are edited in percent (the API counts thousandths of one).
 */
import type { EnvironmentConfigInput, FlagFieldsFragment, ServeInput } from '../client/generated/graphql.js';

export type FlagData = FlagFieldsFragment;
export type EnvironmentConfig = FlagData['environments'][number];
type Serve = EnvironmentConfig['defaultServe'];

export interface DraftServe {
  mode: 'variation' | 'split';
  variation: string;
  /** Percent per variation key, as typed. */
  weights: Record<string, string>;
  bucketBy: string;
}

export interface DraftRule {
  /** Stable across reorders (the Preact key); the stored id when the rule has one. */
  uid: string;
  id: string | null;
  description: string;
  condition: string;
  serve: DraftServe;
}

export interface Draft {
  on: boolean;
  offVariation: string;
  rules: DraftRule[];
  defaultServe: DraftServe;
}

let counter = 0;
export const newUid = () => `rule-${++counter}`;

function draftServe(serve: Serve, variations: string[]): DraftServe {
  const weights: Record<string, string> = Object.fromEntries(variations.map((v) => [v, '0']));
  for (const w of serve.rollout?.weights ?? []) weights[w.variation] = String(w.weight / 1000);
  return {
    mode: serve.rollout ? 'split' : 'variation',
    variation: serve.variation ?? variations[0] ?? '',
    weights,
    bucketBy: serve.rollout?.bucketBy ?? 'targetingKey',
  };
}

export function toDraft(config: EnvironmentConfig, variations: string[]): Draft {
  return {
    on: config.on,
    offVariation: config.offVariation,
    rules: config.rules.map((rule) => ({
      uid: rule.id || newUid(),
      id: rule.id,
      description: rule.description ?? '',
      condition: rule.condition,
      serve: draftServe(rule.serve, variations),
    })),
    defaultServe: draftServe(config.defaultServe, variations),
  };
}

/** Why a split cannot be saved, or null. Weights are percentages with at most three decimals. */
export function splitProblem(serve: DraftServe): string | null {
  if (serve.mode !== 'split') return null;
  let total = 0;
  for (const [variation, text] of Object.entries(serve.weights)) {
    const value = Number(text.trim() === '' ? '0' : text);
    if (!Number.isFinite(value) || value < 0) return `The weight of ${variation} must be a number from 0 to 100.`;
    total += Math.round(value * 1000);
  }
  if (total !== 100_000) return `The weights add up to ${total / 1000}%; they must add up to exactly 100%.`;
  return null;
}

function serveInput(serve: DraftServe): ServeInput {
  if (serve.mode === 'variation') return { variation: serve.variation };
  const weights = Object.entries(serve.weights)
    .map(([variation, text]) => ({ variation, weight: Math.round(Number(text || '0') * 1000) }))
    .filter((w) => w.weight > 0);
  return { rollout: { bucketBy: serve.bucketBy || 'targetingKey', weights } };
}

export function toInput(draft: Draft): EnvironmentConfigInput {
  return {
    on: draft.on,
    offVariation: draft.offVariation,
    defaultServe: serveInput(draft.defaultServe),
    rules: draft.rules.map((rule) => ({
      ...(rule.id ? { id: rule.id } : {}),
      condition: rule.condition,
      ...(rule.description.trim() ? { description: rule.description.trim() } : {}),
      serve: serveInput(rule.serve),
    })),
  };
}

/** The draft's fields that differ from `base` (compared as they would be sent). */
export function changedFields(base: Draft, draft: Draft): Array<keyof Draft & keyof EnvironmentConfigInput> {
  const a = toInput(base);
  const b = toInput(draft);
  return (['on', 'offVariation', 'rules', 'defaultServe'] as const).filter(
    (field) => JSON.stringify(a[field]) !== JSON.stringify(b[field]),
  );
}

/** "Reapply my edit on top": the latest configuration with the fields I changed taken from my draft. */
export function reapply(base: Draft, mine: Draft, latest: Draft): Draft {
  const merged = { ...latest };
  for (const field of changedFields(base, mine)) (merged as Record<string, unknown>)[field] = mine[field];
  return merged;
}
