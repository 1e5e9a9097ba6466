/**
 * A cluster's settings: how much CloudOptim may do (automation mode, Spot share cap, pool diversity,
 * disruption budget, rebalance policy), what it must never touch (namespaces, workloads) and its AWS access
 * (the external id is shown, not edited: CloudOptim issues it). Only changed fields are sent; viewers see the
 * form read-only.
 */
import { Alert, Button, Fieldset, Group, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useClusterSettings, useUpdateClusterSettings } from '../../api/settings.queries.ts';
import type { AutomationMode, ClusterSettings, RebalancePolicy, SettingsView } from '../../api/wire-types.ts';
import { useSession } from '../../app/session.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { dateTime } from '../../components/format.ts';
import { QueryView } from '../../components/QueryView.tsx';
import { blankToNull, settingsPatch } from './settings-patch.ts';

export function ClusterSettingsPanel({ clusterId }: { clusterId: string }) {
  const settings = useClusterSettings(clusterId);
  return (
    <QueryView query={settings} what="cluster settings">
      {(view) => <SettingsForm key={view.cluster_id} view={view} />}
    </QueryView>
  );
}

const num = (value: string | number, fallback: number) => (typeof value === 'number' ? value : Number.isFinite(Number(value)) && value !== '' ? Number(value) : fallback);

function SettingsForm({ view }: { view: SettingsView }) {
  const { canWrite } = useSession();
  const update = useUpdateClusterSettings(view.cluster_id);
  const [draft, setDraft] = useState<ClusterSettings>(view.settings);
  // A saved (or elsewhere changed) version becomes the new starting point.
  useEffect(() => setDraft(view.settings), [view.version]);
  const set = <K extends keyof ClusterSettings>(key: K, value: ClusterSettings[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const patch = settingsPatch(view.settings, draft);
  const dirty = Object.keys(patch).length > 0;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (dirty) update.mutate(patch);
  };

  return (
    <form onSubmit={submit} aria-label="Cluster settings">
      <Stack>
        <Text size="xs" c="dimmed">
          Version {view.version}, changed {dateTime(view.updated_at)}. The agent reloads the settings as soon as they are saved.
        </Text>
        <fieldset disabled={!canWrite} style={{ border: 0, padding: 0, margin: 0 }}>
          <Stack>
            <Fieldset legend="Automation">
              <Stack gap="sm">
                <div>
                  <Text size="sm" fw={500} id="mode-label">
                    Automation mode
                  </Text>
                  <SegmentedControl
                    aria-labelledby="mode-label"
                    data={[
                      { value: 'recommend', label: 'Recommend (approve each plan)' },
                      { value: 'automate', label: 'Automate (run plans)' },
                    ]}
                    value={draft.automation_mode}
                    onChange={(v) => set('automation_mode', v as AutomationMode)}
                    disabled={!canWrite}
                  />
                </div>
                <Select
                  label="Rebalance recommendations"
                  description="What to do when AWS says a Spot instance is at elevated risk"
                  data={[
                    { value: 'ignore', label: 'Ignore' },
                    { value: 'cordon', label: 'Cordon the node' },
                    { value: 'replace', label: 'Replace the node' },
                  ]}
                  value={draft.rebalance_policy}
                  onChange={(v) => v && set('rebalance_policy', v as RebalancePolicy)}
                  allowDeselect={false}
                  maw={320}
                />
              </Stack>
            </Fieldset>
            <Fieldset legend="Spot and disruption limits">
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <NumberInput label="Spot share cap (%)" description="Largest share of nodes on Spot" min={0} max={100} value={Math.round(draft.max_spot_share * 100)} onChange={(v) => set('max_spot_share', num(v, 0) / 100)} />
                <NumberInput label="Pool diversity" description="Fewest Spot pools (type × zone) to spread over" min={1} max={50} value={draft.min_pool_diversity} onChange={(v) => set('min_pool_diversity', num(v, 1))} />
                <NumberInput label="Nodes disrupted at once" description="Disruption budget, nodes" min={1} max={100} value={draft.max_nodes_in_flight} onChange={(v) => set('max_nodes_in_flight', num(v, 1))} />
                <NumberInput label="Disruption budget (%)" description="Largest share of the cluster disrupted at once" min={1} max={100} value={draft.max_disruption_percent} onChange={(v) => set('max_disruption_percent', num(v, 1))} />
              </SimpleGrid>
            </Fieldset>
            <Fieldset legend="Never touch">
              <Stack gap="sm">
                <TagsInput label="Excluded namespaces" description="Press Enter after each namespace" value={draft.excluded_namespaces} onChange={(v) => set('excluded_namespaces', v)} />
                <TagsInput label="Excluded workloads" description="namespace/Kind/name, e.g. shop/Deployment/checkout" value={draft.excluded_workloads} onChange={(v) => set('excluded_workloads', v)} />
              </Stack>
            </Fieldset>
            <Fieldset legend="AWS access">
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <TextInput label="IAM role ARN" placeholder="Server default credentials" value={draft.aws_role_arn ?? ''} onChange={(e) => set('aws_role_arn', blankToNull(e.currentTarget.value))} />
                {/* Issued by CloudOptim per customer, never sent back: the server refuses it in a PATCH. */}
                <TextInput label="External id" description="Issued by CloudOptim: put it in your role's trust policy (sts:ExternalId)" value={view.aws_external_id} readOnly />
                <TextInput label="Interruption queue URL" description="The SQS queue EventBridge sends Spot warnings to" value={draft.interruption_queue_url ?? ''} onChange={(e) => set('interruption_queue_url', blankToNull(e.currentTarget.value))} />
                <TextInput label="Launch template id" value={draft.launch_template_id ?? ''} onChange={(e) => set('launch_template_id', blankToNull(e.currentTarget.value))} />
                <TagsInput label="Subnet ids" value={draft.subnet_ids} onChange={(v) => set('subnet_ids', v)} />
              </SimpleGrid>
            </Fieldset>
          </Stack>
        </fieldset>
        {update.isError && <ErrorNotice error={update.error} action="Could not save the settings" />}
        {update.isSuccess && !dirty && (
          <Alert color="teal" role="status">
            Saved as version {view.version}.
          </Alert>
        )}
        {canWrite ? (
          <Group>
            <Button type="submit" disabled={!dirty} loading={update.isPending}>
              Save settings
            </Button>
            <Button variant="default" disabled={!dirty} onClick={() => setDraft(view.settings)}>
              Undo changes
            </Button>
          </Group>
        ) : (
          <Text size="sm" c="dimmed">
            Your role can read these settings but not change them.
          </Text>
        )}
      </Stack>
    </form>
  );
}
