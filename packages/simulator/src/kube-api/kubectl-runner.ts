/** Test helper: runs the installed `kubectl` against a test cluster's kubeconfig. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import type { TestCluster } from './fixtures.ts';

/** Runs kubectl with the cluster's kubeconfig and its own discovery cache; never rejects. */
export function runKubectl(c: Pick<TestCluster, 'kubeconfig' | 'dir'>, args: string[], timeoutMs = 20_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', c.kubeconfig, '--cache-dir', join(c.dir, 'cache'), ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
