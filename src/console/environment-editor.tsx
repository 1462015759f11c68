/**
 * One environment of a flag: the kill switch (applied at once, like the flags table), the off
 * variation, the ordered rules and the default serve, saved together with `setFlagEnvironment` and
 * the version loaded. A CONFLICT shows what changed since and offers to reapply this edit on top.
 */
import { type Signal, useSignal } from '@preact/signals';
import { FlagDocument, SetFlagEnvironmentDocument } from '../client/generated/graphql.js';
import { DiffTable } from './diff-table.js';
import { diff } from './diff.js';
import { type Draft, type FlagData, changedFields, reapply, splitProblem, toDraft, toInput } from './edit-model.js';
import { ApiError, call, explain } from './gql.js';
import { RulesList } from './rules-list.js';
import { ServeEditor } from './serve-editor.js';
import { canWrite } from './session.js';
import { KillSwitch, ToggleDialog, type ToggleRequest } from './toggle-dialog.js';

export interface EditorState {
  flag: FlagData;
  environment: string;
  base: Draft;
  draft: Draft;
}

export function draftsFor(flag: FlagData, environment: string): { base: Draft; draft: Draft } | null {
  const config = flag.environments.find((e) => e.environment === environment);
  if (!config) return null;
  const base = toDraft(
    config,
    flag.variations.map((v) => v.key),
  );
  return { base, draft: base };
}

export function isDirty(state: EditorState): boolean {
  return changedFields(state.base, state.draft).length > 0;
}

/** Moves the editor onto a newer version of the flag, keeping the fields edited here. */
export function rebase(state: EditorState, latest: FlagData): EditorState {
  const next = draftsFor(latest, state.environment);
  if (!next) return state;
  return { ...state, flag: latest, base: next.base, draft: reapply(state.base, state.draft, next.base) };
}

interface Conflict {
  latest: FlagData;
  theirs: ReturnType<typeof diff>;
}

function blockers(draft: Draft, problems: Record<string, number>): string | null {
  const pending = draft.rules.filter((rule) => (problems[rule.uid] ?? -1) !== 0);
  if (pending.some((rule) => (problems[rule.uid] ?? -1) > 0)) return 'Fix the rule errors shown above before saving.';
  if (pending.length > 0) return 'Checking the rules…';
  for (const [index, rule] of draft.rules.entries()) {
    const problem = splitProblem(rule.serve);
    if (problem) return `Rule ${index + 1}: ${problem}`;
  }
  const problem = splitProblem(draft.defaultServe);
  return problem ? `Default serve: ${problem}` : null;
}

export function EnvironmentEditor({ state }: { state: Signal<EditorState | null> }) {
  const problems = useSignal<Record<string, number>>({});
  const comment = useSignal('');
  const status = useSignal<{ tone: 'ok' | 'error'; text: string } | null>(null);
  const conflict = useSignal<Conflict | null>(null);
  const flipping = useSignal<ToggleRequest | null>(null);
  if (!state.value) return null;
  const { flag, environment, draft } = state.value;
  const edited = state.value;
  const readOnly = !canWrite.value;
  const variations = flag.variations.map((v) => v.key);
  const setDraft = (patch: Partial<Draft>) => {
    const now = state.peek() ?? edited;
    state.value = { ...now, draft: { ...now.draft, ...patch } };
  };
  const blocked = blockers(draft, problems.value);
  const dirty = isDirty(edited);

  const save = async () => {
    status.value = null;
    try {
      const saved = await call(SetFlagEnvironmentDocument, {
        key: flag.key,
        environment,
        config: toInput(edited.draft),
        expectedVersion: flag.version,
        comment: comment.value.trim() || null,
      });
      const next = draftsFor(saved.setFlagEnvironment, environment)!;
      state.value = { ...edited, flag: saved.setFlagEnvironment, ...next };
      comment.value = '';
      status.value = { tone: 'ok', text: `Saved: version ${saved.setFlagEnvironment.version}.` };
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CONFLICT') return showConflict();
      status.value = { tone: 'error', text: explain(error) };
    }
  };
  const showConflict = async () => {
    const latest = (await call(FlagDocument, { key: flag.key })).flag;
    if (!latest) return void (status.value = { tone: 'error', text: 'This flag was deleted meanwhile.' });
    const theirs = draftsFor(latest, environment);
    const { environments: _before, ...flagBefore } = flag;
    const { environments: _after, ...flagAfter } = latest;
    conflict.value = {
      latest,
      theirs: [...diff(toInput(edited.base), theirs ? toInput(theirs.base) : null), ...diff(flagBefore, flagAfter)],
    };
  };
  const reapplyMine = () => {
    if (!conflict.value) return;
    state.value = rebase(state.peek() ?? edited, conflict.value.latest);
    status.value = {
      tone: 'ok',
      text: `Your edit is reapplied on version ${conflict.value.latest.version}. Review it, then save.`,
    };
    conflict.value = null;
  };

  return (
    <section class="environment" aria-labelledby="environment-title">
      <div class="environment-head">
        <h2 id="environment-title">{environment}</h2>
        <KillSwitch
          flag={flag.key}
          environment={environment}
          on={draft.on}
          disabled={readOnly}
          onFlip={(r) => (flipping.value = r)}
        />
      </div>
      <div class="field">
        <label for="off-variation">Off variation (served while switched off)</label>
        <select
          id="off-variation"
          value={draft.offVariation}
          disabled={readOnly}
          onChange={(e) => setDraft({ offVariation: e.currentTarget.value })}
        >
          {variations.map((v) => (
            <option key={v}>{v}</option>
          ))}
        </select>
      </div>
      <RulesList
        rules={draft.rules}
        variations={variations}
        readOnly={readOnly}
        onChange={(rules) => setDraft({ rules })}
        onProblems={(uid, count) => {
          if (problems.peek()[uid] !== count) problems.value = { ...problems.peek(), [uid]: count };
        }}
      />
      <ServeEditor
        id="default-serve"
        legend="Default serve (no rule matched)"
        serve={draft.defaultServe}
        variations={variations}
        disabled={readOnly}
        onChange={(defaultServe) => setDraft({ defaultServe })}
      />
      {conflict.value && (
        <div class="conflict" role="alert">
          <h3>Someone saved this flag since you loaded it (now version {conflict.value.latest.version})</h3>
          <DiffTable rows={conflict.value.theirs} caption={`What changed in ${environment} since you loaded it`} />
          <button type="button" class="primary" onClick={reapplyMine}>
            Reapply my edit on top
          </button>
        </div>
      )}
      {!readOnly && (
        <div class="save-bar">
          <div class="field">
            <label for="save-comment">Comment (optional)</label>
            <input id="save-comment" value={comment.value} onInput={(e) => (comment.value = e.currentTarget.value)} />
          </div>
          <button type="button" class="primary" disabled={!!blocked || !dirty || !!conflict.value} onClick={save}>
            Save {environment}
          </button>
          <p class={blocked ? 'error' : 'sub'} aria-live="polite">
            {blocked ?? (dirty ? 'Unsaved changes.' : 'No unsaved changes.')}
          </p>
        </div>
      )}
      {status.value && (
        <p class={status.value.tone === 'error' ? 'error' : 'ok'} role="status">
          {status.value.text}
        </p>
      )}
      {flipping.value && (
        <ToggleDialog
          request={flipping.value}
          onDone={async (changed) => {
            flipping.value = null;
            const latest = changed ? (await call(FlagDocument, { key: flag.key })).flag : null;
            if (latest) state.value = rebase(state.peek() ?? edited, latest);
          }}
        />
      )}
    </section>
  );
}
