/** The cluster's nodes from its latest metrics report: type, zone, capacity type, price, utilisation bars. */
import { Badge, Group, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useClusterNodes } from '../../api/clusters.queries.ts';
import { CapacityBadge } from '../../components/badges.tsx';
import { cores, dateTime, gib, usdPerHour } from '../../components/format.ts';
import { ListPager, pageOf } from '../../components/Pager.tsx';
import { QueryView } from '../../components/QueryView.tsx';
import { UtilizationBar } from '../../components/UtilizationBar.tsx';

const PAGE = 25;

export function NodesTab({ clusterId }: { clusterId: string }) {
  const nodes = useClusterNodes(clusterId);
  const [page, setPage] = useState(1);
  return (
    <QueryView query={nodes} what="nodes" isEmpty={(n) => n.nodes.length === 0} empty="No nodes reported yet: they appear with the agent's first metrics report.">
      {(data) => (
        <Stack gap="xs">
          <Text size="xs" c="dimmed">
            From the metrics report of {dateTime(data.as_of)}; prices are central's (the Spot price of each node's pool, on-demand otherwise).
          </Text>
          <Table.ScrollContainer minWidth={1180}>
            <Table striped verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Node</Table.Th>
                  <Table.Th scope="col">Type</Table.Th>
                  <Table.Th scope="col">Zone</Table.Th>
                  <Table.Th scope="col">Capacity</Table.Th>
                  <Table.Th scope="col">Price</Table.Th>
                  <Table.Th scope="col" w={180}>
                    CPU
                  </Table.Th>
                  <Table.Th scope="col" w={180}>
                    Memory
                  </Table.Th>
                  <Table.Th scope="col">Pods</Table.Th>
                  <Table.Th scope="col">State</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {pageOf(data.nodes, page, PAGE).map((n) => (
                  <Table.Tr key={n.node_name}>
                    <Table.Td>
                      <Text size="sm">{n.node_name}</Text>
                      <Text size="xs" c="dimmed">
                        {n.instance_id ?? 'no instance id'}
                      </Text>
                    </Table.Td>
                    <Table.Td>{n.instance_type}</Table.Td>
                    <Table.Td>{n.availability_zone}</Table.Td>
                    <Table.Td>
                      <CapacityBadge type={n.node_type} />
                    </Table.Td>
                    <Table.Td>{n.hourly_price === undefined ? 'unpriced' : usdPerHour(n.hourly_price)}</Table.Td>
                    <Table.Td>
                      <UtilizationBar label="CPU" allocated={n.cpu_allocated_millicores} used={n.cpu_used_millicores} capacity={n.cpu_allocatable_millicores} format={cores} />
                    </Table.Td>
                    <Table.Td>
                      <UtilizationBar label="Memory" allocated={n.memory_allocated_bytes} used={n.memory_used_bytes} capacity={n.memory_allocatable_bytes} format={gib} />
                    </Table.Td>
                    <Table.Td>
                      {n.pod_count}
                      {n.pods_allocatable !== undefined ? ` / ${n.pods_allocatable}` : ''}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        <Badge color={n.ready ? 'teal' : 'red'} variant="light">
                          {n.ready ? 'Ready' : 'Not ready'}
                        </Badge>
                        {n.unschedulable && (
                          <Badge color="orange" variant="light">
                            Cordoned
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <ListPager page={page} size={PAGE} total={data.nodes.length} onChange={setPage} label="Nodes" />
        </Stack>
      )}
    </QueryView>
  );
}
