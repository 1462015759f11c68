/**
 * `vexil export`: the gateway's flag set as a flags file (YAML by default), to keep in git.
 * `vexil import FILE`: makes the gateway's flag set what the file says: validated entirely first
 * (nothing is written if any part is invalid), `--dry-run` prints the changes, and the changes are
 * applied in a safe order, each audited with the import's id and comment.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import {
  type FlagsFileFormat,
  formatIssue,
  parseFlagsFile,
  serializeFlagsFile,
  toFlagsFile,
} from '../flags-file/index.js';
import type { Command, CommandContext } from './main.js';
import { runWithHelp } from './actions.js';
import { CliFailure } from './gateway-client.js';
import { applyPlan } from './flags-file/apply.js';
import { describeChange, planImport } from './flags-file/plan.js';
import { readRemoteState } from './flags-file/remote-state.js';
import { parseCommand, requireGateway, stringOption } from './flags/options.js';
import { readInputFile } from './input-file.js';

const exportUsage = `Usage: vexil export [--environment E] [--format yaml|json] [--output FILE]

Writes the gateway's flags, segments and environments as a flags file (schema/flags.schema.json)
to stdout, or to FILE. A read-only key is enough.

  --environment E   only this environment's configuration and segments
  --format F        yaml (default) or json
  --output FILE     write there instead of stdout
  --url URL  --key KEY   (defaults: VEXIL_URL, VEXIL_API_KEY)

Exit codes: 0 written, 1 the gateway refused, 2 usage or connection error.
`;

const importUsage = `Usage: vexil import FILE [--dry-run] [--prune] [--comment TEXT]

Makes the gateway's flag set what FILE (YAML or JSON, as written by vexil export) says. The whole
file is validated first: any problem (named with file:line:column, the flag, for a rule the spot in
the condition) and nothing is written. Changes are applied in order (environments, segments, flags
with prerequisites first, removals last), each with its expected version and the comment
"import <id>: TEXT" in the audit log. Needs an admin key.

  --dry-run         print the changes, write nothing
  --prune           also archive flags and delete segments that the file does not have
  --comment TEXT    (-m) recorded with every change
  --url URL  --key KEY   (defaults: VEXIL_URL, VEXIL_API_KEY)

Exit codes: 0 applied (or nothing to do), 1 the gateway refused a change (the ones before it are
applied and listed), 2 invalid file, usage or connection error.
`;

async function runExport(args: string[], context: CommandContext): Promise<number> {
  const { values } = parseCommand(
    args,
    { environment: { type: 'string', short: 'e' }, output: { type: 'string', short: 'o' } },
    { min: 0, max: 0, names: '' },
  );
  const format = (stringOption(values, 'format') ?? 'yaml') as FlagsFileFormat;
  if (format !== 'yaml' && format !== 'json') throw new CliFailure(`--format must be yaml or json, not '${format}'`, 2);
  const environment = stringOption(values, 'environment');
  const state = await readRemoteState(requireGateway(values));
  if (environment && !state.environments.some((entry) => entry.key === environment))
    throw new CliFailure(`the gateway refused: NOT_FOUND: no environment '${environment}'`, 1, 'NOT_FOUND');
  const text = serializeFlagsFile(toFlagsFile(state, environment ? { environment } : {}), format);
  const output = stringOption(values, 'output');
  if (output) writeFileSync(output, text);
  else context.stdout(text.trimEnd());
  return 0;
}

async function runImport(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { 'dry-run': { type: 'boolean' }, prune: { type: 'boolean' }, comment: { type: 'string', short: 'm' } },
    { min: 1, max: 1, names: 'the flags FILE' },
  );
  const file = positionals[0]!;
  const text = readInputFile(file);
  const parsed = parseFlagsFile(text, file);
  if (!parsed.state) {
    context.stderr(parsed.issues.map(formatIssue).join('\n'));
    throw new CliFailure(
      `${file} is invalid (${parsed.issues.length} problem${parsed.issues.length === 1 ? '' : 's'} above); nothing was written`,
      2,
    );
  }
  const target = requireGateway(values);
  const plan = planImport(parsed.state, await readRemoteState(target), { prune: values.prune === true });
  if (plan.refusals.length > 0) {
    context.stderr(plan.refusals.join('\n'));
    throw new CliFailure(`cannot import ${file} (above); nothing was written`, 2);
  }
  if (plan.changes.length === 0) {
    context.stdout(`${file}: nothing to change`);
    return 0;
  }
  if (values['dry-run'] === true) {
    context.stdout(
      [...plan.changes.map(describeChange), `${plan.changes.length} change(s); --dry-run: nothing written`].join('\n'),
    );
    return 0;
  }
  const id = `imp_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const comment = `import ${id}${stringOption(values, 'comment') ? `: ${stringOption(values, 'comment')}` : ''}`;
  const applied: string[] = [];
  try {
    await applyPlan(target, plan.changes, comment, (change) => applied.push(describeChange(change)));
  } catch (error) {
    if (applied.length > 0) context.stdout(`${applied.join('\n')}\n(applied before the refusal; import ${id})`);
    throw error;
  }
  context.stdout([...applied, `${applied.length} change(s) applied as import ${id}`].join('\n'));
  return 0;
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'write the flag set as a YAML or JSON flags file',
  usage: exportUsage,
  run: runWithHelp('export', exportUsage, runExport),
};
export const importCommand: Command = {
  name: 'import',
  summary: 'make the flag set what a flags file says (--dry-run shows the changes)',
  usage: importUsage,
  run: runWithHelp('import', importUsage, runImport),
};
