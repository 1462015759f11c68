/**
 * The ordered rules of one environment: each with its condition editor and serve; reordered by dragging
 * the handle or with the Move up / Move down buttons (the keyboard way).
 */
import { useSignal } from '@preact/signals';
import { type DraftRule, type DraftServe, newUid } from './edit-model.js';
import { RuleEditor } from './rule-editor.js';
import { ServeEditor } from './serve-editor.js';

export interface RulesListProps {
  rules: DraftRule[];
  variations: string[];
  readOnly: boolean;
  onChange: (rules: DraftRule[]) => void;
  onProblems: (uid: string, count: number) => void;
}

function move<T>(list: T[], from: number, to: number): T[] {
  const copy = [...list];
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item!);
  return copy;
}

export function RulesList({ rules, variations, readOnly, onChange, onProblems }: RulesListProps) {
  const dragging = useSignal<number | null>(null);
  const update = (index: number, patch: Partial<DraftRule>) =>
    onChange(rules.map((rule, i) => (i === index ? { ...rule, ...patch } : rule)));
  const add = () =>
    onChange([
      ...rules,
      {
        uid: newUid(),
        id: null,
        description: '',
        condition: '',
        enabled: true,
        serve: { mode: 'variation', variation: variations[0] ?? '', weights: {}, bucketBy: 'targetingKey' },
      },
    ]);
  return (
    <section aria-labelledby="rules-title">
      <h3 id="rules-title">Rules, in order (the first that matches serves)</h3>
      {rules.length === 0 && <p class="empty">No rules: everyone gets the default serve.</p>}
      <ol class="rules">
        {rules.map((rule, index) => (
          <li
            key={rule.uid}
            class={`rule ${dragging.value === index ? 'dragging' : ''}`}
            onDragOver={(e) => !readOnly && e.preventDefault()}
            onDrop={(e) => {
              e.preventDefault();
              if (dragging.value !== null && dragging.value !== index) onChange(move(rules, dragging.value, index));
              dragging.value = null;
            }}
          >
            <div class="rule-head">
              <span
                class="handle"
                draggable={!readOnly}
                title="Drag to reorder"
                aria-hidden="true"
                onDragStart={(e) => {
                  dragging.value = index;
                  e.dataTransfer?.setData('text/plain', String(index));
                }}
                onDragEnd={() => (dragging.value = null)}
              >
                ⠿
              </span>
              <strong>Rule {index + 1}</strong>
              <div class="rule-actions">
                <button
                  type="button"
                  disabled={readOnly || index === 0}
                  onClick={() => onChange(move(rules, index, index - 1))}
                >
                  Move up<span class="visually-hidden"> rule {index + 1}</span>
                </button>
                <button
                  type="button"
                  disabled={readOnly || index === rules.length - 1}
                  onClick={() => onChange(move(rules, index, index + 1))}
                >
                  Move down<span class="visually-hidden"> rule {index + 1}</span>
                </button>
                <button
                  type="button"
                  disabled={readOnly}
                  onClick={() => {
                    onProblems(rule.uid, 0);
                    onChange(rules.filter((_, i) => i !== index));
                  }}
                >
                  Remove<span class="visually-hidden"> rule {index + 1}</span>
                </button>
              </div>
            </div>
            <div class="field">
              <label for={`${rule.uid}-description`}>Description</label>
              <input
                id={`${rule.uid}-description`}
                value={rule.description}
                disabled={readOnly}
                onInput={(e) => update(index, { description: e.currentTarget.value })}
              />
            </div>
            <RuleEditor
              id={`${rule.uid}-condition`}
              label={`Condition of rule ${index + 1}`}
              value={rule.condition}
              readOnly={readOnly}
              onChange={(condition) => update(index, { condition })}
              onProblems={(count) => onProblems(rule.uid, count)}
            />
            <ServeEditor
              id={`${rule.uid}-serve`}
              legend={`Rule ${index + 1} serves`}
              serve={rule.serve}
              variations={variations}
              disabled={readOnly}
              onChange={(serve: DraftServe) => update(index, { serve })}
            />
          </li>
        ))}
      </ol>
      <button type="button" disabled={readOnly} onClick={add}>
        Add a rule
      </button>
    </section>
  );
}
