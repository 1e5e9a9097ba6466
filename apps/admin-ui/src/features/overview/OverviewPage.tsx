/**
 * Overview: what the clusters cost now against the on-demand baseline, what that saves (now, projected per
 * month, cumulative), the 7-day trend, the Spot / on-demand mix, and every cluster's health and last contact.
 * "Now" figures move live with the admin stream.
 */
import { Grid, Group, Paper, Progress, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import { useClusters } from '../../api/clusters.queries.ts';
import { useSavings } from '../../api/savings.queries.ts';
import type { ClusterSummary } from '../../api/wire-types.ts';
import { Link } from '../../app/router.tsx';
import { useSession } from '../../app/session.tsx';
import { HealthBadge } from '../../components/badges.tsx';
import { percent, relativeTime, usd, usdPerHour, usdPerMonth } from '../../components/format.ts';
import { LineChart } from '../../components/LineChart.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryView } from '../../components/QueryView.tsx';
import { StatCard } from '../../components/StatCard.tsx';
import { useNow } from '../../components/use-now.ts';
import { lastContact, liveTotals, savingsHistory, trendColumns, type LiveTotals } from './overview-math.ts';

export function OverviewPage() {
  const { customerId } = useSession();
  const clusters = useClusters(customerId);
  return (
    <>
      <PageHeader title="Overview" description="Live cost against the on-demand baseline, and what CloudOptim saves." />
      <QueryView query={clusters} what="clusters" isEmpty={(list) => list.length === 0} empty={<>No clusters yet. <Link to="/clusters?register=1">Register your first cluster</Link> to see its cost and savings.</>}>
        {(list) => <OverviewBody clusters={list} customerId={customerId} />}
      </QueryView>
    </>
  );
}

function OverviewBody({ clusters, customerId }: { clusters: ClusterSummary[]; customerId: string | null }) {
  const totals = liveTotals(clusters);
  return (
    <Stack gap="lg">
      <SimpleGrid cols={{ base: 1, xs: 2, lg: 4 }}>
        <StatCard label="Cost now" value={usdPerHour(totals.costPerHour)} hint={`On-demand baseline ${usdPerHour(totals.baselinePerHour)}`} />
        <StatCard label="Savings now" value={percent(totals.savingsFraction)} hint={`${usdPerHour(totals.savingsPerHour)} below the baseline`} tone={totals.savingsPerHour >= 0 ? 'good' : 'bad'} />
        <StatCard label="Projected monthly savings" value={usdPerMonth(totals.projectedMonthlySavings)} hint="At the current rate, 730 h a month" tone={totals.projectedMonthlySavings >= 0 ? 'good' : 'bad'} />
        <CumulativeCard customerId={customerId} />
      </SimpleGrid>
      <Grid>
        <Grid.Col span={{ base: 12, md: 8 }} miw={0}>
          <Paper withBorder p="md" radius="md" h="100%">
            <TrendChart customerId={customerId} />
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }} miw={0}>
          <Paper withBorder p="md" radius="md" h="100%">
            <CapacityMix totals={totals} />
          </Paper>
        </Grid.Col>
      </Grid>
      <Paper withBorder p="md" radius="md">
        <Title order={2} size="h4" mb="sm">
          Clusters
        </Title>
        <ClusterHealthTable clusters={clusters} />
      </Paper>
    </Stack>
  );
}

function CumulativeCard({ customerId }: { customerId: string | null }) {
  const savings = useSavings({ days: 7, stepSeconds: 3600 });
  const value = savings.data ? usd(savingsHistory(savings.data, customerId).cumulativeSavings) : savings.isError ? 'unavailable' : '…';
  return <StatCard label="Cumulative savings" value={value} hint="Measured against on-demand since onboarding" />;
}

const formatRate = (v: number) => usdPerHour(v);

function TrendChart({ customerId }: { customerId: string | null }) {
  const savings = useSavings({ days: 7, stepSeconds: 3600 });
  return (
    <QueryView query={savings} what="savings trend" isEmpty={(o) => savingsHistory(o, customerId).series.every((p) => p.covered_hours === 0)} empty="No cost samples in the last 7 days yet: the trend starts with the first hourly sample.">
      {(overview) => <Trend series={savingsHistory(overview, customerId).series} />}
    </QueryView>
  );
}

function Trend({ series }: { series: ReturnType<typeof savingsHistory>['series'] }) {
  const columns = useMemo(() => trendColumns(series), [series]);
  const lines = useMemo(
    () => [
      { label: 'Cost', color: '#1c7ed6', values: columns.cost },
      { label: 'On-demand baseline', color: '#868e96', values: columns.baseline, dash: [6, 4] },
    ],
    [columns],
  );
  return <LineChart title="Cost per hour, last 7 days" x={columns.x} series={lines} formatValue={formatRate} />;
}

function CapacityMix({ totals }: { totals: LiveTotals }) {
  const share = (n: number) => (totals.totalNodes > 0 ? (n / totals.totalNodes) * 100 : 0);
  return (
    <Stack gap="xs">
      <Title order={2} size="h4">
        Spot / on-demand mix
      </Title>
      <Progress.Root size="xl" aria-hidden>
        <Progress.Section value={share(totals.spotNodes)} color="grape" />
        <Progress.Section value={share(totals.onDemandNodes)} color="blue" />
        <Progress.Section value={share(totals.otherNodes)} color="gray" />
      </Progress.Root>
      <Group gap="lg" data-testid="capacity-mix">
        <Text size="sm">
          <Text span c="grape.8" fw={700}>
            {totals.spotNodes}
          </Text>{' '}
          Spot ({share(totals.spotNodes).toFixed(0)} %)
        </Text>
        <Text size="sm">
          <Text span c="blue.8" fw={700}>
            {totals.onDemandNodes}
          </Text>{' '}
          on-demand ({share(totals.onDemandNodes).toFixed(0)} %)
        </Text>
        {totals.otherNodes > 0 && <Text size="sm">{totals.otherNodes} unknown</Text>}
      </Group>
      <Text size="xs" c="dimmed">
        {totals.totalNodes} nodes over every cluster.
      </Text>
    </Stack>
  );
}

function ClusterHealthTable({ clusters }: { clusters: ClusterSummary[] }) {
  const now = useNow();
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Cluster</Table.Th>
            <Table.Th scope="col">Health</Table.Th>
            <Table.Th scope="col">Nodes (Spot)</Table.Th>
            <Table.Th scope="col">Cost / h</Table.Th>
            <Table.Th scope="col">Saving</Table.Th>
            <Table.Th scope="col">Last contact</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {clusters.map((c) => {
            const t = liveTotals([c]);
            return (
              <Table.Tr key={c.cluster_id}>
                <Table.Td>
                  <Link to={`/clusters/${c.cluster_id}`}>{c.cluster_name}</Link>
                  <Text size="xs" c="dimmed">
                    {c.region}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <HealthBadge status={c.health_status} />
                </Table.Td>
                <Table.Td>
                  {c.total_nodes} ({c.spot_nodes})
                </Table.Td>
                <Table.Td>{usdPerHour(c.current_cost_per_hour)}</Table.Td>
                <Table.Td>{percent(t.savingsFraction)}</Table.Td>
                <Table.Td>{relativeTime(lastContact(c), now)}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
