import type { Clock, Logger } from '@cloudoptim/runtime';
import type { Rng } from '@cloudoptim/market';
import type { AwsEndpoint } from '../aws/index.ts';

export interface StormOptions {
  /** Simulated ms after the simulation start when the storm begins. */
  afterMs: number;
  durationMs: number;
  /** Multiplies every spot pool's interruption hazard during the storm. */
  hazardMultiplier: number;
}

/**
 * A spot storm: for a window, every running spot instance faces its pool's hazard times a multiplier (on top
 * of the normal process, which keeps running). At the storm's start each spot instance draws an exponential
 * time to interruption at the raised rate; instances launched during the storm draw at launch. A draw that
 * lands inside the window becomes a real interruption (warning, then termination two minutes later), through
 * the same path as ordinary interruptions.
 */
export function scheduleStorm(aws: AwsEndpoint, clock: Clock, startMs: number, storm: StormOptions, rng: Rng, log: Logger): () => void {
  const from = startMs + storm.afterMs;
  const to = from + storm.durationMs;
  const controller = new AbortController();
  const doomed = new Set<string>();
  const extraRate = (az: string, type: string, t: number) => aws.spotMarket.hazardAt(az, type, t) * (storm.hazardMultiplier - 1);

  const draw = (instanceId: string, az: string, type: string, at: number) => {
    if (doomed.has(instanceId)) return;
    const rate = extraRate(az, type, at) / 3_600_000; // hazard is per hour; draw in ms
    if (!(rate > 0)) return;
    const when = at + rng.exponential(rate);
    if (when >= to) return;
    doomed.add(instanceId);
    aws.ec2.interruptInstance(instanceId, { warningAt: Math.max(when, clock.now()) });
  };

  const stopLaunchHook = aws.ec2.onInstanceRunning((instance) => {
    const now = clock.now();
    if (instance.lifecycle === 'spot' && now >= from && now < to) draw(instance.instanceId, instance.availabilityZone, instance.instanceType, now);
  });

  void clock
    .sleep(Math.max(0, from - clock.now()), controller.signal)
    .then(() => {
      const running = aws.ec2.list().filter((i) => i.lifecycle === 'spot' && i.state === 'running');
      log.info({ instances: running.length, multiplier: storm.hazardMultiplier, durationMs: storm.durationMs }, 'spot storm begins');
      for (const i of running) draw(i.instanceId, i.availabilityZone, i.instanceType, clock.now());
    })
    .catch(() => {});

  return () => {
    controller.abort();
    stopLaunchHook();
  };
}
