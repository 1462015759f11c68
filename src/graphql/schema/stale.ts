/** The stale-flag report: `staleFlags`, `Flag.staleReasons` and `Flag.stale`, with documented thresholds. */
import type { ArgBuilder, SchemaTypes } from '@pothos/core';
import type { Flag } from '../../flags/model.js';
import {
  defaultStaleThresholds,
  type StaleEvidence,
  type StaleReason,
  staleReasonCodes,
  type StaleThresholds,
} from '../../store/stale/reasons.js';
import { type StaleFlag, staleFlagOf } from '../../store/stale/report.js';
import { requireReader } from '../access.js';
import { builder } from '../builder.js';
import type { GatewayContext } from '../context.js';
import { apiError, mapErrors } from '../errors.js';
import { codeReferencesOf, usageTotalsOf } from '../hygiene-loader.js';
import { FlagRef } from './flag.js';

const StaleReasonCodeEnum = builder.enumType('StaleReasonCode', {
  description:
    'Why a flag is due for removal. EXPIRED: past expiresAt. EXPIRING_SOON (a warning): expires within expiringWithinDays. UNUSED: not evaluated in any environment for unusedDays, and older than that. ' +
    'ONE_VARIATION: every context has got the same variation in the environment for oneVariationDays (flag off, or all rules and the default serve one variation, or a split at 100%). ' +
    'ARCHIVED_BUT_CALLED: archived or deleted, yet requested within calledWithinDays. NO_CODE_REFERENCES: the latest code-reference report of every repository found no reference.',
  values: staleReasonCodes,
});

const StaleSeverityEnum = builder.enumType('StaleSeverity', {
  description: 'STALE reasons make Flag.stale true; WARNING reasons do not.',
  values: { STALE: { value: 'stale' }, WARNING: { value: 'warning' } } as const,
});

const StaleEvidenceRef = builder.objectRef<StaleEvidence>('StaleEvidence').implement({
  description: 'The facts a reason rests on; fields that do not apply to the reason are null.',
  fields: (t) => ({
    environment: t.string({ nullable: true, resolve: (evidence) => evidence.environment ?? null }),
    expiresAt: t.string({ nullable: true, resolve: (evidence) => evidence.expiresAt ?? null }),
    lastEvaluatedAt: t.string({
      nullable: true,
      description: 'Last evaluation (UNUSED) or last FLAG_NOT_FOUND request (ARCHIVED_BUT_CALLED).',
      resolve: (evidence) => evidence.lastEvaluatedAt ?? null,
    }),
    since: t.string({
      nullable: true,
      description: 'ONE_VARIATION: the last change of the flag, since when it serves one variation.',
      resolve: (evidence) => evidence.since ?? null,
    }),
    variation: t.string({ nullable: true, resolve: (evidence) => evidence.variation ?? null }),
    count: t.float({
      nullable: true,
      description: 'ARCHIVED_BUT_CALLED: FLAG_NOT_FOUND requests counted.',
      resolve: (evidence) => evidence.count ?? null,
    }),
    days: t.int({
      nullable: true,
      description: 'The threshold applied, in days.',
      resolve: (evidence) => evidence.days ?? null,
    }),
    repositories: t.stringList({
      nullable: true,
      description: 'NO_CODE_REFERENCES: the repositories scanned.',
      resolve: (evidence) => evidence.repositories ?? null,
    }),
    scannedAt: t.string({
      nullable: true,
      description: 'NO_CODE_REFERENCES: the latest scan.',
      resolve: (evidence) => evidence.scannedAt ?? null,
    }),
  }),
});

const StaleReasonRef = builder.objectRef<StaleReason>('StaleReason').implement({
  fields: (t) => ({
    code: t.field({ type: StaleReasonCodeEnum, resolve: (reason) => reason.code }),
    severity: t.field({ type: StaleSeverityEnum, resolve: (reason) => reason.severity }),
    message: t.exposeString('message', { description: 'One sentence for people.' }),
    evidence: t.field({ type: StaleEvidenceRef, resolve: (reason) => reason.evidence }),
    suggestedAction: t.exposeString('suggestedAction'),
  }),
});

