/**
 * `Flag.usage(environment, window)`: evaluations of a flag in one environment, merged from every
 * gateway instance, with an hourly series of the window (every hour, zeros included, oldest first:
 * ready for a sparkline). Read from the store's hourly buckets, which keep 30 days.
 */
import type { Flag } from '../../flags/model.js';
import { hourOf, type UsageBucket, usageRetentionHours } from '../../store/usage-series.js';
import type { UsageStat } from '../../store/types.js';
import { requireReader } from '../access.js';
import { builder } from '../builder.js';
import { apiError, mapErrors } from '../errors.js';
import { usageTotalsOf } from '../hygiene-loader.js';
import { FlagRef } from './flag.js';

const hourMs = 3600 * 1000;
const maxWindowDays = usageRetentionHours / 24;

interface FlagUsage {
  environment: string;
  windowDays: number;
  since: string;
  totals: UsageStat[];
  buckets: UsageBucket[];
  hours: string[];
}

const VariationUsageRef = builder.objectRef<{ variation: string; count: number }>('VariationUsage').implement({
  fields: (t) => ({ variation: t.exposeString('variation'), count: t.exposeFloat('count') }),
});

const UsageHourRef = builder.objectRef<{ hour: string; count: number }>('UsageHour').implement({
  description: 'Evaluations in the hour starting at `hour` (counts land in the hour they were flushed in).',
  fields: (t) => ({ hour: t.exposeString('hour'), count: t.exposeFloat('count') }),
});

const sum = (buckets: readonly { count: number }[]) => buckets.reduce((total, bucket) => total + bucket.count, 0);

const FlagUsageRef = builder.objectRef<FlagUsage>('FlagUsage').implement({
  description:
    'Usage of a flag in one environment, summed over every gateway instance. Counts within the window come from hourly buckets.',
  fields: (t) => ({
    environment: t.exposeString('environment'),
    windowDays: t.exposeInt('windowDays'),
    since: t.exposeString('since', { description: 'Start of the first hour of the window.' }),
    total: t.float({
      description: 'Evaluations in the window, every variation.',
      resolve: (usage) => sum(usage.buckets.filter((bucket) => bucket.variation !== null)),
    }),
    variations: t.field({
      type: [VariationUsageRef],
      description: 'Evaluations in the window per variation served, by variation key.',
      resolve: (usage) => {
        const counts = new Map<string, number>();
        for (const bucket of usage.buckets)
          if (bucket.variation !== null)
            counts.set(bucket.variation, (counts.get(bucket.variation) ?? 0) + bucket.count);
        return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([variation, count]) => ({ variation, count }));
      },
    }),
    notFound: t.float({
      description:
        'Requests in the window that ended in FLAG_NOT_FOUND while the flag was archived: the "archived but still called" signal.',
      resolve: (usage) => sum(usage.buckets.filter((bucket) => bucket.variation === null)),
    }),
    allTimeTotal: t.float({
      description: 'Evaluations since usage was first recorded.',
      resolve: (usage) => sum(usage.totals.filter((stat) => stat.variation !== null)),
    }),
    lastEvaluatedAt: t.string({
      nullable: true,
      description:
        'The latest flush that counted an evaluation (within the flush interval of the evaluation itself); null if never evaluated.',
      resolve: (usage) =>
        usage.totals
          .filter((stat) => stat.variation !== null)
          .reduce<string | null>(
            (max, stat) => (max === null || stat.lastEvaluatedAt > max ? stat.lastEvaluatedAt : max),
            null,
          ),
    }),
    series: t.field({
      type: [UsageHourRef],
      description: 'Every hour of the window, oldest first, evaluations of every variation (zeros included).',
      resolve: (usage) => {
        const counts = new Map<string, number>();
        for (const bucket of usage.buckets)
          if (bucket.variation !== null) counts.set(bucket.hour, (counts.get(bucket.hour) ?? 0) + bucket.count);
        return usage.hours.map((hour) => ({ hour, count: counts.get(hour) ?? 0 }));
      },
    }),
  }),
});

builder.objectFields(FlagRef, (t) => ({
  usage: t.field({
    type: FlagUsageRef,
    description:
      'Evaluations of this flag in one environment: totals, per variation, last evaluation and an hourly series (admin and read-only keys).',
    args: {
      environment: t.arg.string({ required: true }),
      window: t.arg.int({
        description: `Days covered, ending with the current hour: 1 to ${maxWindowDays}.`,
        defaultValue: maxWindowDays,
      }),
    },
    resolve: (flag, args, context) => {
      requireReader(context);
      const windowDays = args.window ?? maxWindowDays;
      if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > maxWindowDays)
        throw apiError('VALIDATION', `window must be between 1 and ${maxWindowDays} days`, { field: 'window' });
      return mapErrors(() =>
        usageOf(
          flag,
          args.environment,
          windowDays,
          context.services.store.now(),
          (key) => usageTotalsOf(context, key),
          context.services.store,
        ),
      );
    },
  }),
}));

async function usageOf(
  flag: Flag,
  environment: string,
  windowDays: number,
  now: string,
  totalsOf: (key: string) => Promise<UsageStat[]>,
  store: { readUsageBuckets(filter: { environment: string; flagKey: string; since: string }): Promise<UsageBucket[]> },
): Promise<FlagUsage> {
  const current = Date.parse(hourOf(now));
  const hours = Array.from({ length: windowDays * 24 }, (_, i) =>
    new Date(current - (windowDays * 24 - 1 - i) * hourMs).toISOString(),
  );
  const since = hours[0]!;
  const [totals, buckets] = await Promise.all([
    totalsOf(flag.key),
    store.readUsageBuckets({ environment, flagKey: flag.key, since }),
  ]);
  return {
    environment,
    windowDays,
    since,
    totals: totals.filter((stat) => stat.environment === environment),
    buckets: buckets.filter((bucket) => bucket.hour <= hours.at(-1)!),
    hours,
  };
}
