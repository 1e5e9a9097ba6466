/** A cluster's agent keys: list them (prefixes only), rotate (the new key shown once), revoke one. */
import { Alert, Badge, Button, Group, NumberInput, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useAgentKeys, useRevokeAgentKey, useRotateAgentKey } from '../../api/clusters.queries.ts';
import { useSession } from '../../app/session.tsx';
import { CopySecret } from '../../components/CopySecret.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { dateTime } from '../../components/format.ts';
import { QueryView } from '../../components/QueryView.tsx';

export function AgentKeysPanel({ clusterId }: { clusterId: string }) {
  const { canWrite } = useSession();
  const keys = useAgentKeys(clusterId);
  const rotate = useRotateAgentKey(clusterId);
  const revoke = useRevokeAgentKey(clusterId);
  const [grace, setGrace] = useState<number>(300);

  return (
    <Stack>
      {canWrite && (
        <Group align="flex-end">
          <NumberInput label="Old keys keep working for (seconds)" description="0 stops them at once" min={0} max={86_400} value={grace} onChange={(v) => setGrace(typeof v === 'number' ? v : 0)} w={260} />
          <Button loading={rotate.isPending} onClick={() => rotate.mutate(grace)}>
            Rotate key
          </Button>
        </Group>
      )}
      {rotate.isError && <ErrorNotice error={rotate.error} action="Could not rotate the key" />}
      {rotate.data && (
        <Alert color="yellow" title="New agent key: copy it now, it is not shown again" role="alert">
          <Stack gap="sm">
            <CopySecret label="New agent API key" value={rotate.data.api_key} />
            <CopySecret label="Install command" value={rotate.data.install_commands.script} />
          </Stack>
        </Alert>
      )}
      {revoke.isError && <ErrorNotice error={revoke.error} action="Could not revoke the key" />}
      <QueryView query={keys} what="agent keys" isEmpty={(k) => k.length === 0}>
        {(list) => (
          <Table.ScrollContainer minWidth={640}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Key</Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                  <Table.Th scope="col">Last used</Table.Th>
                  <Table.Th scope="col">State</Table.Th>
                  {canWrite && <Table.Th scope="col">Action</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((k) => (
                  <Table.Tr key={k.key_id}>
                    <Table.Td>
                      <Text ff="monospace" size="sm">
                        {k.prefix}…
                      </Text>
                    </Table.Td>
                    <Table.Td>{dateTime(k.created_at)}</Table.Td>
                    <Table.Td>{k.last_used_at ? dateTime(k.last_used_at) : 'never'}</Table.Td>
                    <Table.Td>
                      <Badge color={k.active ? 'teal' : 'gray'} variant="light">
                        {k.active ? (k.revoked_at ? `active until ${dateTime(k.revoked_at)}` : 'active') : 'revoked'}
                      </Badge>
                    </Table.Td>
                    {canWrite && (
                      <Table.Td>
                        {k.active && (
                          <Button size="xs" variant="default" color="red" loading={revoke.isPending && revoke.variables === k.key_id} onClick={() => revoke.mutate(k.key_id)} aria-label={`Revoke key ${k.prefix}`}>
                            Revoke
                          </Button>
                        )}
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryView>
    </Stack>
  );
}
