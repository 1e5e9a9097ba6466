/**
 * Predictions vs actual: is the interruption model calibrated, did plans save what they promised, and do
 * workloads use what rightsizing predicted they need.
 */
import { Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useClusters } from '../../api/clusters.queries.ts';
import { useModels } from '../../api/ml.queries.ts';
import { usePlan, usePlans } from '../../api/optimizations.queries.ts';
import { useSavings } from '../../api/savings.queries.ts';
import { useAllPods } from '../../api/workloads.queries.ts';
import type { ContainerRecommendation } from '@cloudoptim/contracts';
import type { CalibrationBin } from '../../api/wire-types.ts';
import { useSession } from '../../app/session.tsx';
import { ClusterSelect } from '../../components/ClusterSelect.tsx';
import { cores, dateTime, gib, percent, usdPerMonth } from '../../components/format.ts';
import { LineChart } from '../../components/LineChart.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryView } from '../../components/QueryView.tsx';
import { latestPlanOf } from '../rightsizing/latest-plan.ts';
import { activeCalibration, calibrationColumns, workloadUsage } from './predictions-math.ts';

export function PredictionsPage() {
  return (
    <>
      <PageHeader title="Predictions vs actual" description="How the numbers CloudOptim predicted compare with what happened." />
      <Stack gap="lg">
        <Calibration />
        <PlanSavings />
        <WorkloadUsageSection />
      </Stack>
    </>
  );
}

const formatRate = (v: number) => percent(v, 0);

function Calibration() {
  const models = useModels();
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h4" mb="xs">
        Interruption calibration
      </Title>
      <QueryView query={models} what="models" feature="The model registry">
        {(list) => {
          const calibration = activeCalibration(list);
          if (!calibration) return <Text c="dimmed">The serving model ({list.serving_version}) has no held-out evaluation yet: evaluate it on the Models page to see its calibration.</Text>;
          return <CalibrationChart version={calibration.version} bins={calibration.bins} />;
        }}
      </QueryView>
    </Paper>
  );
}

function CalibrationChart({ version, bins }: { version: string; bins: CalibrationBin[] }) {
  const columns = useMemo(() => calibrationColumns(bins), [bins]);
  const series = useMemo(
    () => [
      { label: 'Observed rate', color: '#e8590c', values: columns.observed, pointsOnly: true },
      { label: 'Perfect calibration', color: '#adb5bd', values: columns.ideal, dash: [4, 4] },
    ],
    [columns],
  );
  return (
    <Stack gap="sm">
      <LineChart title={`Predicted probability vs observed interruption rate (model ${version})`} x={columns.x} xKind="number" formatX={formatRate} series={series} formatValue={formatRate} xRange={[0, 1]} yRange={[0, 1]} />
      <Table.ScrollContainer minWidth={480}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Predicted bin</Table.Th>
              <Table.Th scope="col">Samples</Table.Th>
              <Table.Th scope="col">Mean predicted</Table.Th>
              <Table.Th scope="col">Observed</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {bins.map((b) => (
              <Table.Tr key={b.from}>
                <Table.Td>
                  {percent(b.from, 0)}–{percent(b.to, 0)}
                </Table.Td>
                <Table.Td>{b.count}</Table.Td>
                <Table.Td>{percent(b.mean_predicted)}</Table.Td>
                <Table.Td>{percent(b.observed_rate)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Stack>
  );
}

function PlanSavings() {
  const { customerId } = useSession();
  const savings = useSavings({ days: 90, stepSeconds: 86_400 });
  const clusters = useClusters(customerId);
  const names = new Map((clusters.data ?? []).map((c) => [c.cluster_id, c.cluster_name]));
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h4" mb="xs">
        Savings per plan: predicted vs measured
      </Title>
      <QueryView query={savings} what="measured savings" isEmpty={(o) => o.plans.length === 0} empty="No plan's savings have been measured in the last 90 days yet.">
        {(overview) => (
          <Table.ScrollContainer minWidth={560}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Measured</Table.Th>
                  <Table.Th scope="col">Cluster</Table.Th>
                  <Table.Th scope="col">Predicted</Table.Th>
                  <Table.Th scope="col">Actual</Table.Th>
                  <Table.Th scope="col">Actual / predicted</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {overview.plans
                  .filter((p) => customerId === null || names.has(p.cluster_id))
                  .map((p) => (
                    <Table.Tr key={p.plan_id}>
                      <Table.Td>{dateTime(p.measured_at)}</Table.Td>
                      <Table.Td>{names.get(p.cluster_id) ?? p.cluster_id.slice(0, 8)}</Table.Td>
                      <Table.Td>{usdPerMonth(p.predicted_monthly)}</Table.Td>
                      <Table.Td>{usdPerMonth(p.actual_monthly)}</Table.Td>
                      <Table.Td>{p.predicted_monthly === 0 ? '–' : percent(p.actual_monthly / p.predicted_monthly, 0)}</Table.Td>
                    </Table.Tr>
                  ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryView>
    </Paper>
  );
}

function WorkloadUsageSection() {
  const [clusterId, setClusterId] = useState<string | null>(null);
  const pods = useAllPods(clusterId);
  const plans = usePlans({ clusterId, limit: 100, offset: 0 });
  const latest = clusterId && plans.data ? latestPlanOf(plans.data.items, 'rightsize') : null;
  const plan = usePlan(latest?.plan_id ?? null);
  const recommended = new Map<string, ContainerRecommendation>((plan.data?.container_recommendations ?? []).map((c) => [`${c.namespace}/${c.owner.kind}/${c.owner.name}/${c.container_name}`, c]));
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h4" mb="xs">
        Usage per workload: predicted need vs measured
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        “Predicted” is the request the latest rightsizing plan recommends from the usage history; “measured” is the mean usage of the workload's pods in the latest report.
      </Text>
      <ClusterSelect value={clusterId} onChange={setClusterId} />
      {clusterId && (
        <QueryView query={pods} what="pods" isEmpty={(d) => workloadUsage(d.pods).length === 0} empty="No workload pods reported yet.">
          {(data) => (
            <Table.ScrollContainer minWidth={760} mt="sm">
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Workload / container</Table.Th>
                    <Table.Th scope="col">Pods</Table.Th>
                    <Table.Th scope="col">CPU predicted / measured</Table.Th>
                    <Table.Th scope="col">Memory predicted / measured</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {workloadUsage(data.pods).map((w) => {
                    const r = recommended.get(w.key);
                    return (
                      <Table.Tr key={w.key}>
                        <Table.Td>
                          {w.namespace}/{w.kind}/{w.name} · {w.container}
                        </Table.Td>
                        <Table.Td>{w.pods}</Table.Td>
                        <Table.Td>
                          {r ? cores(r.recommended_cpu_request_millicores) : 'no plan'} / {w.cpuUsageMillicores === null ? 'not measured' : cores(Math.round(w.cpuUsageMillicores))}
                        </Table.Td>
                        <Table.Td>
                          {r ? gib(r.recommended_memory_request_bytes) : 'no plan'} / {w.memoryUsageBytes === null ? 'not measured' : gib(w.memoryUsageBytes)}
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryView>
      )}
    </Paper>
  );
}
