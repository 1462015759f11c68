/**
 * "Try it": the playground's flag mode for this flag and environment: a context in, the explanation
 * (why it served what, each rule's trace) out, rendered by the playground's own view.
 */
import type { EditorView } from '@codemirror/view';
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { explainEvaluation } from '../playground/api.js';
import { renderExplanation } from '../playground/flag-explanation-view.js';
import { parseJson } from '../playground/json-check.js';
import type { EnvironmentConfig } from './edit-model.js';
import { explain } from './gql.js';
import { apiKey } from './session.js';

export function TryIt(props: { flag: string; environment: string; config: EnvironmentConfig | undefined }) {
  const context = useSignal('{\n  "targetingKey": "user-1"\n}');
  const error = useSignal<string | null>(null);
  const target = useRef<HTMLDivElement>(null);
  const views = useRef<EditorView[]>([]);
  useEffect(() => () => views.current.forEach((view) => view.destroy()), []);

  const run = async (event: Event) => {
    event.preventDefault();
    const parsed = parseJson(context.value);
    if (!parsed.ok) return void (error.value = `The context is not valid JSON: ${parsed.problem.message}`);
    try {
      const explanation = await explainEvaluation(apiKey.value ?? '', props.flag, props.environment, parsed.value);
      error.value = null;
      views.current.forEach((view) => view.destroy());
      views.current = renderExplanation(target.current!, explanation, props.config, () => {});
    } catch (failure) {
      error.value = explain(failure);
    }
  };
  return (
    <section class="try-it" aria-labelledby="try-title">
      <h3 id="try-title">Try it in {props.environment}</h3>
      <form onSubmit={run}>
        <label for="try-context">Evaluation context (JSON)</label>
        <textarea
          id="try-context"
          rows={4}
          value={context.value}
          onInput={(e) => (context.value = e.currentTarget.value)}
        />
        <button type="submit">Evaluate with trace</button>
      </form>
      {error.value && (
        <p class="error" role="alert">
          {error.value}
        </p>
      )}
      <div ref={target} class="explanation" aria-live="polite" />
    </section>
  );
}
