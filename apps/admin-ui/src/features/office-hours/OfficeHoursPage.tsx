/**
 * Office hours: per cluster, the schedules that keep dev/staging workloads up only during working hours (time
 * zone, days, hours, which namespaces/workloads) and what must never be scaled down; a preview asks the engine
 * what the schedules would save before they are saved.
 */
import { Alert, Button, Fieldset, Group, Paper, Select, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { useTriggerOptimization } from '../../api/optimizations.queries.ts';
import { useClusterSettings, useUpdateClusterSettings } from '../../api/settings.queries.ts';
import type { OfficeHoursEntry, SettingsView } from '../../api/wire-types.ts';
import { useSession } from '../../app/session.tsx';
import { ClusterSelect } from '../../components/ClusterSelect.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { usdPerMonth } from '../../components/format.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryView } from '../../components/QueryView.tsx';
import { formatUptime, parseUptime, toContractSchedules, uptimeHoursPerWeek, WEEKDAYS, windowProblems, type WeeklyWindow } from './office-hours-spec.ts';

const DAY_OPTIONS = WEEKDAYS.map((d) => ({ value: d, label: d.charAt(0).toUpperCase() + d.slice(1) }));

function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf ? ['UTC', ...intl.supportedValuesOf('timeZone')] : ['UTC', 'Europe/Berlin', 'Europe/Paris', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo'];
}

const NEW_ENTRY: OfficeHoursEntry = { uptime: 'Mon-Fri 08:00-19:00 UTC', namespaces: [], workloads: [] };

export function OfficeHoursPage() {
  const [clusterId, setClusterId] = useState<string | null>(null);
  const settings = useClusterSettings(clusterId);
  return (
    <>
      <PageHeader title="Office hours" description="Scale idle environments to zero outside working hours and back up before they start. Excluded workloads are never touched." />
      <Stack gap="lg">
        <ClusterSelect value={clusterId} onChange={setClusterId} />
        {clusterId === null ? (
          <Text c="dimmed">Choose a cluster to edit its schedules.</Text>
        ) : (
          <QueryView query={settings} what="cluster settings">
            {(view) => <ScheduleEditor key={view.cluster_id} view={view} />}
          </QueryView>
        )}
      </Stack>
    </>
  );
}

function ScheduleEditor({ view }: { view: SettingsView }) {
  const { canWrite } = useSession();
  const save = useUpdateClusterSettings(view.cluster_id);
  const preview = useTriggerOptimization();
  const [entries, setEntries] = useState<OfficeHoursEntry[]>(view.settings.office_hours);
  const [excludedNamespaces, setExcludedNamespaces] = useState(view.settings.excluded_namespaces);
  const [excludedWorkloads, setExcludedWorkloads] = useState(view.settings.excluded_workloads);
  const { reset } = preview;
  useEffect(() => reset(), [entries, reset]);
  // A saved (or elsewhere changed) version becomes the new starting point.
  useEffect(() => {
    setEntries(view.settings.office_hours);
    setExcludedNamespaces(view.settings.excluded_namespaces);
    setExcludedWorkloads(view.settings.excluded_workloads);
  }, [view]);
  const zones = useMemo(timeZones, []);
  const update = (i: number, entry: OfficeHoursEntry) => setEntries((list) => list.map((e, j) => (j === i ? entry : e)));
  const schedules = toContractSchedules(entries);

  return (
    <Stack gap="md">
      <fieldset disabled={!canWrite} style={{ border: 0, padding: 0, margin: 0 }}>
        <Stack gap="md">
          {entries.length === 0 && <Text c="dimmed">No schedule: workloads run around the clock.</Text>}
          {entries.map((entry, i) => (
            <EntryEditor key={i} index={i} entry={entry} zones={zones} onChange={(e) => update(i, e)} onRemove={() => setEntries((list) => list.filter((_, j) => j !== i))} />
          ))}
          <Group>
            <Button variant="default" onClick={() => setEntries((list) => [...list, NEW_ENTRY])}>
              Add a schedule
            </Button>
          </Group>
          <Fieldset legend="Never scale down">
            <Stack gap="sm">
              <TagsInput label="Excluded namespaces" value={excludedNamespaces} onChange={setExcludedNamespaces} />
              <TagsInput label="Excluded workloads" description="namespace/Kind/name" value={excludedWorkloads} onChange={setExcludedWorkloads} />
            </Stack>
          </Fieldset>
          <Alert color="gray" title="Holidays">
            The schedule format (kube-downscaler uptime) has no holiday dates, and this server stores none: on a holiday, workloads follow the weekday schedule.
          </Alert>
        </Stack>
      </fieldset>
      <Paper withBorder p="md" radius="md">
        <Stack gap="xs">
          <Group>
            {canWrite && (
              <Button variant="default" loading={preview.isPending} disabled={schedules.length === 0} onClick={() => preview.mutate({ cluster_id: view.cluster_id, optimization_type: 'schedule', dry_run: true, requirements: { schedules } })}>
                Preview savings
              </Button>
            )}
            {canWrite && (
              <Button loading={save.isPending} onClick={() => save.mutate({ office_hours: entries, excluded_namespaces: excludedNamespaces, excluded_workloads: excludedWorkloads })}>
                Save schedules
              </Button>
            )}
          </Group>
          {preview.data && (
            <Text role="status">
              Projected savings: <strong>{usdPerMonth(preview.data.estimated_savings_monthly)}</strong> — {preview.data.summary || preview.data.outcome_reason} ({preview.data.steps.length} scaling steps planned; a dry run, nothing will run).
            </Text>
          )}
          {preview.isError && <ErrorNotice error={preview.error} action="Could not preview" />}
          {save.isError && <ErrorNotice error={save.error} action="Could not save the schedules" />}
          {save.isSuccess && <Text c="teal.8" role="status">Saved: the agent applies the schedules from now on.</Text>}
          {!canWrite && <Text size="sm" c="dimmed">Your role can read the schedules but not change them.</Text>}
        </Stack>
      </Paper>
    </Stack>
  );
}

