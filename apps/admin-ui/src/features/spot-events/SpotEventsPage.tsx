/**
 * Spot events as a timeline: interruption warnings, rebalance recommendations and terminations, with the
 * notice AWS gave, what CloudOptim did and the replacement it launched. New events arrive over the stream.
 */
import { Badge, Group, Paper, Select, Text, Timeline } from '@mantine/core';
import type { SpotActionTaken, SpotEventType } from '@cloudoptim/contracts';
import { useState } from 'react';
import { useClusters } from '../../api/clusters.queries.ts';
import { useSpotEvents } from '../../api/spot-events.queries.ts';
import type { StoredSpotEvent } from '../../api/wire-types.ts';
import { useSession } from '../../app/session.tsx';
import { ClusterSelect } from '../../components/ClusterSelect.tsx';
import { dateTime, humanize } from '../../components/format.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { OffsetPager } from '../../components/Pager.tsx';
import { QueryView } from '../../components/QueryView.tsx';

const LIMIT = 25;
const TYPES: { value: SpotEventType; label: string }[] = [
  { value: 'interruption_warning', label: 'Interruption warnings' },
  { value: 'rebalance_recommendation', label: 'Rebalance recommendations' },
  { value: 'instance_terminated', label: 'Terminations' },
];

const ACTION_COLORS: Record<SpotActionTaken, string> = { pending: 'blue', none: 'gray', drained: 'teal', replaced_spot: 'teal', replaced_on_demand: 'orange', cordoned: 'yellow', failed: 'red' };
const TYPE_COLORS: Record<SpotEventType, string> = { interruption_warning: 'red', rebalance_recommendation: 'yellow', instance_terminated: 'gray' };

/** Seconds of notice between receiving the event and the interruption; null when AWS gave no time. */
export function noticeSeconds(event: Pick<StoredSpotEvent, 'received_at' | 'interruption_time'>): number | null {
  if (event.interruption_time === null) return null;
  return Math.round((Date.parse(event.interruption_time) - Date.parse(event.received_at)) / 1000);
}

export function SpotEventsPage() {
  const { customerId } = useSession();
  const [clusterId, setClusterId] = useState<string | null>(null);
  const [type, setType] = useState<SpotEventType | null>(null);
  const [offset, setOffset] = useState(0);
  const events = useSpotEvents({ clusterId, type, limit: LIMIT, offset });
  const clusters = useClusters(customerId);
  const names = new Map((clusters.data ?? []).map((c) => [c.cluster_id, c.cluster_name]));

  return (
    <>
      <PageHeader title="Spot events" description="What AWS announced about Spot instances and what CloudOptim did about it, newest first." />
      <Paper withBorder p="md" radius="md">
        <Group mb="md" align="flex-end">
          <ClusterSelect
            value={clusterId}
            onChange={(id) => {
              setClusterId(id);
              setOffset(0);
            }}
            allowAll
          />
          <Select
            label="Event type"
            data={[{ value: '', label: 'Every type' }, ...TYPES]}
            value={type ?? ''}
            onChange={(v) => {
              setType(v ? (v as SpotEventType) : null);
              setOffset(0);
            }}
            allowDeselect={false}
          />
        </Group>
        <QueryView query={events} what="Spot events" isEmpty={(p) => p.items.length === 0 && offset === 0} empty="No Spot events: no instance was warned, rebalanced or terminated.">
          {(page) => {
            const items = customerId === null ? page.items : page.items.filter((e) => e.customer_id === customerId);
            return (
              <>
                <Timeline bulletSize={14} lineWidth={2}>
                  {items.map((e) => (
                    <Timeline.Item key={e.id} color={TYPE_COLORS[e.event_type]} title={<EventTitle event={e} />}>
                      <EventBody event={e} clusterName={e.cluster_id ? (names.get(e.cluster_id) ?? e.cluster_id.slice(0, 8)) : null} />
                    </Timeline.Item>
                  ))}
                </Timeline>
                <OffsetPager offset={offset} limit={LIMIT} count={page.items.length} nextOffset={page.next_offset} onChange={setOffset} label="Spot events" />
              </>
            );
          }}
        </QueryView>
      </Paper>
    </>
  );
}

function EventTitle({ event }: { event: StoredSpotEvent }) {
  return (
    <Group gap="xs">
      <Text fw={600} size="sm">
        {humanize(event.event_type)}
      </Text>
      <Badge color={ACTION_COLORS[event.action_taken]} variant="light">
        {humanize(event.action_taken)}
      </Badge>
    </Group>
  );
}

function EventBody({ event, clusterName }: { event: StoredSpotEvent; clusterName: string | null }) {
  const notice = noticeSeconds(event);
  return (
    <>
      <Text size="sm">
        {event.instance_id}
        {event.node_name ? ` (node ${event.node_name})` : ''} in {event.availability_zone ?? event.region}
        {clusterName ? ` · cluster ${clusterName}` : ' · no known cluster'}
      </Text>
      <Text size="xs" c="dimmed">
        Received {dateTime(event.received_at)}
        {event.interruption_time ? ` · interruption at ${dateTime(event.interruption_time)} (${notice} s notice)` : ''}
      </Text>
      {event.replacement_instance_id && (
        <Text size="xs" c="dimmed">
          Replaced by {event.replacement_instance_id}
        </Text>
      )}
    </>
  );
}
