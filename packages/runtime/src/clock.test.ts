import { describe, expect, it } from 'vitest';
import { ManualClock, ScaledClock } from './clock.ts';

describe('ManualClock', () => {
  it('wakes sleepers in time order, each seeing its own wake time', async () => {
    const clock = new ManualClock(1_000);
    const seen: [string, number][] = [];
    void clock.sleep(300).then(() => seen.push(['b', clock.now()]));
    void clock.sleep(100).then(() => seen.push(['a', clock.now()]));
    await clock.advance(1_000);
    expect(seen).toEqual([['a', 1_100], ['b', 1_300]]);
    expect(clock.now()).toBe(2_000);
  });

  it('runs a loop that sleeps repeatedly, once per interval', async () => {
    const clock = new ManualClock(0);
    const ticks: number[] = [];
    const controller = new AbortController();
    const loop = (async () => {
      for (;;) {
        await clock.sleep(10_000, controller.signal);
        ticks.push(clock.now());
      }
    })().catch(() => 'stopped');
    await clock.advance(35_000);
    controller.abort();
    expect(await loop).toBe('stopped');
    expect(ticks).toEqual([10_000, 20_000, 30_000]);
  });

  it('refuses to go back in time', async () => {
    const clock = new ManualClock(5);
    await expect(clock.set(1)).rejects.toThrow(/cannot go back/);
  });
});

describe('ScaledClock', () => {
  it('runs simulated time at speed × the base clock', async () => {
    const base = new ManualClock(0);
    const sim = new ScaledClock(base, Date.UTC(2021, 3, 1), 60);
    let woke = 0;
    void sim.sleep(60_000).then(() => (woke = sim.now()));
    await base.advance(999);
    expect(woke).toBe(0);
    await base.advance(1);
    expect(woke).toBe(Date.UTC(2021, 3, 1) + 60_000);
    expect(() => new ScaledClock(base, 0, 0)).toThrow(/positive/);
  });
});
