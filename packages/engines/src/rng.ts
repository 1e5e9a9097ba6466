// The seeded RNG lives in market so the simulator (which may not import engines) draws from the same one.
export { createRng, hashString, type Rng } from '@cloudoptim/market';
