/** The hub's outbox: updates handed out in order, a slice of subscribers per turn of the event loop. */
import { describe, expect, it } from 'vitest';
import { SlicedDelivery } from '../../src/graphql/live/sliced-delivery.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('SlicedDelivery', () => {
  it('hands nothing out synchronously, then about `sliceSize` subscribers per turn, in order', async () => {
    const delivered: number[] = [];
    const outbox = new SlicedDelivery<number>((item) => {
      delivered.push(item);
      return 300; // subscribers this item reached
    }, 500);
    for (let item = 0; item < 5; item++) outbox.add(item);
    expect(delivered).toEqual([]);
    await nextTurn();
    expect(delivered).toEqual([0, 1]); // the slice ends after the item that crosses 500
    outbox.add(5); // behind what is already waiting
    await nextTurn();
    expect(delivered).toEqual([0, 1, 2, 3]);
    await nextTurn();
    expect(delivered).toEqual([0, 1, 2, 3, 4, 5]);
    expect(outbox.size).toBe(0);
  });

  it('starts again after it ran dry', async () => {
    const delivered: string[] = [];
    const outbox = new SlicedDelivery<string>((item) => delivered.push(item), 500);
    outbox.add('a');
    await nextTurn();
    outbox.add('b');
    await nextTurn();
    expect(delivered).toEqual(['a', 'b']);
  });

  it('delivers the whole backlog at once, in order, rather than let it grow past its bound', async () => {
    const delivered: number[] = [];
    const outbox = new SlicedDelivery<number>((item) => (delivered.push(item), 1), 500, 10);
    for (let item = 0; item < 10; item++) outbox.add(item);
    expect(delivered).toEqual([]);
    outbox.add(10); // the 11th waiting item crosses the bound
    expect(delivered).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(outbox.size).toBe(0);
    outbox.add(11);
    await nextTurn();
    expect(delivered.at(-1)).toBe(11);
  });
});
