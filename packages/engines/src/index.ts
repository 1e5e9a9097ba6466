/**
 * @cloudoptim/engines — CloudOptim's decision logic as pure functions over plain data: no I/O, no clock
 * (`now` is an argument), no Math.random (a seeded `Rng` is). Market data arrives as an argument (a loaded
 * `Market`), never loaded here.
 */
export * from './rng.ts';
export * from './spot-selection/index.ts';
export * from './office-hours/index.ts';
export * from './backtest/index.ts';
export * from './interruption-risk/index.ts';
export * from './rightsizing/index.ts';
export * from './forecasting/index.ts';
export * as binPacking from './bin-packing/index.ts';
