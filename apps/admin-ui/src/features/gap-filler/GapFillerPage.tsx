/**
 * Gap filler: since the active model's training date (and at least the required lookback), which Spot price
 * series miss days; "fill" fetches the missing ranges from EC2 with live progress and the records filled.
 */
import { Alert, Badge, Button, Group, NumberInput, Paper, Progress, SimpleGrid, Stack, Table, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useFillGaps, useGapAnalysis, useGapJob, useGapJobs, useModels, type GapScope } from '../../api/ml.queries.ts';
import type { GapAnalysis, GapFillJob } from '../../api/wire-types.ts';
import { useSession } from '../../app/session.tsx';
import { StatusBadge } from '../../components/badges.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { dateTime } from '../../components/format.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ListPager, pageOf } from '../../components/Pager.tsx';
import { QueryView } from '../../components/QueryView.tsx';
import { StatCard } from '../../components/StatCard.tsx';

/** The date of an ISO timestamp (ranges are whole days). */
const day = (iso: string) => iso.slice(0, 10);

/** The spec's floor: the filler always covers at least the last 15 days. */
export const MIN_LOOKBACK_DAYS = 15;

export function GapFillerPage() {
  const { isOperator } = useSession();
  const models = useModels();
  const analysis = useGapAnalysis();
  const fill = useFillGaps();
  const [region, setRegion] = useState('us-east-1');
  const [types, setTypes] = useState<string[]>([]);
  const [zones, setZones] = useState<string[]>([]);
  const [lookback, setLookback] = useState<number>(MIN_LOOKBACK_DAYS);
  const scope: GapScope = { region: region.trim(), ...(types.length && { instance_types: types }), ...(zones.length && { availability_zones: zones }), lookback_days: lookback };
  const active = models.data?.models.find((m) => m.status === 'active') ?? null;

  const analyze = (event: FormEvent) => {
    event.preventDefault();
    analysis.mutate(scope);
  };

  return (
    <>
      <PageHeader title="Gap filler" description="Spot price history the model needs but the store lacks, and filling it from EC2 DescribeSpotPriceHistory." />
      <Stack gap="lg">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <StatCard label="Active model" value={models.data ? (active?.version ?? models.data.serving_version) : models.isError ? 'unavailable' : '…'} />
          <StatCard label="Training date" value={active?.trained_until ?? (analysis.data?.window.trained_until ?? 'unknown')} hint="The last day its training data covers" />
          <StatCard label="Required lookback" value={`${Math.max(lookback, MIN_LOOKBACK_DAYS)} days at least`} hint="From the training date, or this many days back if later" />
        </SimpleGrid>
        <Paper withBorder p="md" radius="md">
          <form onSubmit={analyze} aria-labelledby="scope-title">
            <Stack gap="sm">
              <Title order={2} size="h4" id="scope-title">
                Which series
              </Title>
              <Group align="flex-end">
                <TextInput label="Region" required value={region} onChange={(e) => setRegion(e.currentTarget.value)} />
                <TagsInput label="Instance types" description="Empty: every type" value={types} onChange={setTypes} maw={320} />
                <TagsInput label="Zones" description="Empty: every zone" value={zones} onChange={setZones} maw={320} />
                <NumberInput label="Lookback (days)" min={1} max={365} value={lookback} onChange={(v) => setLookback(typeof v === 'number' ? v : MIN_LOOKBACK_DAYS)} w={140} />
              </Group>
              <Group>
                <Button type="submit" loading={analysis.isPending} disabled={!region.trim()}>
                  Find gaps
                </Button>
                {isOperator && (
                  <Button variant="filled" color="teal" loading={fill.isPending} disabled={!region.trim()} onClick={() => fill.mutate(scope)}>
                    Fill gaps
                  </Button>
                )}
              </Group>
              {analysis.isError && <ErrorNotice error={analysis.error} action="Could not analyse the gaps" feature="The gap filler" />}
              {fill.isError && <ErrorNotice error={fill.error} action="Could not start filling" feature="The gap filler" />}
            </Stack>
          </form>
        </Paper>
        {fill.data && <JobProgress jobId={fill.data.job_id} />}
        {analysis.data && <GapTable analysis={analysis.data} />}
        <RecentJobs />
      </Stack>
    </>
  );
}

