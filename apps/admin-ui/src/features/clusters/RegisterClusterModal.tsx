/**
 * Register a cluster: name, region, (operators) the customer, optionally the AWS account. The answer holds the
 * agent API key and the install commands — shown here once and never again (rotate the key to get a new one).
 */
import { Alert, Autocomplete, Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useCustomers, useRegisterCluster } from '../../api/clusters.queries.ts';
import type { RegisteredCluster } from '../../api/wire-types.ts';
import { Link } from '../../app/router.tsx';
import { useSession } from '../../app/session.tsx';
import { CopySecret } from '../../components/CopySecret.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

/** Region codes offered as suggestions; any region the server knows is accepted. */
const REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-1', 'ap-southeast-2', 'sa-east-1'];

export function RegisterClusterModal({ opened, onClose }: { opened: boolean; onClose(): void }) {
  const [issued, setIssued] = useState<RegisteredCluster | null>(null);
  const close = () => {
    setIssued(null);
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={issued ? `Cluster ${issued.cluster_name} registered` : 'Register a cluster'} size="lg" closeOnClickOutside={!issued}>
      {issued ? <IssuedKeyView cluster={issued} onDone={close} /> : <RegisterForm onRegistered={setIssued} onCancel={close} />}
    </Modal>
  );
}

function RegisterForm({ onRegistered, onCancel }: { onRegistered(cluster: RegisteredCluster): void; onCancel(): void }) {
  const session = useSession();
  const customers = useCustomers(session.isOperator);
  const register = useRegisterCluster();
  const [name, setName] = useState('');
  const [region, setRegion] = useState('us-east-1');
  const [account, setAccount] = useState('');
  const [customerId, setCustomerId] = useState<string | null>(session.isOperator ? session.customerId : null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    register.mutate(
      { cluster_name: name.trim(), region: region.trim(), ...(customerId && session.isOperator && { customer_id: customerId }), ...(account.trim() && { aws_account_id: account.trim() }) },
      { onSuccess: onRegistered },
    );
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {session.isOperator && (
          <Select
            label="Customer"
            required
            data={(customers.data ?? []).map((c) => ({ value: c.customer_id, label: c.company_name }))}
            value={customerId}
            onChange={setCustomerId}
            placeholder={customers.isPending ? 'Loading customers…' : 'Choose the customer'}
            searchable
            error={customers.isError ? 'Could not load the customers' : undefined}
          />
        )}
        <TextInput label="Cluster name" description="Usually the EKS cluster name" required value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={100} data-autofocus />
        <Autocomplete label="AWS region" required data={REGIONS} value={region} onChange={setRegion} />
        <TextInput label="AWS account id" description="Optional, 12 digits" value={account} onChange={(e) => setAccount(e.currentTarget.value)} inputMode="numeric" maxLength={12} />
        {register.isError && <ErrorNotice error={register.error} action="Could not register the cluster" />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={register.isPending} disabled={!name.trim() || !region.trim() || (session.isOperator && !customerId)}>
            Register
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function IssuedKeyView({ cluster, onDone }: { cluster: RegisteredCluster; onDone(): void }) {
  return (
    <Stack>
      <Alert color="yellow" title="Copy the agent key now" role="alert">
        <Text size="sm">This is the only time the key is shown. If it is lost, rotate it in Settings → Agent keys.</Text>
      </Alert>
      <CopySecret label="Agent API key" value={cluster.api_key} />
      <CopySecret label="Install with the script" value={cluster.install_commands.script} />
      <CopySecret label="Or install with kubectl" value={cluster.install_commands.kubectl} />
      <Text size="sm" c="dimmed">
        Cluster id {cluster.cluster_id}. The cluster turns healthy once its agent sends the first metrics report.
      </Text>
      <Group justify="space-between">
        <Link to={`/clusters/${cluster.cluster_id}`} onClick={onDone}>
          Open the cluster
        </Link>
        <Button onClick={onDone}>I have copied the key</Button>
      </Group>
    </Stack>
  );
}
