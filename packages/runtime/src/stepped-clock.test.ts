import { afterEach, describe, expect, it } from 'vitest';
import { SteppedClock } from './stepped-clock.ts';

const T0 = Date.UTC(2026, 0, 5, 8);

/** Busy work spread over many turns of the event loop, as a request moving between servers would be. */
async function workFor(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) {
    const until = performance.now() + 0.2;
    while (performance.now() < until);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

describe('SteppedClock', () => {
  let clock: SteppedClock;
  afterEach(() => clock?.stop());

  it('jumps from sleeper to sleeper while the process is idle', async () => {
    clock = new SteppedClock({ startMs: T0 });
    clock.start();
    const real = performance.now();
    for (let i = 0; i < 200; i++) await clock.sleep(60_000);
    expect(clock.now()).toBe(T0 + 200 * 60_000);
    expect(performance.now() - real).toBeLessThan(10_000); // 200 simulated minutes, not 200 real ones
  });

  it('stands still while work is in flight, and moves once it is done', async () => {
    clock = new SteppedClock({ startMs: T0 });
    clock.start();
    const seen: number[] = [];
    const other = clock.sleep(1_000).then(() => seen.push(clock.now()));
    await clock.sleep(0);
    const before = clock.now();
    await workFor(200);
    expect(clock.now()).toBe(before);
    await other;
    expect(seen).toEqual([T0 + 1_000]);
  });

  it('wakes sleepers due at the same instant one by one, in the order they slept', async () => {
    clock = new SteppedClock({ startMs: T0 });
    const order: string[] = [];
    const a = clock.sleep(5_000).then(async () => {
      order.push('a woke');
      await workFor(20);
      order.push('a done');
    });
    const b = clock.sleep(5_000).then(() => order.push('b woke'));
    clock.start();
    await Promise.all([a, b]);
    expect(order).toEqual(['a woke', 'a done', 'b woke']);
  });

  it('runs no faster than maxSpeed', async () => {
    clock = new SteppedClock({ startMs: T0, maxSpeed: 100 });
    // Pacing counts from start(): 3 simulated seconds at 100× are due 30 real ms after it.
    const real = performance.now();
    clock.start();
    await clock.sleep(3_000);
    expect(performance.now() - real).toBeGreaterThanOrEqual(29);
  });
});
