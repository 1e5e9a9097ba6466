/**
 * A plan as a person reviews it: what it would do (steps), why (rationale factors, data sources, risk), what it
 * chose (pools or container requests) and what it weighed against, what it should save — and approve or
 * reject it.
 */
import { Alert, Badge, Button, Code, Group, List, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { usePlanDecision } from '../../api/optimizations.queries.ts';
import type { PlanView } from '../../api/wire-types.ts';
import { useSession } from '../../app/session.tsx';
import { CapacityBadge, StatusBadge } from '../../components/badges.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { cores, dateTime, gib, humanize, percent, usdPerHour, usdPerMonth } from '../../components/format.ts';
import { StatCard } from '../../components/StatCard.tsx';
import { alternativesOf, planActions } from './plan-logic.ts';

export function PlanDetail({ plan }: { plan: PlanView }) {
  return (
    <Stack gap="md" data-testid="plan-detail">
      <Group gap="sm">
        <Title order={2} size="h3">
          {humanize(plan.decision_type)} plan
        </Title>
        <StatusBadge status={plan.status} />
        {plan.dry_run && <Badge variant="outline">dry run (preview only)</Badge>}
        <Badge variant="light" color={plan.outcome === 'planned' ? 'blue' : 'gray'}>
          {humanize(plan.outcome)}
        </Badge>
      </Group>
      <Text>{plan.summary || plan.outcome_reason || 'No summary.'}</Text>
      <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
        <StatCard label="Estimated savings" value={usdPerMonth(plan.estimated_savings_monthly)} tone={plan.estimated_savings_monthly >= 0 ? 'good' : 'bad'} />
        <StatCard label="Actual savings" value={plan.actual_savings_monthly === null ? 'not measured yet' : usdPerMonth(plan.actual_savings_monthly)} />
        <StatCard label="Confidence" value={percent(plan.confidence_score, 0)} />
        <StatCard label="Risk" value={`${plan.risk_assessment.risk_level} (${plan.risk_assessment.risk_score.toFixed(2)})`} hint={plan.risk_assessment.expected_interruptions_per_month === null ? undefined : `${plan.risk_assessment.expected_interruptions_per_month.toFixed(2)} interruptions / month expected`} tone={plan.risk_assessment.risk_level === 'high' ? 'bad' : 'default'} />
      </SimpleGrid>
      <PlanDecisionBar plan={plan} />
      {plan.error && <Alert color="red" title="The plan failed">{plan.error}</Alert>}
      <Section title="Steps">
        {plan.steps.length === 0 ? (
          <Text size="sm" c="dimmed">
            No steps: {plan.outcome_reason ?? 'nothing to do.'}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={640}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">#</Table.Th>
                  <Table.Th scope="col">Action</Table.Th>
                  <Table.Th scope="col">After</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {plan.steps.map((s) => (
                  <Table.Tr key={s.step}>
                    <Table.Td>{s.step}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{s.description ?? humanize(s.action)}</Text>
                      <Text size="xs" c="dimmed">
                        {s.action}
                        {s.not_before ? ` · not before ${dateTime(s.not_before)}` : ''}
                      </Text>
                      {s.error && (
                        <Text size="xs" c="red.8">
                          {s.error}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{s.depends_on.length ? s.depends_on.join(', ') : '–'}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={s.status} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Section>
      <Section title="Rationale">
        <Text size="sm" mb="xs">
          {plan.rationale.summary}
        </Text>
        {plan.rationale.factors.length > 0 && (
          <Table.ScrollContainer minWidth={480}>
            <Table>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Factor</Table.Th>
                  <Table.Th scope="col">Value</Table.Th>
                  <Table.Th scope="col">Weight</Table.Th>
                  <Table.Th scope="col">Contribution</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {plan.rationale.factors.map((f) => (
                  <Table.Tr key={f.name}>
                    <Table.Td>{humanize(f.name)}</Table.Td>
                    <Table.Td>{String(f.value)}</Table.Td>
                    <Table.Td>{f.weight ?? '–'}</Table.Td>
                    <Table.Td>{f.contribution ?? '–'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {plan.rationale.data_sources.length > 0 && (
          <Text size="xs" c="dimmed" mt="xs">
            Data: {plan.rationale.data_sources.map((d) => `${d.name} as of ${dateTime(d.as_of)}`).join(' · ')}
          </Text>
        )}
        {plan.risk_assessment.factors.length > 0 && (
          <List size="sm" mt="xs">
            {plan.risk_assessment.factors.map((f, i) => (
              <List.Item key={i}>{f}</List.Item>
            ))}
          </List>
        )}
      </Section>
      {plan.recommendations.length > 0 && <PoolsSection plan={plan} />}
      {plan.container_recommendations.length > 0 && <ContainersSection plan={plan} />}
      <AlternativesSection plan={plan} />
      <Text size="xs" c="dimmed">
        Plan {plan.plan_id} · created {dateTime(plan.created_at)} by {plan.created_by}
        {plan.approved_by ? ` · approved by ${plan.approved_by} ${dateTime(plan.approved_at)}` : ''} · engine {String(plan.engine.engine_version ?? '?')}, model {String(plan.engine.model_version ?? 'none')}
      </Text>
    </Stack>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={title}>
      <Title order={3} size="h5" mb="xs">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

export function PlanDecisionBar({ plan }: { plan: PlanView }) {
  const { canWrite } = useSession();
  const decide = usePlanDecision();
  const [reason, setReason] = useState('');
  const actions = planActions(plan, canWrite);
  if (!actions.approve && !actions.reject) {
    if (plan.status === 'proposed' && !canWrite) return <Text size="sm" c="dimmed">An admin can approve or reject this plan.</Text>;
    return null;
  }
  return (
    <Paper withBorder p="md" radius="md" bg="blue.0">
      <Stack gap="xs">
        <Text size="sm" fw={600}>
          This plan waits for a decision. Approving it lets the executor carry out the plan's steps, in order.
        </Text>
        <Group align="flex-end">
          {actions.approve && (
            <Button color="teal" loading={decide.isPending && decide.variables?.decision === 'approve'} onClick={() => decide.mutate({ planId: plan.plan_id, decision: 'approve' })}>
              Approve plan
            </Button>
          )}
          <TextInput label="Reason for rejecting (optional)" value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={1000} miw={240} />
          <Button variant="default" color="red" loading={decide.isPending && decide.variables?.decision === 'reject'} onClick={() => decide.mutate({ planId: plan.plan_id, decision: 'reject', ...(reason.trim() && { reason: reason.trim() }) })}>
            Reject plan
          </Button>
        </Group>
        {decide.isError && <ErrorNotice error={decide.error} action="Could not record the decision" />}
      </Stack>
    </Paper>
  );
}

function PoolsSection({ plan }: { plan: PlanView }) {
  return (
    <Section title="Chosen capacity">
      <Table.ScrollContainer minWidth={760}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Instance type</Table.Th>
              <Table.Th scope="col">Zone</Table.Th>
              <Table.Th scope="col">Capacity</Table.Th>
              <Table.Th scope="col">Nodes</Table.Th>
              <Table.Th scope="col">Price / node</Table.Th>
              <Table.Th scope="col">Risk</Table.Th>
              <Table.Th scope="col">Savings</Table.Th>
              <Table.Th scope="col">Why</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {plan.recommendations.map((r, i) => (
              <Table.Tr key={i}>
                <Table.Td>{r.instance_type}</Table.Td>
                <Table.Td>{r.availability_zone}</Table.Td>
                <Table.Td>
                  <CapacityBadge type={r.capacity_type} />
                </Table.Td>
                <Table.Td>{r.node_count}</Table.Td>
                <Table.Td>{usdPerHour(r.hourly_price)}</Table.Td>
                <Table.Td>
                  {r.risk_score.toFixed(2)}
                  {r.interruption_probability !== null && r.interruption_probability !== undefined ? ` (${percent(r.interruption_probability)} interruption)` : ''}
                </Table.Td>
                <Table.Td>{usdPerMonth(r.monthly_savings)}</Table.Td>
                <Table.Td>
                  <Text size="xs">{r.rationale?.summary ?? '–'}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Section>
  );
}

function ContainersSection({ plan }: { plan: PlanView }) {
  return (
    <Section title="Container requests">
      <ContainerRecommendationsTable plan={plan} />
    </Section>
  );
}

/** Rightsizing recommendations per container: current vs recommended requests, with confidence. */
export function ContainerRecommendationsTable({ plan }: { plan: Pick<PlanView, 'container_recommendations'> }) {
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Workload</Table.Th>
            <Table.Th scope="col">Container</Table.Th>
            <Table.Th scope="col">CPU request</Table.Th>
            <Table.Th scope="col">Memory request</Table.Th>
            <Table.Th scope="col">Confidence</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {plan.container_recommendations.map((c, i) => (
            <Table.Tr key={i}>
              <Table.Td>
                {c.namespace}/{c.owner.kind}/{c.owner.name}
              </Table.Td>
              <Table.Td>{c.container_name}</Table.Td>
              <Table.Td>
                {cores(c.current_cpu_request_millicores)} → <strong>{cores(c.recommended_cpu_request_millicores)}</strong>
              </Table.Td>
              <Table.Td>
                {gib(c.current_memory_request_bytes)} → <strong>{gib(c.recommended_memory_request_bytes)}</strong>
              </Table.Td>
              <Table.Td>{percent(c.confidence, 0)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function AlternativesSection({ plan }: { plan: PlanView }) {
  const alternatives = alternativesOf(plan.engine);
  const eligible = plan.rationale.factors.find((f) => f.name === 'pools_eligible');
  return (
    <Section title="Alternatives considered">
      {alternatives.length > 0 ? (
        <List size="sm">
          {alternatives.slice(0, 20).map((a, i) => (
            <List.Item key={i}>
              <Code>{JSON.stringify(a)}</Code>
            </List.Item>
          ))}
        </List>
      ) : (
        <Text size="sm" c="dimmed">
          {eligible ? `The engine weighed ${String(eligible.value)} eligible pools and chose the ones above; ` : ''}it reported no rejected alternatives for this plan.
        </Text>
      )}
    </Section>
  );
}
