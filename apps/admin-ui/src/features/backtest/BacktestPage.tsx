/**
 * Backtest: "what would this cluster have saved" — CloudOptim's strategy and the alternatives replayed on the
 * real Spot price history over a window, compared in a chart (daily cost) and a table. The workload is the
 * cluster's as its latest metrics show it; the window must lie in the history (the regions and dates are shown).
 */
import { Button, Group, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMemo, useState, type FormEvent } from 'react';
import { useClusters } from '../../api/clusters.queries.ts';
import { useBacktest, useBacktestCoverage } from '../../api/ml.queries.ts';
import { useSession } from '../../app/session.tsx';
import { ClusterSelect } from '../../components/ClusterSelect.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { usd } from '../../components/format.ts';
import { LineChart } from '../../components/LineChart.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { backtestCaption, defaultWindow, strategyRows, type StrategyRow } from './backtest-view.ts';

const COLORS = ['#1c7ed6', '#e8590c', '#2f9e44', '#ae3ec9', '#868e96', '#f08c00'];

export function BacktestPage() {
  const backtest = useBacktest();
  const coverage = useBacktestCoverage();
  const regions = coverage.data?.regions ?? [];
  const [clusterId, setClusterId] = useState<string | null>(null);
  const { customerId } = useSession();
  const clusterRegion = useClusters(customerId).data?.find((c) => c.cluster_id === clusterId)?.region;
  // Until the user picks: the cluster's region when it has history (else the first that has), its latest week.
  const [picked, setPicked] = useState<{ region: string | null; from: string; to: string }>({ region: null, from: '', to: '' });
  const region = picked.region ?? regions.find((r) => r.region === clusterRegion)?.region ?? regions[0]?.region ?? null;
  const fallback = region ? defaultWindow(regions, region) : null;
  const from = picked.from || fallback?.from || '';
  const to = picked.to || fallback?.to || '';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (clusterId && from && to) backtest.mutate({ cluster_id: clusterId, ...(region && { region }), from: `${from}T00:00:00Z`, to: `${to}T00:00:00Z` });
  };
  return (
    <>
      <PageHeader title="Backtest" description="What a cluster would have cost over a past window with each strategy, replayed on the real Spot price history." />
      <Stack gap="lg">
        <Paper withBorder p="md" radius="md">
          <form onSubmit={submit} aria-label="Backtest window">
            <Stack gap="xs">
              <Group align="flex-end">
                <ClusterSelect value={clusterId} onChange={setClusterId} required />
                <Select label="Price history" data={regions.map((r) => r.region)} value={region} onChange={(next) => setPicked({ region: next, from: '', to: '' })} allowDeselect={false} placeholder={coverage.isPending ? 'Loading…' : 'The cluster’s region'} w={160} />
                <TextInput label="From" type="date" value={from} onChange={(e) => setPicked({ ...picked, from: e.currentTarget.value })} required />
                <TextInput label="To" type="date" value={to} onChange={(e) => setPicked({ ...picked, to: e.currentTarget.value })} required />
                <Button type="submit" loading={backtest.isPending} disabled={!clusterId}>
                  Run backtest
                </Button>
              </Group>
              {coverage.data && (
                <Text size="xs" c="dimmed">
                  History: {coverage.data.regions.map((r) => `${r.region} ${r.first.slice(0, 10)} … ${r.last.slice(0, 10)}`).join(', ')}; at most {coverage.data.max_days} days per run. The cluster’s workload is read from its latest metrics.
                </Text>
              )}
            </Stack>
          </form>
        </Paper>
        {coverage.isError && <ErrorNotice error={coverage.error} action="Could not load the price history windows" feature="The backtest" />}
        {backtest.isError && <ErrorNotice error={backtest.error} action="Could not run the backtest" feature="The backtest" />}
        {backtest.data && <BacktestResultView caption={backtestCaption(backtest.data)} summary={String((backtest.data.rationale as { summary?: unknown } | undefined)?.summary ?? '')} rows={strategyRows(backtest.data)} />}
      </Stack>
    </>
  );
}

function BacktestResultView({ caption, summary, rows }: { caption: string; summary: string; rows: StrategyRow[] }) {
  const days = Math.max(0, ...rows.map((r) => r.dailyCostUsd.length));
  const x = useMemo(() => Array.from({ length: days }, (_, i) => i + 1), [days]);
  const series = useMemo(() => rows.map((r, i) => ({ label: r.name, color: COLORS[i % COLORS.length]!, values: x.map((_, d) => r.dailyCostUsd[d] ?? null) })), [rows, x]);
  if (rows.length === 0) return <Text c="dimmed">The backtest answered without strategies.</Text>;
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h4">
        Strategies compared
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {caption}
      </Text>
      {days > 0 && <LineChart title="Daily cost per strategy" x={x} xKind="number" formatX={(d) => (Number.isInteger(d) ? `day ${d}` : '')} series={series} formatValue={usd} />}
      <Table.ScrollContainer minWidth={640}>
        <Table striped mt="md">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Strategy</Table.Th>
              <Table.Th scope="col">Cost</Table.Th>
              <Table.Th scope="col">Saving vs on-demand</Table.Th>
              <Table.Th scope="col">Interruptions</Table.Th>
              <Table.Th scope="col">Spot share</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.name}>
                <Table.Td>
                  <Text size="sm">{r.name}</Text>
                  <Text size="xs" c="dimmed">
                    {r.description}
                  </Text>
                </Table.Td>
                <Table.Td>{r.costUsd === null ? '–' : usd(r.costUsd)}</Table.Td>
                <Table.Td>{r.savingsPct === null ? '–' : `${r.savingsPct.toFixed(1)} %`}</Table.Td>
                <Table.Td>{r.interruptions === null ? '–' : r.interruptions.toFixed(1)}</Table.Td>
                <Table.Td>{r.spotSharePct === null ? '–' : `${r.spotSharePct.toFixed(0)} %`}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {summary && (
        <Text size="sm" mt="sm">
          {summary}
        </Text>
      )}
    </Paper>
  );
}
