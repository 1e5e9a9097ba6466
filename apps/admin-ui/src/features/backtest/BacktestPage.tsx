/**
 * Backtest: "what would this cluster have saved" — CloudOptim's strategy and the alternatives replayed on the
 * real Spot price history over a window, compared in a chart (daily cost) and a table.
 */
import { Button, Group, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMemo, useState, type FormEvent } from 'react';
import { useBacktest } from '../../api/ml.queries.ts';
import { ClusterSelect } from '../../components/ClusterSelect.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { usd } from '../../components/format.ts';
import { LineChart } from '../../components/LineChart.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { strategyRows, type StrategyRow } from './backtest-view.ts';

const COLORS = ['#1c7ed6', '#e8590c', '#2f9e44', '#ae3ec9', '#868e96', '#f08c00'];
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function BacktestPage() {
  const backtest = useBacktest();
  const [clusterId, setClusterId] = useState<string | null>(null);
  const [from, setFrom] = useState(() => isoDay(Date.now() - 30 * 86_400_000));
  const [to, setTo] = useState(() => isoDay(Date.now()));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (clusterId) backtest.mutate({ cluster_id: clusterId, from: `${from}T00:00:00Z`, to: `${to}T00:00:00Z` });
  };
  return (
    <>
      <PageHeader title="Backtest" description="What a cluster would have cost over a past window with each strategy, replayed on the real Spot price history." />
      <Stack gap="lg">
        <Paper withBorder p="md" radius="md">
          <form onSubmit={submit} aria-label="Backtest window">
            <Group align="flex-end">
              <ClusterSelect value={clusterId} onChange={setClusterId} required />
              <TextInput label="From" type="date" value={from} onChange={(e) => setFrom(e.currentTarget.value)} required />
              <TextInput label="To" type="date" value={to} onChange={(e) => setTo(e.currentTarget.value)} required />
              <Button type="submit" loading={backtest.isPending} disabled={!clusterId}>
                Run backtest
              </Button>
            </Group>
          </form>
        </Paper>
        {backtest.isError && <ErrorNotice error={backtest.error} action="Could not run the backtest" feature="The backtest" />}
        {backtest.data && <BacktestResultView rows={strategyRows(backtest.data)} />}
      </Stack>
    </>
  );
}

function BacktestResultView({ rows }: { rows: StrategyRow[] }) {
  const days = Math.max(0, ...rows.map((r) => r.dailyCostUsd.length));
  const x = useMemo(() => Array.from({ length: days }, (_, i) => i + 1), [days]);
  const series = useMemo(() => rows.map((r, i) => ({ label: r.name, color: COLORS[i % COLORS.length]!, values: x.map((_, d) => r.dailyCostUsd[d] ?? null) })), [rows, x]);
  if (rows.length === 0) return <Text c="dimmed">The backtest answered without strategies.</Text>;
  return (
    <Paper withBorder p="md" radius="md">
      <Title order={2} size="h4" mb="sm">
        Strategies compared
      </Title>
      {days > 0 && <LineChart title="Daily cost per strategy" x={x} xKind="number" formatX={(d) => `day ${d}`} series={series} formatValue={usd} />}
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
    </Paper>
  );
}
