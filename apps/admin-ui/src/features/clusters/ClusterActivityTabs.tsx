/** The cluster's pods, pending pods (with the scheduler's reasons) and Kubernetes events, each paged. */
import { Badge, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { PAGE_SIZE, useClusterEvents, useClusterPods } from '../../api/clusters.queries.ts';
import { cores, dateTime, gib, humanize } from '../../components/format.ts';
import { OffsetPager } from '../../components/Pager.tsx';
import { QueryView } from '../../components/QueryView.tsx';

export function PendingPodsTab({ clusterId, pendingCount }: { clusterId: string; pendingCount: number }) {
  const [offset, setOffset] = useState(0);
  const events = useClusterEvents(clusterId, offset, 'pod_unschedulable');
  return (
    <>
      <Text size="sm" mb="sm">
        {pendingCount === 0 ? 'No pod is pending now.' : `${pendingCount} pod(s) pending now.`} Below: the scheduler's latest reasons for pods it could not place.
      </Text>
      <QueryView query={events} what="unschedulable pod events" isEmpty={(d) => d.events.length === 0} empty="The scheduler reported no unschedulable pod.">
        {(data) => (
          <>
            <Table.ScrollContainer minWidth={700}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">When</Table.Th>
                    <Table.Th scope="col">Pod</Table.Th>
                    <Table.Th scope="col">Reason</Table.Th>
                    <Table.Th scope="col">Scheduler message</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.events.map((e) => (
                    <Table.Tr key={e.event_id}>
                      <Table.Td>{dateTime(e.occurred_at)}</Table.Td>
                      <Table.Td>
                        {e.namespace}/{e.pod_name}
                      </Table.Td>
                      <Table.Td>{e.reason ?? '–'}</Table.Td>
                      <Table.Td>{e.message ?? '–'}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <OffsetPager offset={offset} limit={PAGE_SIZE} count={data.events.length} nextOffset={data.next_offset} onChange={setOffset} label="Pending pods" />
          </>
        )}
      </QueryView>
    </>
  );
}

const PHASE_COLORS: Record<string, string> = { Running: 'teal', Pending: 'orange', Failed: 'red', Succeeded: 'gray', Unknown: 'gray' };

export function PodsTab({ clusterId }: { clusterId: string }) {
  const [offset, setOffset] = useState(0);
  const pods = useClusterPods(clusterId, offset);
  return (
    <QueryView query={pods} what="pods" isEmpty={(d) => d.pods.length === 0 && offset === 0} empty="No pods reported yet.">
      {(data) => (
        <>
          <Table.ScrollContainer minWidth={860}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Pod</Table.Th>
                  <Table.Th scope="col">Owner</Table.Th>
                  <Table.Th scope="col">Node</Table.Th>
                  <Table.Th scope="col">Phase</Table.Th>
                  <Table.Th scope="col">CPU req / used</Table.Th>
                  <Table.Th scope="col">Memory req / used</Table.Th>
                  <Table.Th scope="col">Restarts</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.pods.map((p) => (
                  <Table.Tr key={`${p.namespace}/${p.pod_name}`}>
                    <Table.Td>
                      {p.namespace}/{p.pod_name}
                    </Table.Td>
                    <Table.Td>{p.owner ? `${p.owner.kind}/${p.owner.name}` : '–'}</Table.Td>
                    <Table.Td>{p.node_name ?? 'unscheduled'}</Table.Td>
                    <Table.Td>
                      <Badge color={PHASE_COLORS[p.phase] ?? 'gray'} variant="light">
                        {p.phase}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {cores(p.cpu_request_millicores)} / {p.cpu_usage_millicores === null ? '–' : cores(p.cpu_usage_millicores)}
                    </Table.Td>
                    <Table.Td>
                      {gib(p.memory_request_bytes)} / {p.memory_usage_bytes === null ? '–' : gib(p.memory_usage_bytes)}
                    </Table.Td>
                    <Table.Td>
                      {p.restarts}
                      {p.oom_kills > 0 ? ` (${p.oom_kills} OOM)` : ''}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <OffsetPager offset={offset} limit={PAGE_SIZE} count={data.pods.length} nextOffset={data.next_offset} onChange={setOffset} label="Pods" />
        </>
      )}
    </QueryView>
  );
}

export function EventsTab({ clusterId }: { clusterId: string }) {
  const [offset, setOffset] = useState(0);
  const events = useClusterEvents(clusterId, offset);
  return (
    <QueryView query={events} what="events" isEmpty={(d) => d.events.length === 0 && offset === 0} empty="No Kubernetes events reported yet.">
      {(data) => (
        <>
          <Table.ScrollContainer minWidth={760}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">When</Table.Th>
                  <Table.Th scope="col">Event</Table.Th>
                  <Table.Th scope="col">Object</Table.Th>
                  <Table.Th scope="col">Reason</Table.Th>
                  <Table.Th scope="col">Message</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.events.map((e) => (
                  <Table.Tr key={e.event_id}>
                    <Table.Td>{dateTime(e.occurred_at)}</Table.Td>
                    <Table.Td>{humanize(e.kind)}</Table.Td>
                    <Table.Td>{e.pod_name ? `${e.namespace}/${e.pod_name}` : (e.node_name ?? '–')}</Table.Td>
                    <Table.Td>{e.reason ?? '–'}</Table.Td>
                    <Table.Td>{e.message ?? '–'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <OffsetPager offset={offset} limit={PAGE_SIZE} count={data.events.length} nextOffset={data.next_offset} onChange={setOffset} label="Events" />
        </>
      )}
    </QueryView>
  );
}
