/**
 * Optimizations: ask for a plan (any decision type, optionally a dry run), and the history of plans with their
 * estimated and measured savings. A plan opens on its own page for review and approval.
 */
import { Group, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useClusters } from '../../api/clusters.queries.ts';
import { usePlan, usePlans } from '../../api/optimizations.queries.ts';
import type { PlanStatus } from '../../api/wire-types.ts';
import { Link, navigate } from '../../app/router.tsx';
import { useSession } from '../../app/session.tsx';
import { StatusBadge } from '../../components/badges.tsx';
import { ClusterSelect } from '../../components/ClusterSelect.tsx';
import { dateTime, humanize, percent, usdPerMonth } from '../../components/format.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { TotalPager } from '../../components/Pager.tsx';
import { QueryView } from '../../components/QueryView.tsx';
import { PlanDetail } from './PlanDetail.tsx';
import { savingsAccuracy } from './plan-logic.ts';
import { TriggerForm } from './TriggerForm.tsx';

const LIMIT = 20;
const STATUSES: PlanStatus[] = ['proposed', 'approved', 'running', 'succeeded', 'failed', 'rolled_back', 'rejected', 'cancelled'];

export function OptimizationsPage() {
  const { canWrite } = useSession();
  return (
    <>
      <PageHeader title="Optimizations" description="Plans CloudOptim proposed or carried out, why, and what they saved against what they promised." />
      <Stack gap="lg">
        {canWrite && <TriggerForm onPlanned={(plan) => navigate(`/optimizations/${plan.plan_id}`)} />}
        <PlanHistory />
      </Stack>
    </>
  );
}

function PlanHistory() {
  const { customerId } = useSession();
  const [clusterId, setClusterId] = useState<string | null>(null);
  const [status, setStatus] = useState<PlanStatus | null>(null);
  const [offset, setOffset] = useState(0);
  const plans = usePlans({ clusterId, status, limit: LIMIT, offset });
  const clusters = useClusters(customerId);
  const names = new Map((clusters.data ?? []).map((c) => [c.cluster_id, c.cluster_name]));
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h4" mb="sm">
        History
      </Title>
      <Group mb="sm" align="flex-end">
        <ClusterSelect
          value={clusterId}
          onChange={(id) => {
            setClusterId(id);
            setOffset(0);
          }}
          allowAll
        />
        <Select
          label="Status"
          data={[{ value: '', label: 'Any status' }, ...STATUSES.map((s) => ({ value: s, label: humanize(s) }))]}
          value={status ?? ''}
          onChange={(v) => {
            setStatus(v ? (v as PlanStatus) : null);
            setOffset(0);
          }}
          allowDeselect={false}
        />
      </Group>
      <QueryView query={plans} what="plans" isEmpty={(p) => p.items.length === 0} empty="No plans yet.">
        {(page) => {
          // An operator narrowed to one customer sees that customer's plans (the list filters by cluster only).
          const items = customerId === null ? page.items : page.items.filter((p) => p.customer_id === customerId);
          return (
            <>
              <Table.ScrollContainer minWidth={1080}>
                <Table striped highlightOnHover>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Created</Table.Th>
                      <Table.Th scope="col">Cluster</Table.Th>
                      <Table.Th scope="col">Type</Table.Th>
                      <Table.Th scope="col">Status</Table.Th>
                      <Table.Th scope="col">Estimated</Table.Th>
                      <Table.Th scope="col">Actual</Table.Th>
                      <Table.Th scope="col">Actual / est.</Table.Th>
                      <Table.Th scope="col">Summary</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {items.map((p) => (
                      <Table.Tr key={p.plan_id}>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>
                          <Link to={`/optimizations/${p.plan_id}`} aria-label={`Plan of ${dateTime(p.created_at)}`}>
                            {dateTime(p.created_at)}
                          </Link>
                        </Table.Td>
                        <Table.Td>{names.get(p.cluster_id) ?? p.cluster_id.slice(0, 8)}</Table.Td>
                        <Table.Td>
                          {humanize(p.decision_type)}
                          {p.dry_run ? ' (dry run)' : ''}
                        </Table.Td>
                        <Table.Td>
                          <StatusBadge status={p.status} />
                        </Table.Td>
                        <Table.Td>{usdPerMonth(p.estimated_savings_monthly)}</Table.Td>
                        <Table.Td>{p.actual_savings_monthly === null ? 'not yet' : usdPerMonth(p.actual_savings_monthly)}</Table.Td>
                        <Table.Td>{percent(savingsAccuracy(p), 0)}</Table.Td>
                        <Table.Td maw={360}>
                          <Text size="xs" lineClamp={2}>
                            {p.summary}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <TotalPager offset={offset} limit={LIMIT} total={page.total} onChange={setOffset} label="plans" />
            </>
          );
        }}
      </QueryView>
    </Paper>
  );
}

export function PlanPage({ planId }: { planId: string }) {
  const plan = usePlan(planId);
  return (
    <>
      <Link to="/optimizations" size="sm" mb="sm" display="inline-block">
        ← All optimizations
      </Link>
      <QueryView query={plan} what="plan">
        {(p) => <PlanDetail plan={p} />}
      </QueryView>
    </>
  );
}
