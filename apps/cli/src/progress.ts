import { SingleBar, Presets } from 'cli-progress';
import type { CliIo } from './io.ts';

/** Reports progress of slow work as `(done, total)`. */
export type ProgressCallback = (done: number, total: number) => void;

/**
 * Runs `work` with a progress bar on stderr when stderr is a terminal; silently otherwise, so `--json`
 * output and CI logs stay clean.
 */
export async function withProgress<T>(io: CliIo, label: string, work: (onProgress: ProgressCallback) => T | Promise<T>): Promise<T> {
  if (!io.interactive) return work(() => {});
  const bar = new SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total}`, stream: process.stderr, clearOnComplete: true, hideCursor: true },
    Presets.shades_classic,
  );
  let started = false;
  try {
    return await work((done, total) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.setTotal(total);
      bar.update(done);
    });
  } finally {
    if (started) bar.stop();
  }
}
