/** Sign in with e-mail and password; the session lives in an HTTP-only cookie set by central. */
import { Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useLogin } from '../../api/auth.queries.ts';
import { toApiError } from '../../api/api-error.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';

export function LoginPage() {
  const login = useLogin();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ email: email.trim(), password });
  };
  const wrongCredentials = login.isError && toApiError(login.error).code === 'UNAUTHENTICATED';

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={400}>
        <form onSubmit={submit} aria-labelledby="login-title" noValidate>
          <Stack>
            <div>
              <Title order={1} size="h2" id="login-title">
                Sign in to CloudOptim
              </Title>
              <Text size="sm" c="dimmed">
                The console for your clusters’ cost, Spot capacity and savings.
              </Text>
            </div>
            <TextInput label="E-mail" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} data-autofocus autoFocus />
            <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
            {wrongCredentials ? (
              <Text c="red.8" size="sm" role="alert">
                The e-mail or the password is wrong.
              </Text>
            ) : (
              login.isError && <ErrorNotice error={login.error} action="Could not sign in" />
            )}
            <Button type="submit" loading={login.isPending} disabled={!email || !password}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
