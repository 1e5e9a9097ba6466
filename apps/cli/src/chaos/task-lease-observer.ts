/**
 * Watches central's tasks table while a chaos scenario runs (one read per sample) and records what a single
 * final snapshot cannot show: an attempt leased to two holders, a task going back from an end state, attempts
 * counting down, a result of one attempt replaced by another result. The table keeps only the current lease, so
 * these checks see what was true at the samples (every few simulated seconds), not between them.
 */
import type { Database } from '@cloudoptim/db';

interface TaskRow {
  id: string;
  status: string;
  attempts: number;
  lease_owner: string | null;
  result_attempt: number | null;
  result: unknown;
}

interface Seen {
  status: string;
  attempts: number;
  /** Lease holder of each attempt. */
  owners: Map<number, string>;
  results: Map<number, string>;
}

export const TERMINAL_TASK_STATUSES = new Set(['success', 'failed', 'timeout', 'cancelled']);

export class TaskLeaseObserver {
  private readonly seen = new Map<string, Seen>();
  readonly violations: string[] = [];
  samples = 0;

  constructor(
    private readonly db: Database,
    private readonly clusterId: string,
  ) {}

  async sample(): Promise<void> {
    this.samples++;
    const rows = await this.db.query<TaskRow>('SELECT id, status, attempts, lease_owner, result_attempt, result FROM tasks WHERE cluster_id = $1', [this.clusterId]);
    for (const row of rows) {
      const prev = this.seen.get(row.id) ?? { status: 'pending', attempts: 0, owners: new Map<number, string>(), results: new Map<number, string>() };
      const what = `task ${row.id}`;
      if (row.attempts < prev.attempts) this.violate(`${what}: attempts went from ${prev.attempts} back to ${row.attempts}`);
      if (TERMINAL_TASK_STATUSES.has(prev.status) && !TERMINAL_TASK_STATUSES.has(row.status)) this.violate(`${what}: back to ${row.status} after ending ${prev.status}`);
      if ((row.status === 'leased' || row.status === 'running') && row.lease_owner) {
        const owner = prev.owners.get(row.attempts);
        if (owner && owner !== row.lease_owner) this.violate(`${what}: attempt ${row.attempts} held by ${owner} and by ${row.lease_owner}`);
        prev.owners.set(row.attempts, row.lease_owner);
      }
      if (row.result_attempt !== null && row.result !== null) {
        if (row.result_attempt > row.attempts) this.violate(`${what}: result of attempt ${row.result_attempt} but only ${row.attempts} attempts`);
        const text = JSON.stringify(row.result);
        const earlier = prev.results.get(row.result_attempt);
        if (earlier !== undefined && earlier !== text) this.violate(`${what}: attempt ${row.result_attempt} has two different results`);
        prev.results.set(row.result_attempt, text);
      }
      prev.status = row.status;
      prev.attempts = Math.max(prev.attempts, row.attempts);
      this.seen.set(row.id, prev);
    }
  }

  private violate(text: string): void {
    if (!this.violations.includes(text)) this.violations.push(text);
  }
}
