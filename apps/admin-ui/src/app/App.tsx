/** The console: sign-in until there is a session, then the signed-in frame for the user's role. */
import { Button, Center, Loader, Stack } from '@mantine/core';
import { useMe } from '../api/auth.queries.ts';
import { ErrorNotice } from '../components/ErrorNotice.tsx';
import { LoginPage } from '../features/login/LoginPage.tsx';
import { AppLayout } from './AppLayout.tsx';
import { SessionProvider } from './session.tsx';

export function App() {
  const me = useMe();
  if (me.isPending) {
    return (
      <Center mih="100vh" role="status" aria-label="Loading">
        <Loader />
      </Center>
    );
  }
  if (me.isError) {
    return (
      <Center mih="100vh" p="md">
        <Stack maw={480}>
          <ErrorNotice error={me.error} action="Could not reach CloudOptim" />
          <Button onClick={() => void me.refetch()}>Try again</Button>
        </Stack>
      </Center>
    );
  }
  if (!me.data) return <LoginPage />;
  return (
    <SessionProvider user={me.data} key={me.data.id}>
      <AppLayout />
    </SessionProvider>
  );
}
