/** One headline number with its label and a line of context. */
import { Paper, Text } from '@mantine/core';
import type { ReactNode } from 'react';

export interface StatCardProps {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  /** Colour of the value (green savings, red losses). */
  tone?: 'default' | 'good' | 'bad';
}

export function StatCard({ label, value, hint, tone = 'default' }: StatCardProps) {
  const id = `stat-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <Paper withBorder p="md" radius="md" role="group" aria-labelledby={id}>
      <Text id={id} size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="xl" fw={700} mt={4} c={tone === 'good' ? 'teal.8' : tone === 'bad' ? 'red.8' : undefined} data-testid={id}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed" mt={4}>
          {hint}
        </Text>
      )}
    </Paper>
  );
}
