/**
 * Hands updates to subscribers in slices, one slice per turn of the event loop. Pushing an update to a
 * subscriber is cheap, but it starts that subscriber's whole pipeline in microtasks (execution,
 * masking, framing, a socket write); pushed to 10,000 subscribers at once, those ran as one block of
 * about half a second in which nothing else was served (a /healthz probe waited 350–640 ms; in
 * slices, 30–110 ms) and no socket was written to, node:http corking each write until the next tick.
 *
 * One FIFO for every update, so each subscriber still receives its updates in order.
 */
export class SlicedDelivery<T> {
  private readonly pending: T[] = [];
  private head = 0;
  private scheduled = false;

  /**
   * @param deliver hands one item to its subscribers and returns how many it reached
   * @param sliceSize subscribers reached per turn (a slice ends after the item that crosses it)
   */
  constructor(
    private readonly deliver: (item: T) => number,
    private readonly sliceSize = 500,
  ) {}

  get size(): number {
    return this.pending.length - this.head;
  }

  add(item: T): void {
    this.pending.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    for (let budget = this.sliceSize; budget > 0 && this.head < this.pending.length; ) budget -= this.deliver(this.pending[this.head++]!);
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
