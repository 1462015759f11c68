/**
 * Wires the playground together: the two editors, the mode switch, the debounced "latest request wins"
 * validation, the result panel and the URL state. Each concern lives in its own small module.
 */
import { type Diagnostic, setDiagnostics } from '@codemirror/lint';
import { ApiError, type RuleValidation, validateRule } from './api.js';
import { type ContextPath, contextPaths } from './context-paths.js';
import { byId, h } from './dom.js';
import { createEditor, setDocument, showTraceSpan } from './editor.js';
import { createFlagMode } from './flag-mode.js';
import { createJsonEditor } from './json-editor.js';
import { LatestRequest } from './latest.js';
import { ruleLanguageSupport } from './rule-language.js';
import { renderRuleResult, renderVerdict, ruleVerdict } from './rule-result.js';
import './styles.css';
import { type Mode, type PlaygroundState, decodeState, defaultState, encodeState } from './url-state.js';

const initial: PlaygroundState = decodeState(location.hash) ?? defaultState;
let mode: Mode = initial.mode;
let selection = { flag: initial.flag, environment: initial.environment };

const verdict = byId('verdict');
const resultBody = byId('result-body');
const busy = byId('result-busy');
const ruleProblems = byId<HTMLUListElement>('rule-diagnostics');
const setBusy = (on: boolean) => {
  busy.hidden = !on;
  byId('result').setAttribute('aria-busy', String(on));
};

// ---- context editor -------------------------------------------------------------------------------

let paths: ContextPath[] = [];
const contextEditor = createJsonEditor({
  parent: byId('context-editor'),
  problems: byId<HTMLUListElement>('context-diagnostics'),
  doc: initial.context,
  label: 'Evaluation context (JSON)',
  onChange: (result) => {
    if (result.ok) paths = contextPaths(result.value);
    saveState();
    if (mode === 'rule') validateNow();
    else flagMode.contextChanged();
  },
});
{
  const first = contextEditor.result();
  if (first.ok) paths = contextPaths(first.value);
}

// ---- rule editor ----------------------------------------------------------------------------------

const ruleEditor = createEditor({
  parent: byId('rule-editor'),
  doc: initial.rule,
  language: ruleLanguageSupport(() => paths),
  label: 'Rule expression',
  describedBy: 'rule-diagnostics',
  placeholder: 'plan == "premium" and country in ["US", "CA"]',
  onChange: () => {
    showTraceSpan(ruleEditor, null);
    saveState();
    validateNow();
  },
});

const validations = new LatestRequest<RuleValidation>(150, setBusy);

function showRuleProblems(validation: RuleValidation | null): void {
  const length = ruleEditor.state.doc.length;
  const diagnostics: Diagnostic[] = (validation?.diagnostics ?? []).map((diagnostic) => {
    const from = Math.min(diagnostic.offset, length);
    return {
      from,
      to: Math.min(diagnostic.offset + Math.max(diagnostic.length, 1), length),
      severity: 'error',
      message: diagnostic.message,
      source: 'vexil',
    };
  });
  ruleEditor.dispatch(setDiagnostics(ruleEditor.state, diagnostics));
  ruleProblems.replaceChildren(
    ...(validation?.diagnostics ?? []).map((diagnostic, index) =>
      h(
        'li',
        { class: 'problem' },
        h(
          'button',
          {
            type: 'button',
            class: 'problem-jump',
            onclick: () => {
              const target = diagnostics[index]!;
              ruleEditor.dispatch({ selection: { anchor: target.from, head: target.to }, scrollIntoView: true });
              ruleEditor.focus();
            },
          },
          `line ${diagnostic.line}, column ${diagnostic.column}`,
        ),
        `: ${diagnostic.message}`,
      ),
    ),
  );
}

