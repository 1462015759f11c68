/**
 * `vexil/testing`: application tests pin flag states with the real engine and no gateway (the
 * `@with_feature_flag` pattern). Load a flags file (or an exported object), override what a test
 * needs, evaluate exactly as the gateway would.
 *
 *   const flags = createTestEvaluator('flags.yaml', { environment: 'production', overrides: { new_checkout: 'on' } });
 *   flags.value('new_checkout', { targetingKey: 'u1' }) // true
 */
import { readFileSync } from 'node:fs';
import { FlagEngine } from '../flags/engine.js';
import type { EvaluationResult } from '../flags/evaluation.js';
import type { Flag, JsonValue } from '../flags/model.js';
import type { FlagsFile } from './document.js';
import { formatIssue, parseFlagsFile } from './parse.js';
import { serializeFlagsFile } from './serialize.js';

export interface TestEvaluatorOptions {
  /** @default "production" when the file has it, else its first environment */
  environment?: string;
  /** Flag key → the variation key every context gets (the flag on, no rules). */
  overrides?: Record<string, string>;
}

export interface TestEvaluator {
  readonly environment: string;
  evaluate(flagKey: string, context?: Record<string, JsonValue>): EvaluationResult;
  /** The served value, or `undefined` when the evaluation failed (unknown flag, bad context). */
  value(flagKey: string, context?: Record<string, JsonValue>): JsonValue | undefined;
  /** Pins one more flag to a variation (or back to the file's targeting with `null`). */
  override(flagKey: string, variation: string | null): void;
}

export function createTestEvaluator(source: string | FlagsFile, options: TestEvaluatorOptions = {}): TestEvaluator {
  const [text, name] =
    typeof source === 'string'
      ? [readFileSync(source, 'utf8'), source]
      : [serializeFlagsFile(source, 'json'), '<object>'];
  const parsed = parseFlagsFile(text, name);
  if (!parsed.state) throw new Error(`invalid flags file:\n${parsed.issues.map(formatIssue).join('\n')}`);
  const state = parsed.state;
  const environment =
    options.environment ??
    (state.environments.some((entry) => entry.key === 'production') ? 'production' : state.environments[0]?.key);
  if (!environment || !state.environments.some((entry) => entry.key === environment))
    throw new Error(`unknown environment '${environment ?? ''}' in ${name}`);
  const pinned = new Map(Object.entries(options.overrides ?? {}));
  const engine = new FlagEngine();
  const reload = () =>
    engine.load({ ...state, flags: state.flags.map((flag) => withOverride(flag, environment, pinned.get(flag.key))) });
  for (const key of pinned.keys()) assertVariation(state.flags, key, pinned.get(key)!);
  reload();
  const evaluate = (flagKey: string, context: Record<string, JsonValue> = {}) =>
    engine.evaluate(flagKey, context, { environment });
  return {
    environment,
    evaluate,
    value(flagKey, context) {
      const result = evaluate(flagKey, context);
      return result.reason === 'ERROR' ? undefined : result.value;
    },
    override(flagKey, variation) {
      if (variation === null) pinned.delete(flagKey);
      else {
        assertVariation(state.flags, flagKey, variation);
        pinned.set(flagKey, variation);
      }
      reload();
    },
  };
}

function assertVariation(flags: readonly Flag[], key: string, variation: string): void {
  const flag = flags.find((candidate) => candidate.key === key);
  if (!flag) throw new Error(`override for unknown flag '${key}'`);
  if (!flag.variations.some((candidate) => candidate.key === variation)) {
    throw new Error(
      `flag '${key}' has no variation '${variation}' (it has ${flag.variations.map((v) => v.key).join(', ')})`,
    );
  }
}

function withOverride(flag: Flag, environment: string, variation: string | undefined): Flag {
  if (variation === undefined) return flag;
  const config = { on: true, offVariation: variation, rules: [], defaultServe: { variation } };
  return { ...flag, environments: { ...flag.environments, [environment]: config } };
}
