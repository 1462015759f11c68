/**
 * Hands updates to subscribers in slices, one slice per turn of the event loop. Pushing an update to a
 * subscriber is cheap, but it starts that subscriber's whole pipeline in microtasks (execution,
 * masking, framing, a socket write); pushed to 10,000 subscribers at once, those ran as one block of
 * about half a second in which nothing else was served (a /healthz probe waited 350–640 ms; in
 * slices, 30–110 ms) and no socket was written to, node:http corking each write until the next tick.
 *
 * One FIFO for every update, so each subscriber still receives its updates in order. The FIFO is
 * bounded: when changes arrive faster than they can be handed out, the backlog is delivered at once
 * (blocking the event loop, as unsliced delivery did) rather than growing memory without limit; each
 * subscriber's own queue then drops it if it cannot keep up.
 */
export class SlicedDelivery<T> {
  private readonly pending: T[] = [];
  private head = 0;
  private scheduled = false;

  /**
   * @param deliver hands one item to its subscribers and returns how many it reached
   * @param sliceSize subscribers reached per turn (a slice ends after the item that crosses it)
   * @param maxPending items waiting beyond which the whole backlog is delivered at once
   */
  constructor(
    private readonly deliver: (item: T) => number,
    private readonly sliceSize = 500,
    private readonly maxPending = 20_000,
  ) {}

  get size(): number {
    return this.pending.length - this.head;
  }

  add(item: T): void {
    this.pending.push(item);
    if (this.size > this.maxPending) return this.deliverBacklog();
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private deliverBacklog(): void {
    while (this.head < this.pending.length) this.deliver(this.pending[this.head++]!);
    this.pending.length = 0;
    this.head = 0;
  }

  private drain(): void {
    for (let budget = this.sliceSize; budget > 0 && this.head < this.pending.length; )
      budget -= this.deliver(this.pending[this.head++]!);
    if (this.head < this.pending.length) {
      // Under a steady stream of changes the queue may never run dry: drop what was handed out.
      if (this.head >= 1024) {
        this.pending.splice(0, this.head);
        this.head = 0;
      }
      setImmediate(() => this.drain());
      return;
    }
    this.pending.length = 0;
    this.head = 0;
    this.scheduled = false;
  }
}
