/**
 * The rollout scheduler: a timer per gateway that advances running plans whose hold is over and checks
 * their guards. Several gateways may run it on one store without coordination: every step is a flag
 * write conditional on the version the step was decided from, so of two gateways stepping at once
 * exactly one succeeds and the other's CONFLICT just means "already done". A gateway dying mid-step
 * leaves the step whole or not at all (one atomic write), and another gateway takes it on its next tick.
 */
import type { Flag } from '../../flags/model.js';
import { nextAdvanceAt, type GuardCheck, type RolloutPlan } from '../../flags/rollout-plan.js';
import type { RolloutTransition } from '../../flags/rollout-steps.js';
import type { FlagStore } from '../../store/store.js';
import { VersionConflict } from '../../store/types.js';
import type { GuardChecker } from './prometheus-guard.js';

/** The actor of every change the scheduler makes. */
export const rolloutActor = 'rollout-plan';

export interface RolloutSchedulerOptions {
  store: FlagStore;
  checkGuard: GuardChecker;
  /** The flags to look at (the engine's, in a gateway); fresher state comes from the store. @default every flag in the store */
  flags?: () => Iterable<Flag> | Promise<Iterable<Flag>>;
  /** @default () => new Date() */
  now?: () => Date;
  /** `VEXIL_ROLLOUT_INTERVAL_MS`: how often plans are looked at. @default 10000 */
  intervalMs?: number;
  /** How often a guard is checked during a hold. @default 60000 */
  guardIntervalMs?: number;
  onError?: (error: unknown, flagKey: string) => void;
}

export class RolloutScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** When this instance last checked each plan's guard (`flag/environment/stage`). */
  private readonly checkedAt = new Map<string, number>();
  private readonly now: () => Date;

  constructor(private readonly options: RolloutSchedulerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.options.intervalMs ?? 10_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass over every running plan; concurrent calls share the pass in progress. */
  tick(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    for (const flag of await (this.options.flags?.() ?? allFlags(this.options.store))) {
      if (flag.archived) continue;
      for (const [environment, config] of Object.entries(flag.environments)) {
        if (config.rollout?.state !== 'RUNNING') continue;
        await this.visit(flag, environment, config.rollout).catch((error: unknown) => {
          if (!(error instanceof VersionConflict)) this.options.onError?.(error, flag.key);
        });
      }
    }
  }

  private async visit(flag: Flag, environment: string, plan: RolloutPlan): Promise<void> {
    const now = this.now().getTime();
    const due = now >= Date.parse(nextAdvanceAt(plan)!);
    const guard = plan.stages[plan.currentStage]?.guard;
    if (!guard) {
      if (due) await this.step(flag, environment, 'advance', null, plan);
      return;
    }
    const slot = `${flag.key}/${environment}/${plan.currentStage}`;
    const lastChecked = this.checkedAt.get(slot);
    const guardDue = lastChecked === undefined || now - lastChecked >= (this.options.guardIntervalMs ?? 60_000);
    if (!due && !guardDue) return;
    this.checkedAt.set(slot, now);
    const check = await this.options.checkGuard(guard);
    if (check.outcome === 'breach') return this.record(flag, environment, check);
    if (check.outcome === 'ok' && due) return this.step(flag, environment, 'advance', check, plan);
    // Unknown (or ok during the hold): written only when it changes what the plan shows, not every minute.
    if (plan.lastGuardCheck?.outcome !== check.outcome || plan.lastGuardCheck.detail !== check.detail)
      await this.record(flag, environment, check);
  }

  private async step(
    flag: Flag,
    environment: string,
    kind: RolloutTransition,
    check: GuardCheck | null,
    plan: RolloutPlan,
  ) {
    const to = plan.currentStage + 2;
    const comment = `rollout plan: stage ${to} of ${plan.stages.length}${check ? ` (guard ok: ${check.detail})` : ''}`;
    await this.options.store.rollouts.step(
      flag.key,
      environment,
      kind,
      flag.version,
      { actor: rolloutActor, comment },
      check,
    );
  }

  private async record(flag: Flag, environment: string, check: GuardCheck) {
    const comment =
      check.outcome === 'breach'
        ? `rollout plan: guard breached, observed ${check.value} (${check.detail})`
        : `rollout plan: guard ${check.outcome} (${check.detail})`;
    await this.options.store.rollouts.guardCheck(flag.key, environment, check, flag.version, {
      actor: rolloutActor,
      comment,
    });
  }
}

async function allFlags(store: FlagStore): Promise<Flag[]> {
  const flags: Flag[] = [];
  let after: string | null = null;
  do {
    const page = await store.listFlags({ archived: false }, { first: 500, after });
    flags.push(...page.items);
    after = page.hasNextPage ? page.endCursor : null;
  } while (after !== null);
  return flags;
}
