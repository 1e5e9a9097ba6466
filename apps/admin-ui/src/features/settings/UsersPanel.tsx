/** A customer's users (e-mail, role, last sign-in); admins add users with a role. */
import { Badge, Button, Group, PasswordInput, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useCreateUser, useUsers } from '../../api/settings.queries.ts';
import { ROLE_LABELS, useSession } from '../../app/session.tsx';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { dateTime } from '../../components/format.ts';
import { ListPager, pageOf } from '../../components/Pager.tsx';
import { QueryView } from '../../components/QueryView.tsx';

const PAGE = 20;

export function UsersPanel({ customerId }: { customerId: string }) {
  const { canWrite } = useSession();
  const users = useUsers(customerId);
  const [page, setPage] = useState(1);
  return (
    <Stack>
      {canWrite && <CreateUserForm customerId={customerId} />}
      <QueryView query={users} what="users" isEmpty={(u) => u.length === 0}>
        {(list) => (
          <>
            <Table.ScrollContainer minWidth={560}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">E-mail</Table.Th>
                    <Table.Th scope="col">Role</Table.Th>
                    <Table.Th scope="col">Created</Table.Th>
                    <Table.Th scope="col">Last sign-in</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {pageOf(list, page, PAGE).map((u) => (
                    <Table.Tr key={u.id}>
                      <Table.Td>
                        {u.email}
                        {u.disabled && (
                          <Badge color="gray" ml="xs">
                            disabled
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td>{ROLE_LABELS[u.role]}</Table.Td>
                      <Table.Td>{dateTime(u.created_at)}</Table.Td>
                      <Table.Td>{u.last_login_at ? dateTime(u.last_login_at) : 'never'}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <ListPager page={page} size={PAGE} total={list.length} onChange={setPage} label="Users" />
          </>
        )}
      </QueryView>
    </Stack>
  );
}

function CreateUserForm({ customerId }: { customerId: string }) {
  const create = useCreateUser(customerId);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<'customer_admin' | 'customer_viewer'>('customer_viewer');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { email: email.trim(), password, role },
      {
        onSuccess: () => {
          setEmail('');
          setPassword('');
        },
      },
    );
  };
  return (
    <form onSubmit={submit} aria-labelledby="new-user-title">
      <Title order={3} size="h5" id="new-user-title" mb="xs">
        Add a user
      </Title>
      <Group align="flex-end">
        <TextInput label="E-mail" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
        <PasswordInput label="Initial password" description="At least 12 characters" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} autoComplete="new-password" />
        <Select
          label="Role"
          data={[
            { value: 'customer_viewer', label: 'Viewer (read only)' },
            { value: 'customer_admin', label: 'Admin' },
          ]}
          value={role}
          onChange={(v) => v && setRole(v as typeof role)}
          allowDeselect={false}
        />
        <Button type="submit" loading={create.isPending} disabled={!email || !password}>
          Add user
        </Button>
      </Group>
      {create.isError && <ErrorNotice error={create.error} action="Could not add the user" />}
    </form>
  );
}
