/**
 * The backtest workload file: what the cluster needs per node, how many nodes over the day, and what an
 * interruption costs its pods. Documented in docs/backtest-workload.md.
 */
import { z } from 'zod';

const positive = z.number().positive().finite();
const nonNegative = z.number().nonnegative().finite();
const azName = z.string().regex(/^[a-z]{2}(?:-gov)?-[a-z]+-\d+[a-z]$/, 'expected an availability zone such as us-east-1a');

/** Schema of a backtest workload file (JSON). Unknown keys are errors, so a typo never goes unnoticed. */
export const BacktestWorkloadSchema = z
  .strictObject({
    /** Free-form label for reports. */
    name: z.string().min(1).max(200).default('workload'),
    /** What one node must provide. */
    node: z.strictObject({
      vcpu: positive,
      memoryGib: positive,
      /** Largest node accepted; default 2 × vcpu / 2 × memoryGib (bigger nodes would be bought but not used). */
      maxVcpu: positive.optional(),
      maxMemoryGib: positive.optional(),
      architecture: z.enum(['x86_64', 'arm64']).default('x86_64'),
    }),
    /** A constant number of nodes … */
    nodeCount: z.number().int().min(1).max(10_000).optional(),
    /** … or a daily cycle: nodes wanted in each UTC hour 0–23 (shifted by `utcOffsetHours` for local hours). */
    dailyProfile: z
      .strictObject({
        hourlyNodeCounts: z.array(z.number().int().min(0).max(10_000)).length(24, 'needs exactly 24 hourly node counts (hour 0 … 23)'),
        /** The profile's hours are local hours at this offset from UTC (e.g. −3 for São Paulo). */
        utcOffsetHours: z.number().int().min(-12).max(14).default(0),
      })
      .optional(),
    /** Pods running on each node (all disrupted when the node goes). */
    podsPerNode: z.number().int().min(1).max(1_000),
    /** What a disruption costs and how the cluster reacts. */
    disruption: z
      .strictObject({
        /** Minutes one pod needs, once it has a node, to be serving again (pull, start, warm-up). */
        podRestartMinutes: nonNegative.max(24 * 60),
        /** Minutes from launch request until a new node is Ready. */
        nodeBootMinutes: nonNegative.max(120).default(3),
        /** Without warning handling: minutes until Kubernetes notices the lost node and reschedules its pods. */
        nodeLossDetectionMinutes: nonNegative.max(120).default(5),
        /** True when the cluster acts on the 2-minute warning (node termination handler, Karpenter interruption queue). */
        handlesInterruptionWarning: z.boolean().default(true),
        /** `replace`: start a replacement on a rebalance recommendation and move the pods before the interruption. */
        rebalanceRecommendations: z.enum(['ignore', 'replace']).default('ignore'),
      })
      .default({ podRestartMinutes: 2, nodeBootMinutes: 3, nodeLossDetectionMinutes: 5, handlesInterruptionWarning: true, rebalanceRecommendations: 'ignore' }),
    /** Availability zones the cluster may use; default every AZ of the region with price history. */
    zones: z.array(azName).min(1).optional(),
  })
  .superRefine((w, ctx) => {
    if ((w.nodeCount === undefined) === (w.dailyProfile === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['nodeCount'], message: 'give exactly one of nodeCount or dailyProfile' });
    }
    if (w.dailyProfile && Math.max(...w.dailyProfile.hourlyNodeCounts) < 1) {
      ctx.addIssue({ code: 'custom', path: ['dailyProfile', 'hourlyNodeCounts'], message: 'at least one hour needs a node' });
    }
    if (w.node.maxVcpu !== undefined && w.node.maxVcpu < w.node.vcpu) ctx.addIssue({ code: 'custom', path: ['node', 'maxVcpu'], message: 'maxVcpu is below vcpu' });
    if (w.node.maxMemoryGib !== undefined && w.node.maxMemoryGib < w.node.memoryGib) ctx.addIssue({ code: 'custom', path: ['node', 'maxMemoryGib'], message: 'maxMemoryGib is below memoryGib' });
  });

/** A parsed workload (defaults applied). */
export type BacktestWorkload = z.output<typeof BacktestWorkloadSchema>;
/** A workload as written in the file. */
export type BacktestWorkloadInput = z.input<typeof BacktestWorkloadSchema>;

const HOUR_MS = 3_600_000;

/** Nodes wanted at `timeMs`. */
export function desiredNodeCount(w: BacktestWorkload, timeMs: number): number {
  if (w.nodeCount !== undefined) return w.nodeCount;
  const p = w.dailyProfile;
  if (!p) return 0;
  const utcHour = Math.floor(timeMs / HOUR_MS) % 24;
  const local = (((utcHour + p.utcOffsetHours) % 24) + 24) % 24;
  return p.hourlyNodeCounts[local] ?? 0;
}

/** Times in (fromMs, toMs) at which the wanted node count changes (hour boundaries of the profile). */
export function scaleChangeTimes(w: BacktestWorkload, fromMs: number, toMs: number): number[] {
  if (!w.dailyProfile) return [];
  const out: number[] = [];
  let prev = desiredNodeCount(w, fromMs);
  for (let t = Math.floor(fromMs / HOUR_MS) * HOUR_MS + HOUR_MS; t < toMs; t += HOUR_MS) {
    const n = desiredNodeCount(w, t);
    if (n !== prev) out.push(t);
    prev = n;
  }
  return out;
}
