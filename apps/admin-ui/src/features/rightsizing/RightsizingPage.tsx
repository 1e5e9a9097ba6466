/**
 * Rightsizing: per workload and container, the requests the usage history supports, with the confidence of
 * each and the savings of the plan; applying them is approving the plan (the agent patches the workloads).
 */
import { Button, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { usePlan, usePlans, useTriggerOptimization } from '../../api/optimizations.queries.ts';
import type { PlanView } from '../../api/wire-types.ts';
import { Link } from '../../app/router.tsx';
import { useSession } from '../../app/session.tsx';
import { StatusBadge } from '../../components/badges.tsx';
import { ClusterSelect } from '../../components/ClusterSelect.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { dateTime, percent, usdPerMonth } from '../../components/format.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryView } from '../../components/QueryView.tsx';
import { StatCard } from '../../components/StatCard.tsx';
import { ContainerRecommendationsTable, PlanDecisionBar } from '../optimizations/PlanDetail.tsx';
import { latestPlanOf } from './latest-plan.ts';

export function RightsizingPage() {
  const { canWrite } = useSession();
  const [clusterId, setClusterId] = useState<string | null>(null);
  const plans = usePlans({ clusterId, limit: 100, offset: 0 });
  const trigger = useTriggerOptimization();
  const latest = clusterId && plans.data ? latestPlanOf(plans.data.items, 'rightsize') : null;
  const plan = usePlan(latest?.plan_id ?? null);

  return (
    <>
      <PageHeader title="Rightsizing" description="Pod requests sized from their measured usage: less reserved, fewer nodes. Nothing changes until you apply a plan." />
      <Stack gap="lg">
        <Paper withBorder p="md" radius="md">
          <Group align="flex-end">
            <ClusterSelect value={clusterId} onChange={setClusterId} />
            {canWrite && (
              <Button disabled={!clusterId} loading={trigger.isPending} onClick={() => clusterId && trigger.mutate({ cluster_id: clusterId, optimization_type: 'rightsize', dry_run: false })}>
                Compute recommendations
              </Button>
            )}
          </Group>
          {trigger.isError && <ErrorNotice error={trigger.error} action="Could not compute recommendations" />}
        </Paper>
        {!clusterId ? (
          <Text c="dimmed">Choose a cluster to see its rightsizing recommendations.</Text>
        ) : plans.isError ? (
          <ErrorNotice error={plans.error} action="Could not load the plans" />
        ) : latest === null ? (
          <Text c="dimmed">{plans.isPending ? 'Loading…' : 'No rightsizing plan for this cluster yet.'}</Text>
        ) : (
          <QueryView query={plan} what="rightsizing plan">
            {(p) => <RightsizingPlan plan={p} />}
          </QueryView>
        )}
      </Stack>
    </>
  );
}

function RightsizingPlan({ plan }: { plan: PlanView }) {
  const workloads = new Set(plan.container_recommendations.map((c) => `${c.namespace}/${c.owner.kind}/${c.owner.name}`)).size;
  const meanConfidence = plan.container_recommendations.length ? plan.container_recommendations.reduce((s, c) => s + c.confidence, 0) / plan.container_recommendations.length : null;
  return (
    <Paper withBorder p="md" radius="md">
      <Stack gap="md">
        <Group gap="sm">
          <Title order={2} size="h4">
            Recommendations of {dateTime(plan.created_at)}
          </Title>
          <StatusBadge status={plan.status} />
          <Link to={`/optimizations/${plan.plan_id}`} size="sm">
            Full plan
          </Link>
        </Group>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <StatCard label="Estimated savings" value={usdPerMonth(plan.estimated_savings_monthly)} hint="Of the whole plan (the engine does not split it per workload)" tone={plan.estimated_savings_monthly >= 0 ? 'good' : 'bad'} />
          <StatCard label="Workloads" value={workloads} hint={`${plan.container_recommendations.length} containers`} />
          <StatCard label="Mean confidence" value={percent(meanConfidence, 0)} hint="Grows with the length of the usage history" />
        </SimpleGrid>
        {plan.container_recommendations.length === 0 ? <Text>{plan.outcome_reason ?? plan.summary ?? 'Every request already fits its usage.'}</Text> : <ContainerRecommendationsTable plan={plan} />}
        <PlanDecisionBar plan={plan} />
      </Stack>
    </Paper>
  );
}
