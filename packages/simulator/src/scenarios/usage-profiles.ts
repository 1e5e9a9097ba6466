/**
 * Usage profiles: what fraction of its request a container uses at a simulated time. Every profile is a pure
 * function of (time, seed key) — noise comes from hashing the 5-minute slot, not from a stateful RNG — so any
 * component can ask "how busy is this pod now?" in any order and a seed reproduces a run exactly.
 */
import { hashString } from '@cloudoptim/market';
import type { UsageProfile } from './scenario.schema.ts';

const SLOT_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A replayable usage trace: fractions of the provisioned CPU and memory at a fixed step. */
export interface UsageTrace {
  stepMs: number;
  cpu: Float32Array;
  memory: Float32Array;
}

/** Fraction of the request in use (CPU and memory), ≥ 0; may exceed 1 (bursting over the request). */
export interface UsageFraction {
  cpu: number;
  memory: number;
}

/** Uniform in [0, 1) from a key and a slot number: the "noise" of a profile, reproducible without state. */
function slotNoise(key: string, slot: number): number {
  let h = hashString(key) ^ Math.imul(slot, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** Hour of day (fractional) and weekday (0 = Sunday) of `timeMs` in a fixed UTC offset. */
function localClock(timeMs: number, utcOffsetHours: number): { hour: number; weekday: number } {
  const local = timeMs + utcOffsetHours * HOUR_MS;
  const hour = ((local % DAY_MS) + DAY_MS) % DAY_MS / HOUR_MS;
  const weekday = (Math.floor(local / DAY_MS) + 4) % 7; // 1970-01-01 was a Thursday
  return { hour, weekday: (weekday + 7) % 7 };
}

/**
 * The usage fraction of a profile at `timeMs`. `key` identifies the container (so replicas of one
 * workload are busy at the same hours but not in lockstep) and `traces` holds the loaded trace profiles.
 */
export function usageAt(profile: UsageProfile, timeMs: number, key: string, traces: ReadonlyMap<number, UsageTrace> = new Map()): UsageFraction {
  const slot = Math.floor(timeMs / SLOT_MS);
  const jitter = (amplitude: number, salt: string) => 1 + amplitude * (2 * slotNoise(key + salt, slot) - 1);
  switch (profile.profile) {
    case 'constant':
      return { cpu: profile.cpu_fraction, memory: profile.memory_fraction };
    case 'daily': {
      const { hour, weekday } = localClock(timeMs, profile.utc_offset_hours);
      // A raised cosine peaking at peak_hour, scaled down on weekends.
      const phase = ((hour - profile.peak_hour) / 24) * 2 * Math.PI;
      const shape = (1 + Math.cos(phase)) / 2;
      const weekendFactor = weekday === 0 || weekday === 6 ? profile.weekend_factor : 1;
      const cpu = (profile.base_fraction + (profile.peak_fraction - profile.base_fraction) * shape) * weekendFactor;
      return { cpu: Math.max(0, cpu * jitter(profile.noise, 'c')), memory: Math.max(0, profile.memory_fraction * jitter(profile.noise / 2, 'm')) };
    }
    case 'spiky': {
      const spike = slotNoise(key + 's', Math.floor(timeMs / (profile.spike_minutes * 60_000))) < profile.spike_probability;
      const cpu = spike ? profile.spike_fraction : profile.base_fraction;
      return { cpu: cpu * jitter(0.1, 'c'), memory: (spike ? Math.min(1.2, profile.memory_fraction * 1.3) : profile.memory_fraction) * jitter(0.05, 'm') };
    }
    case 'office_hours': {
      const { hour, weekday } = localClock(timeMs, profile.utc_offset_hours);
      const working = weekday >= 1 && weekday <= 5 && hour >= profile.start_hour && hour < profile.end_hour;
      const cpu = working ? profile.busy_fraction : profile.idle_fraction;
      return { cpu: cpu * jitter(0.1, 'c'), memory: profile.memory_fraction * jitter(0.05, 'm') };
    }
    case 'trace': {
      const trace = traces.get(profile.vm_id);
      if (!trace || trace.cpu.length === 0) return { cpu: 0, memory: 0 };
      // Replicas start at different offsets of the trace so they are correlated but not identical.
      const offset = Math.floor(slotNoise(key, 0) * trace.cpu.length);
      const i = (Math.floor(timeMs / trace.stepMs) + offset) % trace.cpu.length;
      return { cpu: (trace.cpu[i] as number) * profile.scale, memory: (trace.memory[i] as number) * profile.scale };
    }
  }
}