const StaleFlagRef = builder.objectRef<StaleFlag>('StaleFlag').implement({
  fields: (t) => ({
    key: t.exposeString('key'),
    flag: t.field({
      type: FlagRef,
      nullable: true,
      description: 'Null when the flag was deleted (and is still requested).',
      resolve: (entry) => entry.flag,
    }),
    deleted: t.boolean({ resolve: (entry) => entry.flag === null }),
    stale: t.exposeBoolean('stale', { description: 'True when a reason other than a warning holds.' }),
    reasons: t.field({ type: [StaleReasonRef], resolve: (entry) => entry.reasons }),
  }),
});

type SchemaTypesOf<B> = B extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;

type ReportArgs = { environment?: string | null; now?: string | null } & {
  [K in keyof StaleThresholds]?: number | null;
};

/** The arguments shared by `staleFlags` and `Flag.staleReasons`; each threshold documents its default. */
function reportArgs(arg: ArgBuilder<SchemaTypesOf<typeof builder>>) {
  return {
    environment: arg.string({
      description: 'ONE_VARIATION and ARCHIVED_BUT_CALLED in this environment only; every environment when absent.',
    }),
    now: arg.string({ description: "The report's 'now' (ISO-8601); the server's clock when absent." }),
    expiringWithinDays: arg.int({
      description: 'EXPIRING_SOON within this many days of expiresAt.',
      defaultValue: defaultStaleThresholds.expiringWithinDays,
    }),
    unusedDays: arg.int({
      description: 'UNUSED after this many days without an evaluation.',
      defaultValue: defaultStaleThresholds.unusedDays,
    }),
    oneVariationDays: arg.int({
      description: 'ONE_VARIATION once one variation has been served to everyone for this many days.',
      defaultValue: defaultStaleThresholds.oneVariationDays,
    }),
    calledWithinDays: arg.int({
      description: 'ARCHIVED_BUT_CALLED while requested within this many days.',
      defaultValue: defaultStaleThresholds.calledWithinDays,
    }),
  };
}

function reportOptions(args: ReportArgs, context: GatewayContext) {
  const now = args.now ?? context.services.store.now();
  if (!/^\d{4}-\d\d-\d\dT/.test(now) || Number.isNaN(Date.parse(now)))
    throw apiError('VALIDATION', 'now must be an ISO-8601 date-time such as 2026-03-01T10:00:00Z', { field: 'now' });
  const thresholds: Partial<StaleThresholds> = {};
  for (const name of Object.keys(defaultStaleThresholds) as Array<keyof StaleThresholds>) {
    const value = args[name];
    if (value === null || value === undefined) continue;
    if (value < 0 || value > 3650)
      throw apiError('VALIDATION', `${name} must be between 0 and 3650 days`, { field: name });
    thresholds[name] = value;
  }
  return { now: new Date(now).toISOString(), environment: args.environment ?? null, thresholds };
}

async function staleOf(flag: Flag, args: ReportArgs, context: GatewayContext): Promise<StaleFlag> {
  const options = reportOptions(args, context);
  const [usage, codeReferences] = await Promise.all([usageTotalsOf(context, flag.key), codeReferencesOf(context)]);
  return staleFlagOf(flag, usage, codeReferences, options);
}

builder.queryField('staleFlags', (t) =>
  t.field({
    type: [StaleFlagRef],
    description:
      'Flags (and deleted keys still requested) with at least one stale reason, by key. Computed from the flags this gateway serves and, from the store, the usage merged from every instance and the latest code-reference reports; never per evaluation.',
    args: reportArgs(t.arg),
    resolve: (_root, args, context) => {
      requireReader(context);
      // The engine holds every flag (archived ones too) in memory: no snapshot read per report.
      const flags = [...context.services.engine.allFlags()];
      return mapErrors(() => context.services.store.staleFlags({ ...reportOptions(args, context), flags }));
    },
  }),
);

builder.objectFields(FlagRef, (t) => ({
  staleReasons: t.field({
    type: [StaleReasonRef],
    description: 'Every stale reason that holds for this flag (see StaleReasonCode).',
    args: reportArgs(t.arg),
    resolve: (flag, args, context) => mapErrors(async () => (await staleOf(flag, args, context)).reasons),
  }),
  stale: t.boolean({
    description: 'True when a stale reason other than a warning holds, with the default thresholds (see staleReasons).',
    resolve: (flag, _args, context) => mapErrors(async () => (await staleOf(flag, {}, context)).stale),
  }),
}));
