/**
 * `vexil flags set-rules KEY --environment E --file rules.yaml`: replaces one environment's rules
 * from a YAML (or JSON) file, keeping its kill switch and default serve unless the file says
 * otherwise. Rules are checked here first, so a syntax error names the file's line and column; the
 * write carries the version read, so a concurrent edit is a CONFLICT, never lost.
 */
import { checkRule } from '../../dsl/index.js';
import { ruleResolvers } from '../../flags/resolvers.js';
import { LineCounter, PositionFinder } from '../../flags-file/positions.js';
import { parseDocument } from 'yaml';
import { CliFailure, gatewayRequest, printRecord } from '../gateway-client.js';
import type { CommandContext } from '../main.js';
import { type FlagData, getFlagQuery, setFlagEnvironmentMutation, toServe } from './operations.js';
import { parseCommand, requireGateway, requiredOption, stringOption, tableOrJson } from './options.js';
import { readInputFile } from '../input-file.js';

interface RulesFile {
  rules: Array<{ id?: string; description?: string; condition: string; serve: unknown }>;
  defaultServe?: unknown;
  on?: boolean;
  offVariation?: string;
}

export async function setRules(args: string[], context: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    {
      environment: { type: 'string', short: 'e' },
      file: { type: 'string', short: 'f' },
      comment: { type: 'string', short: 'm' },
    },
    { min: 1, max: 1, names: 'flag KEY' },
  );
  const environment = requiredOption(values, 'environment');
  const file = requiredOption(values, 'file');
  const rulesFile = readRulesFile(file);
  const target = requireGateway(values);
  const format = tableOrJson(values);
  const { flag } = await gatewayRequest<{ flag: FlagData | null }>(target, getFlagQuery, {
    key: positionals[0],
    environment,
  });
  if (!flag) throw new CliFailure(`the gateway refused: NOT_FOUND: no flag '${positionals[0]}'`, 1, 'NOT_FOUND');
  const current = flag.environments[0];
  const config = {
    on: rulesFile.on ?? current?.on ?? false,
    offVariation: rulesFile.offVariation ?? current?.offVariation ?? flag.variations?.at(-1)?.key,
    defaultServe: rulesFile.defaultServe ??
      (current?.defaultServe && toServe(current.defaultServe)) ?? { variation: flag.variations?.at(-1)?.key },
    rules: rulesFile.rules,
  };
  const { setFlagEnvironment: updated } = await gatewayRequest<{ setFlagEnvironment: FlagData }>(
    target,
    setFlagEnvironmentMutation,
    {
      key: flag.key,
      environment,
      expectedVersion: flag.version,
      config,
      comment: stringOption(values, 'comment') ?? null,
    },
  );
  printRecord(context, format, {
    key: updated.key,
    environment,
    rules: updated.environments[0]?.rules?.length ?? 0,
    version: updated.version,
  });
  return 0;
}

/** A list of rules, or `{ rules, defaultServe?, on?, offVariation? }`; conditions checked with positions. */
function readRulesFile(file: string): RulesFile {
  const text = readInputFile(file);
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const positions = new PositionFinder(text, document, lines);
  const yamlError = document.errors[0];
  if (yamlError) {
    const at = positions.at(yamlError.pos[0]);
    throw new CliFailure(`${file}:${at.line}:${at.column}: ${yamlError.message.split('\n')[0]}`, 2);
  }
  const raw = document.toJS() as unknown;
  const wrapped = Array.isArray(raw);
  const body = (wrapped ? { rules: raw } : raw) as RulesFile;
  if (typeof body !== 'object' || body === null || !Array.isArray(body.rules))
    throw new CliFailure(`${file}: expected a list of rules, or a mapping with 'rules:'`, 2);
  body.rules.forEach((rule, index) => {
    const path = wrapped ? [index, 'condition'] : ['rules', index, 'condition'];
    if (typeof rule?.condition !== 'string') throw new CliFailure(`${file}: rule ${index + 1} needs a condition`, 2);
    const diagnostic = checkRule(rule.condition, { resolvers: ruleResolvers }).diagnostics[0];
    if (diagnostic) {
      const at = positions.find(path, { line: diagnostic.line, column: diagnostic.column });
      throw new CliFailure(`${file}:${at?.line ?? 1}:${at?.column ?? 1}: rule ${index + 1}: ${diagnostic.message}`, 2);
    }
  });
  return body;
}
