/** The cluster's tasks for its agent, newest first, with their result; admins cancel unfinished ones. */
import { Button, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { PAGE_SIZE, useCancelTask, useClusterTasks } from '../../api/clusters.queries.ts';
import type { AdminTask } from '../../api/wire-types.ts';
import { useSession } from '../../app/session.tsx';
import { StatusBadge } from '../../components/badges.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { dateTime, humanize } from '../../components/format.ts';
import { OffsetPager } from '../../components/Pager.tsx';
import { QueryView } from '../../components/QueryView.tsx';

const UNFINISHED = new Set(['pending', 'leased', 'running']);

export function TasksTab({ clusterId }: { clusterId: string }) {
  const [offset, setOffset] = useState(0);
  const tasks = useClusterTasks(clusterId, offset);
  const cancel = useCancelTask(clusterId);
  const { canWrite } = useSession();
  return (
    <QueryView query={tasks} what="tasks" isEmpty={(d) => d.tasks.length === 0 && offset === 0} empty="No tasks yet: plans and the spot handler send them to the agent.">
      {(data) => (
        <>
          {cancel.isError && <ErrorNotice error={cancel.error} action="Could not cancel the task" />}
          <Table.ScrollContainer minWidth={820}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Task</Table.Th>
                  <Table.Th scope="col">Status</Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                  <Table.Th scope="col">Attempts</Table.Th>
                  <Table.Th scope="col">Result</Table.Th>
                  {canWrite && <Table.Th scope="col">Action</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.tasks.map((t) => (
                  <Table.Tr key={t.task.task_id}>
                    <Table.Td>
                      <Text size="sm">{humanize(t.task.task_type)}</Text>
                      <Text size="xs" c="dimmed">
                        {t.urgent ? 'urgent · ' : ''}priority {t.task.priority} · by {t.task.created_by}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <StatusBadge status={t.status} />
                    </Table.Td>
                    <Table.Td>{dateTime(t.task.created_at)}</Table.Td>
                    <Table.Td>
                      {t.attempts} / {t.max_attempts}
                    </Table.Td>
                    <Table.Td>{resultText(t)}</Table.Td>
                    {canWrite && (
                      <Table.Td>
                        {UNFINISHED.has(t.status) && (
                          <Button size="xs" variant="default" loading={cancel.isPending && cancel.variables === t.task.task_id} onClick={() => cancel.mutate(t.task.task_id)}>
                            Cancel
                          </Button>
                        )}
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <OffsetPager offset={offset} limit={PAGE_SIZE} count={data.tasks.length} nextOffset={data.next_offset} onChange={setOffset} label="Tasks" />
        </>
      )}
    </QueryView>
  );
}

function resultText(t: AdminTask): string {
  if (t.cancel_reason) return `Cancelled: ${t.cancel_reason}`;
  if (!t.result) return t.lease_owner ? `Leased by ${t.lease_owner}` : '–';
  return `${t.result.status} in ${t.result.duration_seconds.toFixed(1)} s${t.result.error ? `: ${t.result.error}` : ''}`;
}
