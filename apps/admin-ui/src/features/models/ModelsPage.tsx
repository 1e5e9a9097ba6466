/**
 * Models: the interruption-risk model versions with their held-out metrics; operators upload, activate, roll
 * back, evaluate and delete; anyone may test a prediction.
 */
import { Badge, Button, Group, NumberInput, Paper, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useActivateModel, useDeleteModel, useEvaluateModel, useModels, useTestPrediction } from '../../api/ml.queries.ts';
import type { ModelList } from '../../api/wire-types.ts';
import { useSession } from '../../app/session.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { dateTime } from '../../components/format.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryView } from '../../components/QueryView.tsx';
import { heldOutScores } from './model-upload.ts';
import { ModelUpload } from './ModelUpload.tsx';

export function ModelsPage() {
  const { isOperator } = useSession();
  const models = useModels();
  return (
    <>
      <PageHeader title="Models" description="The interruption-risk model that scores Spot pools: its versions, how well each did on held-out data, and which one serves." />
      <Stack gap="lg">
        {isOperator && <ModelUpload />}
        <Paper withBorder p="md" radius="md">
          <QueryView query={models} what="models" feature="The model registry">
            {(list) => <ModelTable list={list} canChange={isOperator} />}
          </QueryView>
        </Paper>
        <TestPrediction />
      </Stack>
    </>
  );
}

function ModelTable({ list, canChange }: { list: ModelList; canChange: boolean }) {
  const activate = useActivateModel();
  const evaluate = useEvaluateModel();
  const remove = useDeleteModel();
  const busy = (m: { isPending: boolean; variables?: string | null | undefined }, v: string | null) => m.isPending && m.variables === v;
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={2} size="h4">
          Versions
        </Title>
        <Text size="sm">
          Serving <strong>{list.serving_version}</strong>
          {list.active_version === null ? ' (no uploaded model active: the day-zero score)' : ''}
        </Text>
      </Group>
      {canChange && (
        <Group>
          <Button variant="default" size="xs" loading={busy(activate, null)} onClick={() => activate.mutate(null)}>
            Roll back to the previous model
          </Button>
        </Group>
      )}
      {[activate, evaluate, remove].map((m, i) => m.isError && <ErrorNotice key={i} error={m.error} action="The model registry refused" />)}
      {list.models.length === 0 ? (
        <Text c="dimmed" size="sm">
          No model uploaded yet.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={820}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Version</Table.Th>
                <Table.Th scope="col">Format</Table.Th>
                <Table.Th scope="col">Status</Table.Th>
                <Table.Th scope="col">Trained until</Table.Th>
                <Table.Th scope="col">Held-out AUC / Brier</Table.Th>
                <Table.Th scope="col">Uploaded</Table.Th>
                {canChange && <Table.Th scope="col">Actions</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.models.map((m) => {
                const scores = heldOutScores(m);
                return (
                  <Table.Tr key={m.version}>
                    <Table.Td>{m.version}</Table.Td>
                    <Table.Td>{m.format}</Table.Td>
                    <Table.Td>
                      <Badge color={m.status === 'active' ? 'teal' : m.status === 'retired' ? 'gray' : 'blue'} variant="light">
                        {m.status}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{m.trained_until ?? '–'}</Table.Td>
                    <Table.Td>{scores && scores.auc !== undefined ? `${scores.auc.toFixed(3)} / ${(scores.brier ?? NaN).toFixed(4)}` : 'not evaluated'}</Table.Td>
                    <Table.Td>{dateTime(m.created_at)}</Table.Td>
                    {canChange && (
                      <Table.Td>
                        <Group gap={4} wrap="nowrap">
                          {m.status !== 'active' && (
                            <Button size="xs" loading={busy(activate, m.version)} onClick={() => activate.mutate(m.version)} aria-label={`Activate ${m.version}`}>
                              Activate
                            </Button>
                          )}
                          <Button size="xs" variant="default" loading={busy(evaluate, m.version)} onClick={() => evaluate.mutate(m.version)} aria-label={`Evaluate ${m.version}`}>
                            Evaluate
                          </Button>
                          {m.status !== 'active' && (
                            <Button size="xs" variant="default" color="red" loading={busy(remove, m.version)} onClick={() => remove.mutate(m.version)} aria-label={`Delete ${m.version}`}>
                              Delete
                            </Button>
                          )}
                        </Group>
                      </Table.Td>
                    )}
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function TestPrediction() {
  const predict = useTestPrediction();
  const [region, setRegion] = useState('us-east-1');
  const [zone, setZone] = useState('us-east-1a');
  const [type, setType] = useState('m5.large');
  const [price, setPrice] = useState<number | string>(0.04);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    predict.mutate({ region, availability_zone: zone, instance_type: type, spot_price: Number(price), launch_time: new Date().toISOString() });
  };
  return (
    <Paper withBorder p="md" radius="md">
      <form onSubmit={submit} aria-labelledby="predict-title">
        <Stack gap="sm">
          <Title order={2} size="h4" id="predict-title">
            Test a prediction
          </Title>
          <Group align="flex-end">
            <TextInput label="Region" value={region} onChange={(e) => setRegion(e.currentTarget.value)} />
            <TextInput label="Availability zone" value={zone} onChange={(e) => setZone(e.currentTarget.value)} />
            <TextInput label="Instance type" value={type} onChange={(e) => setType(e.currentTarget.value)} />
            <NumberInput label="Spot price (USD/h)" value={price} onChange={setPrice} min={0} decimalScale={5} step={0.001} />
            <Button type="submit" loading={predict.isPending}>
              Predict
            </Button>
          </Group>
          {predict.isError && <ErrorNotice error={predict.error} action="Could not predict" feature="Test predictions" />}
          {predict.data && <PredictionResult answer={predict.data} />}
        </Stack>
      </form>
    </Paper>
  );
}

function PredictionResult({ answer }: { answer: Record<string, unknown> }) {
  const p = answer.interruption_probability;
  return (
    <Text size="sm" role="status">
      {typeof p === 'number' ? `Interruption probability ${(p * 100).toFixed(1)} % over ${String(answer.horizon_hours)} h` : 'Answer:'} · recommendation {String(answer.recommendation ?? '–')} · model {String(answer.model_version ?? '–')}
    </Text>
  );
}
