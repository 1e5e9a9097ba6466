/** Operators: every customer, and a form to add one. */
import { Button, Group, Stack, Table, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useCreateCustomer, useCustomers } from '../../api/clusters.queries.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { dateTime } from '../../components/format.ts';
import { ListPager, pageOf } from '../../components/Pager.tsx';
import { QueryView } from '../../components/QueryView.tsx';

const PAGE = 20;

export function CustomersPanel() {
  const customers = useCustomers(true);
  const create = useCreateCustomer();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [page, setPage] = useState(1);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { company_name: name.trim(), email: email.trim() },
      {
        onSuccess: () => {
          setName('');
          setEmail('');
        },
      },
    );
  };
  return (
    <Stack>
      <form onSubmit={submit} aria-labelledby="new-customer-title">
        <Title order={3} size="h5" id="new-customer-title" mb="xs">
          Add a customer
        </Title>
        <Group align="flex-end">
          <TextInput label="Company" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <TextInput label="Contact e-mail" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
          <Button type="submit" loading={create.isPending} disabled={!name.trim() || !email.trim()}>
            Add customer
          </Button>
        </Group>
        {create.isError && <ErrorNotice error={create.error} action="Could not add the customer" />}
      </form>
      <QueryView query={customers} what="customers" isEmpty={(c) => c.length === 0}>
        {(list) => (
          <>
            <Table.ScrollContainer minWidth={560}>
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Company</Table.Th>
                    <Table.Th scope="col">Contact</Table.Th>
                    <Table.Th scope="col">Status</Table.Th>
                    <Table.Th scope="col">Since</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {pageOf(list, page, PAGE).map((c) => (
                    <Table.Tr key={c.customer_id}>
                      <Table.Td>{c.company_name}</Table.Td>
                      <Table.Td>{c.email ?? '–'}</Table.Td>
                      <Table.Td>{c.status}</Table.Td>
                      <Table.Td>{dateTime(c.created_at)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <ListPager page={page} size={PAGE} total={list.length} onChange={setPage} label="Customers" />
          </>
        )}
      </QueryView>
    </Stack>
  );
}
