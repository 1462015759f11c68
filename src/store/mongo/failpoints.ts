/**
 * Crash injection for tests: a writer configured with a failpoint kills its own process (SIGKILL, so
 * no cleanup runs) at that step of a commit. Tests use it to prove that a writer dying between any
 * two steps leaves nothing half-visible. Off unless set explicitly, by option or by VEXIL_FAILPOINT.
 */

export const failpointNames = ['after-reserve', 'after-record', 'after-materialise'] as const;
export type FailpointName = (typeof failpointNames)[number];

export function failpointFromEnv(value = process.env.VEXIL_FAILPOINT): FailpointName | null {
  if (!value) return null;
  if (!(failpointNames as readonly string[]).includes(value)) {
    throw new Error(`VEXIL_FAILPOINT must be one of ${failpointNames.join(', ')}, not '${value}'`);
  }
  return value as FailpointName;
}

/** A commit step; kills the process when it is the armed failpoint. */
export type Failpoint = (step: FailpointName) => void;

export function failpoint(armed: () => FailpointName | null): Failpoint {
  return (step) => {
    if (armed() === step) process.kill(process.pid, 'SIGKILL');
  };
}
