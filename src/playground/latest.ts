/**
 * Debounced requests where only the newest input counts: each call bumps a sequence number, the request
 * starts after a quiet period (~150 ms), and a response is applied only if no newer input arrived since,
 * so a slow answer to stale text can never overwrite the answer to what is on screen.
 */
export class LatestRequest<T> {
  private sequence = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private controller: AbortController | undefined;

  constructor(
    private readonly delayMs: number,
    private readonly onBusy: (busy: boolean) => void = () => {},
  ) {}

  /** Schedules `run`; `apply` / `fail` are called only if this is still the newest request when it settles. */
  schedule(
    run: (signal: AbortSignal) => Promise<T>,
    apply: (value: T) => void,
    fail: (error: unknown) => void,
    delayMs = this.delayMs,
  ): void {
    const id = ++this.sequence;
    clearTimeout(this.timer);
    this.onBusy(true);
    this.timer = setTimeout(() => {
      this.controller?.abort();
      const controller = (this.controller = new AbortController());
      run(controller.signal).then(
        (value) => {
          if (id !== this.sequence) return;
          this.onBusy(false);
          apply(value);
        },
        (error: unknown) => {
          if (id !== this.sequence) return;
          this.onBusy(false);
          fail(error);
        },
      );
    }, delayMs);
  }

  /** Forgets pending and in-flight requests (e.g. when the mode changes). */
  cancel(): void {
    this.sequence++;
    clearTimeout(this.timer);
    this.controller?.abort();
    this.onBusy(false);
  }
}
