/** Every cluster the user may see, with health, size, cost and last contact; admins register new ones here. */
import { Button, Paper, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useClusters } from '../../api/clusters.queries.ts';
import { Link, useSearchParam } from '../../app/router.tsx';
import { useSession } from '../../app/session.tsx';
import { HealthBadge } from '../../components/badges.tsx';
import { percent, relativeTime, usdPerHour } from '../../components/format.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ListPager, pageOf } from '../../components/Pager.tsx';
import { QueryView } from '../../components/QueryView.tsx';
import { useNow } from '../../components/use-now.ts';
import { lastContact } from '../overview/overview-math.ts';
import { RegisterClusterModal } from './RegisterClusterModal.tsx';

const PAGE = 20;

export function ClustersPage() {
  const session = useSession();
  const clusters = useClusters(session.customerId);
  const [register, setRegister] = useSearchParam('register');
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(1);
  const now = useNow();

  return (
    <>
      <PageHeader
        title="Clusters"
        description="The Kubernetes clusters CloudOptim watches. Open one for its nodes, pods, events, tasks and agent."
        actions={
          session.canWrite && (
            <Button onClick={() => setRegister('1')} aria-haspopup="dialog">
              Register a cluster
            </Button>
          )
        }
      />
      <RegisterClusterModal opened={register === '1' && session.canWrite} onClose={() => setRegister(null)} />
      <Paper withBorder p="md" radius="md">
        <QueryView query={clusters} what="clusters" isEmpty={(list) => list.length === 0} empty={session.canWrite ? 'No clusters yet: register one to install its agent.' : 'No clusters yet.'}>
          {(list) => {
            const shown = list.filter((c) => `${c.cluster_name} ${c.region} ${c.cluster_id}`.toLowerCase().includes(filter.trim().toLowerCase()));
            return (
              <>
                <TextInput
                  label="Filter clusters"
                  placeholder="Name, region or id"
                  value={filter}
                  onChange={(e) => {
                    setFilter(e.currentTarget.value);
                    setPage(1);
                  }}
                  mb="sm"
                  maw={320}
                />
                <Table.ScrollContainer minWidth={760}>
                  <Table striped highlightOnHover>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th scope="col">Cluster</Table.Th>
                        <Table.Th scope="col">Health</Table.Th>
                        <Table.Th scope="col">Nodes</Table.Th>
                        <Table.Th scope="col">Spot</Table.Th>
                        <Table.Th scope="col">Pods (pending)</Table.Th>
                        <Table.Th scope="col">Cost / h</Table.Th>
                        <Table.Th scope="col">Baseline / h</Table.Th>
                        <Table.Th scope="col">Last contact</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {pageOf(shown, page, PAGE).map((c) => (
                        <Table.Tr key={c.cluster_id}>
                          <Table.Td>
                            <Link to={`/clusters/${c.cluster_id}`}>{c.cluster_name}</Link>
                            <Text size="xs" c="dimmed">
                              {c.region}
                            </Text>
                          </Table.Td>
                          <Table.Td>
                            <HealthBadge status={c.health_status} />
                          </Table.Td>
                          <Table.Td>{c.total_nodes}</Table.Td>
                          <Table.Td>{c.total_nodes > 0 ? percent(c.spot_nodes / c.total_nodes, 0) : '–'}</Table.Td>
                          <Table.Td>
                            {c.total_pods} ({c.pending_pods})
                          </Table.Td>
                          <Table.Td>{usdPerHour(c.current_cost_per_hour)}</Table.Td>
                          <Table.Td>{usdPerHour(c.baseline_cost_per_hour)}</Table.Td>
                          <Table.Td>{relativeTime(lastContact(c), now)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
                {shown.length === 0 && (
                  <Text size="sm" c="dimmed" py="sm">
                    No cluster matches “{filter}”.
                  </Text>
                )}
                <ListPager page={page} size={PAGE} total={shown.length} onChange={setPage} label="Clusters" />
              </>
            );
          }}
        </QueryView>
      </Paper>
    </>
  );
}
