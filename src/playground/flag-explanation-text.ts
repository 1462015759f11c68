/** Flag mode's explanations in words: what a serve does, why a result came out as it did. */
import type { Explanation, FlagSummary } from './api.js';
import { shortJson } from './dom.js';
import type { Verdict } from './rule-result.js';

export type FlagEnvironmentConfig = FlagSummary['environments'][number];
type Serve = FlagEnvironmentConfig['defaultServe'];

/** A weight out of 100,000 as a percentage. */
export function percent(weight: number): string {
  return `${Number((weight / 1000).toFixed(3))}%`;
}

export function describeServe(serve: Serve | undefined, fallbackVariation: string | null): string {
  if (serve?.rollout)
    return `rollout: ${serve.rollout.weights.map((w) => `${w.variation} ${percent(w.weight)}`).join(' / ')} by ${serve.rollout.bucketBy}`;
  const variation = serve?.variation ?? fallbackVariation;
  return variation ? `serves “${variation}”` : 'serves a rollout';
}

export function explainReason(explanation: Explanation, config: FlagEnvironmentConfig | undefined): string {
  const { result, rollout } = explanation;
  const ruleName = (index: number | null | undefined) => {
    if (index === null || index === undefined) return 'the default rule';
    const rule = explanation.rules[index];
    return `rule ${index + 1}${rule ? ` (${rule.description ?? rule.id})` : ''}`;
  };
  switch (result.reason) {
    case 'DISABLED':
    case 'OFF': // deprecated alias of DISABLED, from a gateway of the previous release
      return `The flag is off in ${explanation.environment}, so it serves its off variation “${config?.offVariation ?? result.variation ?? '?'}”.`;
    case 'TARGETING_MATCH':
    case 'RULE_MATCH': // deprecated alias of TARGETING_MATCH
      return `${capitalise(ruleName(result.ruleIndex))} matched, and it serves “${result.variation ?? '?'}”.`;
    case 'SPLIT': {
      const where =
        result.ruleIndex === null || result.ruleIndex === undefined
          ? 'No rule matched; the default serve is a percentage rollout'
          : `${capitalise(ruleName(result.ruleIndex))} matched and serves a percentage rollout`;
      return rollout?.bucket !== null && rollout?.bucket !== undefined
        ? `${where}: ${rollout.bucketBy} ${shortJson(rollout.bucketValue)} is in bucket ${rollout.bucket}, which falls in the “${result.variation ?? '?'}” slice.`
        : `${where}.`;
    }
    case 'TARGET_MATCH': {
      const target = explanation.target;
      return target
        ? `${target.attribute} “${target.value}” is an individual target of “${target.variation}”, served before any rule.`
        : `An individual target serves “${result.variation ?? '?'}”, before any rule.`;
    }
    case 'DEFAULT':
      return `No rule matched, so the default variation “${result.variation ?? '?'}” is served.`;
    case 'ERROR':
      return `${result.errorCode ?? 'ERROR'}: ${result.errorMessage ?? 'the evaluation failed'}.`;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function verdictFor(explanation: Explanation): Verdict {
  const { result } = explanation;
  if (result.reason === 'ERROR')
    return { tone: 'error', title: 'Evaluation error', detail: result.errorCode ?? undefined };
  const title = `Serves “${result.variation ?? '?'}”`;
  const detail = `value ${shortJson(result.value)} · reason ${result.reason}`;
  return { tone: result.reason === 'DISABLED' || result.reason === 'OFF' ? 'nomatch' : 'info', title, detail };
}
