/**
 * `validateRule`: compile a rule and, given a context, evaluate it with its trace. It reads nothing
 * stored, so any caller may use it (the playground's expression mode needs no key); naming an
 * environment, to resolve segment() and flag() against it, needs an admin or read-only key.
 */
import { compileRule, checkRule, type Diagnostic } from '../../dsl/index.js';
import { ruleResolvers } from '../../flags/resolvers.js';
import { requireReader } from '../access.js';
import { builder } from '../builder.js';
import { apiError } from '../errors.js';
import { checkContext } from './context-arg.js';

interface RuleValidation {
  ok: boolean;
  diagnostics: Diagnostic[];
  attributes: readonly string[];
  segments: readonly string[];
  flags: readonly string[];
  js: string | null;
  matched: boolean | null;
  trace: unknown;
}

const DiagnosticRef = builder.objectRef<Diagnostic>('Diagnostic').implement({
  fields: (t) => ({
    message: t.exposeString('message'),
    line: t.exposeInt('line'),
    column: t.exposeInt('column'),
    offset: t.exposeInt('offset'),
    length: t.exposeInt('length'),
  }),
});

const RuleValidationRef = builder.objectRef<RuleValidation>('RuleValidation').implement({
  fields: (t) => ({
    ok: t.exposeBoolean('ok'),
    diagnostics: t.field({ type: [DiagnosticRef], resolve: (result) => result.diagnostics }),
    attributes: t.stringList({
      description: 'Attribute paths the rule reads.',
      resolve: (result) => [...result.attributes],
    }),
    segments: t.stringList({ resolve: (result) => [...result.segments] }),
    flags: t.stringList({ resolve: (result) => [...result.flags] }),
    js: t.exposeString('js', { nullable: true, description: 'The generated JavaScript.' }),
    matched: t.exposeBoolean('matched', {
      nullable: true,
      description: 'With a context: whether the rule matches it.',
    }),
    trace: t.field({
      type: 'JSON',
      nullable: true,
      description: 'With a context: the evaluation tree, each node with its span and value.',
      resolve: (result) => result.trace,
    }),
  }),
});

const maxRuleSourceLength = 64 * 1024;

builder.queryField('validateRule', (t) =>
  t.field({
    type: RuleValidationRef,
    args: {
      source: t.arg.string({ required: true }),
      context: t.arg({ type: 'JSON', description: 'Evaluate the rule against this context and return its trace.' }),
      environment: t.arg.string({
        description: 'Resolve segment() and flag() in this environment (admin or read-only key).',
      }),
    },
    resolve: (_root, args, context) => {
      // The compiler reports sources over 16 KiB itself; this only bounds what we even look at.
      if (args.source.length > maxRuleSourceLength)
        throw apiError('VALIDATION', `source is longer than ${maxRuleSourceLength} characters`, { field: 'source' });
      const scope = args.environment ? environmentScope(context, args.environment) : undefined;
      const check = checkRule(args.source, { resolvers: ruleResolvers });
      if (!check.ok)
        return {
          ok: false,
          diagnostics: check.diagnostics,
          attributes: [],
          segments: [],
          flags: [],
          js: null,
          matched: null,
          trace: null,
        };
      const rule = compileRule(args.source, { resolvers: ruleResolvers });
      const explanation =
        args.context === null || args.context === undefined ? null : rule.explain(checkContext(args.context), scope);
      return {
        ok: true,
        diagnostics: [],
        attributes: rule.attributes,
        segments: rule.segments,
        flags: rule.flags,
        js: rule.js,
        matched: explanation?.matched ?? null,
        trace: explanation?.tree ?? null,
      };
    },
  }),
);

function environmentScope(context: Parameters<typeof requireReader>[0], environment: string): unknown {
  requireReader(context);
  const snapshot = context.services.engine.snapshot(environment);
  if (!snapshot) throw apiError('NOT_FOUND', `environment '${environment}' does not exist`);
  return snapshot;
}