function validateNow(): void {
  if (mode !== 'rule') return;
  const source = ruleEditor.state.doc.toString();
  const context = contextEditor.result();
  if (source.trim() === '') {
    validations.cancel();
    showRuleProblems(null);
    renderVerdict(verdict, {
      tone: 'neutral',
      title: 'Write a rule',
      detail: 'for example plan == "premium" and country in ["US", "CA"]',
    });
    resultBody.replaceChildren();
    return;
  }
  validations.schedule(
    (signal) => validateRule(source, context.ok ? context.value : null, signal),
    (validation) => {
      showRuleProblems(validation);
      showTraceSpan(ruleEditor, null);
      renderVerdict(verdict, ruleVerdict(validation, context));
      renderRuleResult(resultBody, validation, context, (span) => showTraceSpan(ruleEditor, span));
    },
    (error) => {
      if (error instanceof DOMException && error.name === 'AbortError') return;
      const message = error instanceof ApiError ? error.message : String(error);
      renderVerdict(verdict, { tone: 'error', title: 'The gateway did not answer', detail: message });
      resultBody.replaceChildren();
    },
  );
}

// ---- flag mode ------------------------------------------------------------------------------------

const flagMode = createFlagMode({
  initialFlag: initial.mode === 'flag' ? initial.flag : undefined,
  initialEnvironment: initial.mode === 'flag' ? initial.environment : undefined,
  context: () => contextEditor.result(),
  verdict,
  body: resultBody,
  setBusy,
  onSelection: (flag, environment) => {
    selection = { flag, environment };
    saveState();
  },
  onEditRule: (condition) => {
    setDocument(ruleEditor, condition);
    setMode('rule');
    ruleEditor.focus();
  },
});

// ---- mode switch ----------------------------------------------------------------------------------

const modeInputs = [...document.querySelectorAll<HTMLInputElement>('input[name="mode"]')];

function setMode(next: Mode): void {
  mode = next;
  for (const input of modeInputs) input.checked = input.value === next;
  document.body.dataset.mode = next;
  byId('rule-section').hidden = next !== 'rule';
  showTraceSpan(ruleEditor, null);
  if (next === 'rule') {
    flagMode.deactivate();
    validateNow();
  } else {
    validations.cancel();
    showRuleProblems(null);
    flagMode.activate();
  }
  saveState();
}

for (const input of modeInputs) input.addEventListener('change', () => input.checked && setMode(input.value as Mode));

// ---- URL state and sharing ------------------------------------------------------------------------

let saveTimer: ReturnType<typeof setTimeout> | undefined;
let lastHash = '';

function currentState(): PlaygroundState {
  return {
    mode,
    rule: ruleEditor.state.doc.toString(),
    context: contextEditor.text(),
    flag: selection.flag,
    environment: selection.environment,
  };
}

function writeHash(): string {
  clearTimeout(saveTimer);
  lastHash = encodeState(currentState());
  if (location.hash !== lastHash) history.replaceState(null, '', lastHash);
  return location.href;
}

/** Keeps the address bar current (debounced: browsers throttle replaceState), so it can be copied any time. */
function saveState(): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(writeHash, 250);
}

window.addEventListener('hashchange', () => {
  if (location.hash === lastHash) return;
  const state = decodeState(location.hash);
  if (!state) return;
  setDocument(ruleEditor, state.rule);
  setDocument(contextEditor.view, state.context);
  if (state.mode === 'flag') flagMode.select(state.flag, state.environment);
  setMode(state.mode);
});

const shareStatus = byId('share-status');
byId('share').addEventListener('click', async () => {
  const link = writeHash();
  shareStatus.dataset.link = link;
  try {
    await navigator.clipboard.writeText(link);
    shareStatus.textContent = 'Link copied';
  } catch {
    // Clipboard access needs a secure context; the address bar holds the same link.
    shareStatus.textContent = 'Copy the link from the address bar';
  }
  setTimeout(() => (shareStatus.textContent = ''), 4000);
});

byId('format-context').addEventListener('click', () => {
  const result = contextEditor.result();
  if (result.ok) setDocument(contextEditor.view, JSON.stringify(result.value, null, 2));
});

setMode(mode);
writeHash();
