/**
 * `vexil rule check <expr>` and `vexil rule eval <expr> --context '<json>'`: the rule language from the
 * command line, with JSON on stdout so scripts and editors can consume it.
 *
 *   check → {ok, diagnostics, attributes}                    exit 0 when valid, 2 when not
 *   eval  → {matched, attributes, explain?}                  exit 0 whether or not it matched
 *         → {error: {code, message, diagnostics?}}           exit 2 for an invalid rule or context
 */
import { parseArgs } from 'node:util';
import { type CompiledRule, isRuleError, RuleCompiler, type Diagnostic } from '../dsl/index.js';
import type { Command, CommandContext } from './main.js';

const usage = `Usage:
  vexil rule check <expr>
  vexil rule eval <expr> --context '<json>' [--salt <salt>] [--explain]

Check a rule, or evaluate it against a context. Output is JSON on stdout.

  check   prints {"ok", "diagnostics", "attributes"}; exits 0 when the rule is valid, 2 when not.
          Each diagnostic has a message, a 1-based line and column, an offset and a length.
  eval    prints {"matched", "attributes"} (plus "explain", the evaluation tree, with --explain);
          exits 0 whether or not the rule matched, and 2 with {"error": {"code", "message", ...}}
          when the rule or the context is invalid (codes RULE_SYNTAX, INVALID_CONTEXT).

Options (eval):
  -c, --context <json>  the evaluation context, a JSON object (required)
      --salt <salt>     default salt of bucket(value) (normally the flag's key; default "")
      --explain         include the evaluation tree: every sub-expression with its span and value

segment() and flag() are not available here: they need a flag model. Put the rule after "--" when it
starts with "-" (vexil rule check -- '-1 < x').
`;

/** A private compiler: the CLI compiles one rule, so there is nothing to share with the default cache. */
const compiler = new RuleCompiler({ cacheSize: 16 });

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

type Compiled = { rule: CompiledRule } | { diagnostics: readonly Diagnostic[]; message: string };

function compile(source: string, salt: string | undefined): Compiled {
  try {
    return { rule: compiler.compile(source, salt === undefined ? {} : { salt }) };
  } catch (error) {
    if (isRuleError(error)) return { diagnostics: error.diagnostics, message: error.message };
    throw error;
  }
}

function check(source: string, context: CommandContext): number {
  const result = compile(source, undefined);
  if ('rule' in result) {
    context.stdout(json({ ok: true, diagnostics: [], attributes: result.rule.attributes }));
    return 0;
  }
  context.stdout(json({ ok: false, diagnostics: result.diagnostics, attributes: [] }));
  return 2;
}

function failure(context: CommandContext, code: string, message: string, diagnostics?: readonly Diagnostic[]): number {
  context.stdout(json({ error: { code, message, ...(diagnostics ? { diagnostics } : {}) } }));
  return 2;
}

function evaluate(
  source: string,
  contextJson: string | undefined,
  salt: string | undefined,
  explain: boolean,
  context: CommandContext,
): number {
  const result = compile(source, salt);
  if (!('rule' in result)) return failure(context, 'RULE_SYNTAX', result.message, result.diagnostics);
  if (contextJson === undefined)
    return failure(context, 'INVALID_CONTEXT', "missing --context '<json>': the evaluation context, a JSON object");
  let evaluationContext: unknown;
  try {
    evaluationContext = JSON.parse(contextJson);
  } catch (error) {
    return failure(context, 'INVALID_CONTEXT', `--context is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof evaluationContext !== 'object' || evaluationContext === null || Array.isArray(evaluationContext)) {
    return failure(context, 'INVALID_CONTEXT', '--context must be a JSON object');
  }
  const { rule } = result;
  const matched = rule.evaluate(evaluationContext);
  context.stdout(
    json({
      matched,
      attributes: rule.attributes,
      ...(explain ? { explain: rule.explain(evaluationContext).tree } : {}),
    }),
  );
  return 0;
}

export const ruleCommand: Command = {
  name: 'rule',
  summary: 'check or evaluate a targeting rule',
  usage,
  run(args, context) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          context: { type: 'string', short: 'c' },
          salt: { type: 'string' },
          explain: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (error) {
      return context.usageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      context.stdout(usage);
      return 0;
    }
    const [action, source, ...extra] = positionals;
    if (action !== 'check' && action !== 'eval') {
      return context.usageError(
        action === undefined ? 'missing action: check or eval' : `unknown action '${action}': use check or eval`,
      );
    }
    if (source === undefined) return context.usageError(`missing the rule: vexil rule ${action} '<expr>'`);
    if (extra.length > 0)
      return context.usageError(`unexpected argument '${extra[0]}' (quote the rule as one argument)`);
    if (action === 'check') {
      const misplaced = (['context', 'salt', 'explain'] as const).find((name) => values[name] !== undefined);
      if (misplaced) return context.usageError(`--${misplaced} only applies to rule eval`);
      return check(source, context);
    }
    return evaluate(source, values.context, values.salt, values.explain === true, context);
  },
};
