/** What a rule (or the default) serves: one variation, or a split whose weights must add up to 100%. */
import { type DraftServe, splitProblem } from './edit-model.js';

export interface ServeEditorProps {
  id: string;
  legend: string;
  serve: DraftServe;
  variations: string[];
  disabled: boolean;
  onChange: (serve: DraftServe) => void;
}

export function ServeEditor({ id, legend, serve, variations, disabled, onChange }: ServeEditorProps) {
  const problem = splitProblem(serve);
  const set = (patch: Partial<DraftServe>) => onChange({ ...serve, ...patch });
  return (
    <fieldset class="serve" disabled={disabled}>
      <legend>{legend}</legend>
      <div class="radios">
        <label>
          <input
            type="radio"
            name={`${id}-mode`}
            checked={serve.mode === 'variation'}
            onChange={() => set({ mode: 'variation' })}
          />
          One variation
        </label>
        <label>
          <input
            type="radio"
            name={`${id}-mode`}
            checked={serve.mode === 'split'}
            onChange={() => set({ mode: 'split' })}
          />
          A split
        </label>
      </div>
      {serve.mode === 'variation' ? (
        <div class="field">
          <label for={`${id}-variation`}>Variation</label>
          <select
            id={`${id}-variation`}
            value={serve.variation}
            onChange={(e) => set({ variation: e.currentTarget.value })}
          >
            {variations.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <div class="weights">
          {variations.map((v) => (
            <div class="field" key={v}>
              <label for={`${id}-weight-${v}`}>{v} (%)</label>
              <input
                id={`${id}-weight-${v}`}
                inputMode="decimal"
                value={serve.weights[v] ?? '0'}
                aria-invalid={problem ? 'true' : 'false'}
                aria-describedby={`${id}-split-problem`}
                onInput={(e) => set({ weights: { ...serve.weights, [v]: e.currentTarget.value } })}
              />
            </div>
          ))}
          <div class="field">
            <label for={`${id}-bucket`}>Bucket by</label>
            <input
              id={`${id}-bucket`}
              value={serve.bucketBy}
              onInput={(e) => set({ bucketBy: e.currentTarget.value })}
            />
          </div>
          <p id={`${id}-split-problem`} class={problem ? 'error' : 'sub'} role={problem ? 'alert' : undefined}>
            {problem ?? 'The weights add up to 100%.'}
          </p>
        </div>
      )}
    </fieldset>
  );
}
