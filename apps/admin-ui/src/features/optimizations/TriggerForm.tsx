/** Ask for a plan for one cluster: the decision type and whether it is only a preview (dry run). */
import { Button, Group, Paper, SegmentedControl, Stack, Switch, Text, Title } from '@mantine/core';
import type { DecisionType } from '@cloudoptim/contracts';
import { useState, type FormEvent } from 'react';
import { useTriggerOptimization } from '../../api/optimizations.queries.ts';
import type { PlanView } from '../../api/wire-types.ts';
import { ClusterSelect } from '../../components/ClusterSelect.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

export const DECISION_TYPES: { value: DecisionType; label: string }[] = [
  { value: 'spot_optimize', label: 'Spot optimize' },
  { value: 'bin_pack', label: 'Bin pack' },
  { value: 'rightsize', label: 'Rightsize' },
  { value: 'schedule', label: 'Office hours' },
];

export function TriggerForm({ onPlanned }: { onPlanned(plan: PlanView): void }) {
  const trigger = useTriggerOptimization();
  const [clusterId, setClusterId] = useState<string | null>(null);
  const [type, setType] = useState<DecisionType>('spot_optimize');
  const [dryRun, setDryRun] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (clusterId) trigger.mutate({ cluster_id: clusterId, optimization_type: type, dry_run: dryRun }, { onSuccess: onPlanned });
  };

  return (
    <Paper withBorder p="md" radius="md">
      <form onSubmit={submit} aria-labelledby="trigger-title">
        <Stack gap="sm">
          <Title order={2} size="h4" id="trigger-title">
            Plan an optimization
          </Title>
          <Group align="flex-end" gap="md">
            <ClusterSelect value={clusterId} onChange={setClusterId} required />
            <Stack gap={4}>
              <Text size="sm" fw={500} id="decision-type-label">
                Optimization
              </Text>
              <SegmentedControl data={DECISION_TYPES} value={type} onChange={(v) => setType(v as DecisionType)} aria-labelledby="decision-type-label" />
            </Stack>
            <Switch label="Dry run (preview only, can never run)" checked={dryRun} onChange={(e) => setDryRun(e.currentTarget.checked)} />
            <Button type="submit" loading={trigger.isPending} disabled={!clusterId}>
              Create plan
            </Button>
          </Group>
          <Text size="xs" c="dimmed">
            The ML server decides from the cluster's latest metrics and settings; the plan waits for approval unless the cluster is in automate mode.
          </Text>
          {trigger.isError && <ErrorNotice error={trigger.error} action="Could not plan" />}
        </Stack>
      </form>
    </Paper>
  );
}