function EntryEditor({ index, entry, zones, onChange, onRemove }: { index: number; entry: OfficeHoursEntry; zones: string[]; onChange(e: OfficeHoursEntry): void; onRemove(): void }) {
  const window = parseUptime(entry.uptime);
  const setWindow = (patch: Partial<WeeklyWindow>) => window && onChange({ ...entry, uptime: formatUptime({ ...window, ...patch }) });
  const problems = window ? windowProblems(window) : [];
  return (
    <Fieldset legend={`Schedule ${index + 1}`}>
      <Stack gap="sm">
        {window ? (
          <Group align="flex-end">
            <Select label="From" data={DAY_OPTIONS} value={window.dayFrom} onChange={(v) => v && setWindow({ dayFrom: v as WeeklyWindow['dayFrom'] })} allowDeselect={false} w={100} />
            <Select label="To" data={DAY_OPTIONS} value={window.dayTo} onChange={(v) => v && setWindow({ dayTo: v as WeeklyWindow['dayTo'] })} allowDeselect={false} w={100} />
            <TextInput label="Up from" type="time" value={window.start} onChange={(e) => setWindow({ start: e.currentTarget.value })} w={120} />
            <TextInput label="Until" type="time" value={window.end === '24:00' ? '00:00' : window.end} onChange={(e) => setWindow({ end: e.currentTarget.value === '00:00' ? '24:00' : e.currentTarget.value })} w={120} />
            <Select label="Time zone" data={zones} value={window.timeZone} onChange={(v) => v && setWindow({ timeZone: v })} searchable allowDeselect={false} w={220} />
          </Group>
        ) : (
          <TextInput label="Uptime (kube-downscaler syntax)" description="This schedule has several windows or dates; edit it as text" value={entry.uptime} onChange={(e) => onChange({ ...entry, uptime: e.currentTarget.value })} />
        )}
        {problems.length > 0 && (
          <Text c="red.8" size="sm" role="alert">
            {problems.join('; ')}.
          </Text>
        )}
        <Text size="xs" c="dimmed">
          {window ? `Up ${uptimeHoursPerWeek(window)} h a week (${entry.uptime}); scaled to zero the other ${168 - uptimeHoursPerWeek(window)} h.` : entry.uptime}
        </Text>
        <Group align="flex-end" grow>
          <TagsInput label="Namespaces" description="Scaled as a whole" value={entry.namespaces} onChange={(namespaces) => onChange({ ...entry, namespaces })} />
          <TagsInput label="Workloads" description="namespace/Kind/name" value={entry.workloads} onChange={(workloads) => onChange({ ...entry, workloads })} />
        </Group>
        <Group justify="flex-end">
          <Button variant="subtle" color="red" size="xs" onClick={onRemove} aria-label={`Remove schedule ${index + 1}`}>
            Remove
          </Button>
        </Group>
      </Stack>
    </Fieldset>
  );
}
