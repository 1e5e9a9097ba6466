/** Settings: a cluster's settings and agent keys, the customer's users, and (operators) the customers. */
import { Paper, Stack, Tabs, Text } from '@mantine/core';
import { useSearchParam } from '../../app/router.tsx';
import { useSession } from '../../app/session.tsx';
import { ClusterSelect } from '../../components/ClusterSelect.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { AgentKeysPanel } from './AgentKeysPanel.tsx';
import { ClusterSettingsPanel } from './ClusterSettingsForm.tsx';
import { CustomersPanel } from './CustomersPanel.tsx';
import { UsersPanel } from './UsersPanel.tsx';

export function SettingsPage() {
  const session = useSession();
  const [tab, setTab] = useSearchParam('tab');
  const [clusterId, setClusterId] = useSearchParam('cluster');
  const pickCluster = (
    <ClusterSelect value={clusterId} onChange={setClusterId} label="Cluster" />
  );
  return (
    <>
      <PageHeader title="Settings" description="What CloudOptim may do on each cluster, the agents' keys, and who may sign in." />
      <Paper withBorder p="md" radius="md">
        <Tabs value={tab ?? 'cluster'} onChange={(next) => setTab(next === 'cluster' ? null : next)} keepMounted={false}>
          <Tabs.List mb="md">
            <Tabs.Tab value="cluster">Cluster settings</Tabs.Tab>
            <Tabs.Tab value="keys">Agent keys</Tabs.Tab>
            <Tabs.Tab value="users">Users</Tabs.Tab>
            {session.isOperator && <Tabs.Tab value="customers">Customers</Tabs.Tab>}
          </Tabs.List>
          <Tabs.Panel value="cluster">
            <Stack>
              {pickCluster}
              {clusterId ? <ClusterSettingsPanel clusterId={clusterId} /> : <Text c="dimmed">Choose a cluster to see its settings.</Text>}
            </Stack>
          </Tabs.Panel>
          <Tabs.Panel value="keys">
            <Stack>
              {pickCluster}
              {clusterId ? <AgentKeysPanel clusterId={clusterId} /> : <Text c="dimmed">Choose a cluster to see its agent keys.</Text>}
            </Stack>
          </Tabs.Panel>
          <Tabs.Panel value="users">
            {session.customerId ? <UsersPanel customerId={session.customerId} /> : <Text c="dimmed">Choose a customer at the top of the page to see its users.</Text>}
          </Tabs.Panel>
          {session.isOperator && (
            <Tabs.Panel value="customers">
              <CustomersPanel />
            </Tabs.Panel>
          )}
        </Tabs>
      </Paper>
    </>
  );
}
