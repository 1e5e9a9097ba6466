/**
 * One cluster: its agent's status and headline numbers, then tabs for nodes (price and utilisation), pending
 * pods with the scheduler's reasons, pods, Kubernetes events and tasks. Everything refreshes from the admin
 * stream (new metrics, node and task changes).
 */
import { Button, Group, Modal, Paper, SimpleGrid, Stack, Tabs, Text } from '@mantine/core';
import { useState } from 'react';
import { useClusterSummary, useDeleteCluster } from '../../api/clusters.queries.ts';
import type { ClusterSummary } from '../../api/wire-types.ts';
import { navigate, useSearchParam } from '../../app/router.tsx';
import { useSession } from '../../app/session.tsx';
import { HealthBadge } from '../../components/badges.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { dateTime, percent, relativeTime, usdPerHour } from '../../components/format.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryView } from '../../components/QueryView.tsx';
import { StatCard } from '../../components/StatCard.tsx';
import { useNow } from '../../components/use-now.ts';
import { EventsTab, PendingPodsTab, PodsTab } from './ClusterActivityTabs.tsx';
import { NodesTab } from './NodesTab.tsx';
import { TasksTab } from './TasksTab.tsx';

export function ClusterDetailPage({ clusterId }: { clusterId: string }) {
  const summary = useClusterSummary(clusterId);
  return (
    <QueryView query={summary} what="cluster">
      {(cluster) => <ClusterDetail cluster={cluster} />}
    </QueryView>
  );
}

function ClusterDetail({ cluster }: { cluster: ClusterSummary }) {
  const [tab, setTab] = useSearchParam('tab');
  const session = useSession();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const savings = cluster.baseline_cost_per_hour > 0 ? (cluster.baseline_cost_per_hour - cluster.current_cost_per_hour) / cluster.baseline_cost_per_hour : null;
  return (
    <>
      <PageHeader
        title={cluster.cluster_name}
        description={`${cluster.region}${cluster.aws_account_id ? ` · AWS account ${cluster.aws_account_id}` : ''} · id ${cluster.cluster_id}`}
        actions={
          <>
            <HealthBadge status={cluster.health_status} />
            {session.canWrite && (
              <Button variant="default" color="red" onClick={() => setConfirmDelete(true)}>
                Delete cluster
              </Button>
            )}
          </>
        }
      />
      <Stack gap="lg">
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
          <AgentStatus cluster={cluster} />
          <StatCard label="Nodes" value={cluster.total_nodes} hint={`${cluster.spot_nodes} Spot · ${cluster.on_demand_nodes} on-demand`} />
          <StatCard label="Pods" value={cluster.total_pods} hint={`${cluster.pending_pods} pending`} tone={cluster.pending_pods > 0 ? 'bad' : 'default'} />
          <StatCard label="Cost now" value={usdPerHour(cluster.current_cost_per_hour)} hint={`Baseline ${usdPerHour(cluster.baseline_cost_per_hour)} · saving ${percent(savings)}`} />
        </SimpleGrid>
        <Paper withBorder p="md" radius="md">
          <Tabs value={tab ?? 'nodes'} onChange={(next) => setTab(next === 'nodes' ? null : next)} keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="nodes">Nodes</Tabs.Tab>
              <Tabs.Tab value="pending">Pending pods ({cluster.pending_pods})</Tabs.Tab>
              <Tabs.Tab value="pods">Pods</Tabs.Tab>
              <Tabs.Tab value="events">Events</Tabs.Tab>
              <Tabs.Tab value="tasks">Tasks</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="nodes" pt="md">
              <NodesTab clusterId={cluster.cluster_id} />
            </Tabs.Panel>
            <Tabs.Panel value="pending" pt="md">
              <PendingPodsTab clusterId={cluster.cluster_id} pendingCount={cluster.pending_pods} />
            </Tabs.Panel>
            <Tabs.Panel value="pods" pt="md">
              <PodsTab clusterId={cluster.cluster_id} />
            </Tabs.Panel>
            <Tabs.Panel value="events" pt="md">
              <EventsTab clusterId={cluster.cluster_id} />
            </Tabs.Panel>
            <Tabs.Panel value="tasks" pt="md">
              <TasksTab clusterId={cluster.cluster_id} />
            </Tabs.Panel>
          </Tabs>
        </Paper>
      </Stack>
      <DeleteClusterModal cluster={cluster} opened={confirmDelete} onClose={() => setConfirmDelete(false)} />
    </>
  );
}

function AgentStatus({ cluster }: { cluster: ClusterSummary }) {
  const now = useNow(5000);
  const connected = cluster.last_heartbeat_at !== null;
  return (
    <StatCard
      label="Agent"
      value={connected ? `Heard ${relativeTime(cluster.last_heartbeat_at, now)}` : cluster.last_updated ? 'Reporting' : 'Not connected yet'}
      hint={`Last metrics ${relativeTime(cluster.last_updated, now)}${cluster.last_updated ? ` (${dateTime(cluster.last_updated)})` : ''}`}
      tone={cluster.health_status === 'RED' ? 'bad' : 'default'}
    />
  );
}

function DeleteClusterModal({ cluster, opened, onClose }: { cluster: ClusterSummary; opened: boolean; onClose(): void }) {
  const remove = useDeleteCluster();
  return (
    <Modal opened={opened} onClose={onClose} title={`Delete ${cluster.cluster_name}?`}>
      <Stack>
        <Text size="sm">Its agent keys stop working at once and its stored data (metrics, events, tasks, plans) is deleted. The nodes in AWS are not touched.</Text>
        {remove.isError && <ErrorNotice error={remove.error} action="Could not delete the cluster" />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Keep it
          </Button>
          <Button color="red" loading={remove.isPending} onClick={() => remove.mutate(cluster.cluster_id, { onSuccess: () => navigate('/clusters') })}>
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