function JobProgress({ jobId }: { jobId: string }) {
  const job = useGapJob(jobId);
  return (
    <Paper withBorder p="md" radius="md" aria-live="polite">
      <QueryView query={job} what="gap-fill job">
        {(j) => <JobProgressView job={j} />}
      </QueryView>
    </Paper>
  );
}

export function JobProgressView({ job }: { job: GapFillJob }) {
  const pct = Math.round(job.progress * 100);
  return (
    <Stack gap="xs" data-testid="gap-job">
      <Group justify="space-between">
        <Text fw={600}>Filling gaps</Text>
        <StatusBadge status={job.status} />
      </Group>
      <Progress value={pct} aria-label={`Gap fill ${pct} % done`} animated={job.status === 'running'} />
      <Text size="sm">
        {job.series_done} of {job.series_total} series done · <strong>{job.records_filled.toLocaleString('en-US')} records filled</strong> · {pct} %
      </Text>
      {job.error && (
        <Alert color="red" title="The job failed">
          {job.error}
        </Alert>
      )}
    </Stack>
  );
}

const PAGE = 25;

function GapTable({ analysis }: { analysis: GapAnalysis }) {
  const [page, setPage] = useState(1);
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h4">
        Gaps in {analysis.region}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {day(analysis.window.from)} to {day(analysis.window.to)} ({analysis.window.lookback_days} days at least; model {analysis.window.model_version ?? 'none'}, trained until {analysis.window.trained_until ?? 'unknown'}) · {analysis.series_with_gaps} of {analysis.series_total} series miss {analysis.missing_days} days
        {analysis.fetchable_missing_days !== undefined ? `, ${analysis.fetchable_missing_days} of them fetchable (EC2 keeps 90 days)` : ''}.
      </Text>
      {analysis.series.length === 0 ? (
        <Text size="sm">No gaps: every series is complete.</Text>
      ) : (
        <>
          <Table.ScrollContainer minWidth={620}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Zone</Table.Th>
                  <Table.Th scope="col">Instance type</Table.Th>
                  <Table.Th scope="col">Covered days</Table.Th>
                  <Table.Th scope="col">Missing days</Table.Th>
                  <Table.Th scope="col">Missing ranges</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {pageOf(analysis.series, page, PAGE).map((s) => (
                  <Table.Tr key={`${s.availability_zone}/${s.instance_type}`}>
                    <Table.Td>{s.availability_zone}</Table.Td>
                    <Table.Td>{s.instance_type}</Table.Td>
                    <Table.Td>{s.covered_days}</Table.Td>
                    <Table.Td>{s.missing_days}</Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {s.ranges.map((r) => (
                          <Badge key={r.from} variant="light" color={r.fetchable ? 'blue' : 'gray'} title={r.fetchable ? 'EC2 still has this range' : 'Older than EC2 keeps'}>
                            {day(r.from)} → {day(r.to)} ({r.days} d)
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <ListPager page={page} size={PAGE} total={analysis.series.length} onChange={setPage} label="Gap series" />
        </>
      )}
    </Paper>
  );
}

function RecentJobs() {
  const jobs = useGapJobs();
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h4" mb="sm">
        Recent fill jobs
      </Title>
      <QueryView query={jobs} what="gap-fill jobs" feature="The gap filler" isEmpty={(j) => j.length === 0} empty="No fill job has run yet.">
        {(list) => (
          <Table.ScrollContainer minWidth={560}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Started</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Series</Table.Th>
                  <Table.Th scope="col">Records filled</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((j) => (
                  <Table.Tr key={j.job_id}>
                    <Table.Td>{dateTime(j.created_at ?? null)}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={j.status} />
                    </Table.Td>
                    <Table.Td>
                      {j.series_done} / {j.series_total}
                    </Table.Td>
                    <Table.Td>{j.records_filled.toLocaleString('en-US')}</Table.Td>
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
