/** Status words as coloured badges (colour is never the only signal: the word is always there). */
import { Badge } from '@mantine/core';

/** Badges keep their whole word: a squeezed table column must not cut "approved" to "app…". */
const WHOLE = { root: { overflow: 'visible' }, label: { overflow: 'visible' } } as const;
import type { HealthStatus } from '@cloudoptim/contracts';

const HEALTH: Record<HealthStatus, { color: string; label: string }> = {
  GREEN: { color: 'teal', label: 'Healthy' },
  YELLOW: { color: 'yellow', label: 'Degraded' },
  RED: { color: 'red', label: 'Unreachable' },
};

export function HealthBadge({ status }: { status: HealthStatus | null }) {
  if (status === null) return <Badge color="gray" variant="light" styles={WHOLE}>
        No report yet
      </Badge>;
  const h = HEALTH[status];
  return (
    <Badge color={h.color} variant="light" title={`Health ${status}`} styles={WHOLE}>
      {h.label} ({status})
    </Badge>
  );
}

const STATUS_COLORS: Record<string, string> = {
  proposed: 'blue',
  approved: 'indigo',
  running: 'cyan',
  succeeded: 'teal',
  completed: 'teal',
  success: 'teal',
  rejected: 'gray',
  cancelled: 'gray',
  failed: 'red',
  timeout: 'red',
  rolled_back: 'orange',
  pending: 'blue',
  leased: 'cyan',
  queued: 'blue',
  skipped: 'gray',
};

/** A lifecycle status (plans, steps, tasks, jobs). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={STATUS_COLORS[status] ?? 'gray'} variant="light" styles={WHOLE}>
      {status.replace(/_/g, ' ')}
    </Badge>
  );
}

export function CapacityBadge({ type }: { type: 'spot' | 'on-demand' }) {
  return (
    <Badge color={type === 'spot' ? 'grape' : 'blue'} variant="outline" styles={WHOLE}>
      {type}
    </Badge>
  );
}
