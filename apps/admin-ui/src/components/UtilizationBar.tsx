/** How much of a capacity is used or requested, as a bar with its numbers in words (and for screen readers). */
import { Group, Progress, Text, VisuallyHidden } from '@mantine/core';

export interface UtilizationBarProps {
  label: string;
  /** Requested (allocated) amount. */
  allocated: number;
  /** Measured usage; null when not measured. */
  used: number | null;
  capacity: number;
  format: (value: number) => string;
}

export function UtilizationBar({ label, allocated, used, capacity, format }: UtilizationBarProps) {
  const share = (v: number) => (capacity > 0 ? Math.min(100, (v / capacity) * 100) : 0);
  const requested = share(allocated);
  const usage = used === null ? null : share(used);
  const text = `${label}: ${format(allocated)} requested${used === null ? '' : `, ${format(used)} used`} of ${format(capacity)}`;
  return (
    <div>
      <Group justify="space-between" gap={4}>
        <Text size="xs" c="dimmed" aria-hidden>
          {label}
        </Text>
        <Text size="xs" c="dimmed" aria-hidden>
          {requested.toFixed(0)} % req{usage === null ? '' : ` · ${usage.toFixed(0)} % used`}
        </Text>
      </Group>
      <VisuallyHidden>{text}</VisuallyHidden>
      <Progress.Root size="md" title={text} aria-hidden>
        {usage !== null && <Progress.Section value={Math.min(usage, requested)} color="teal" />}
        <Progress.Section value={usage === null ? requested : Math.max(0, requested - Math.min(usage, requested))} color="blue" />
      </Progress.Root>
    </div>
  );
}
