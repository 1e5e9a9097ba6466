/**
 * The signed-in frame: a header (menu button on narrow screens, the operator's customer switcher, the live
 * stream's state, the user menu) and the navigation for the user's role; the page in the main landmark, which
 * takes focus after each navigation so keyboard and screen-reader users start at the new content.
 */
import { AppShell, Badge, Burger, Group, Menu, NavLink, Select, Text, Title, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useEffect, useRef } from 'react';
import { useLogout } from '../api/auth.queries.ts';
import { useAdminStream, type StreamStatus } from '../api/admin-stream.ts';
import { useCustomers } from '../api/clusters.queries.ts';
import { navRoutes, resolveRoute } from './routes.tsx';
import { navigate, useLocation } from './router.tsx';
import { ROLE_LABELS, useSession } from './session.tsx';

export function AppLayout() {
  const session = useSession();
  const { pathname } = useLocation();
  const [opened, { toggle, close }] = useDisclosure(false);
  const stream = useAdminStream(true);
  const resolved = resolveRoute(pathname);
  const main = useRef<HTMLElement>(null);
  const title = resolved?.route.title ?? 'Not found';

  useEffect(() => {
    document.title = `${title} · CloudOptim`;
    close();
    main.current?.focus();
  }, [pathname, title, close]);

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
            <Title order={2} fz={{ base: 'md', xs: 'xl' }}>
              CloudOptim
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {session.isOperator && <CustomerSwitcher />}
            <StreamBadge status={stream} />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation" component="nav">
        {navRoutes(session.isOperator).map((route) => {
          const active = route.path === '/' ? pathname === '/' : pathname === route.path || pathname.startsWith(`${route.path}/`);
          return (
            <NavLink
              key={route.path}
              href={route.path}
              label={route.title}
              active={active}
              aria-current={active ? 'page' : undefined}
              onClick={(event) => {
                if (event.metaKey || event.ctrlKey || event.shiftKey) return;
                event.preventDefault();
                navigate(route.path);
              }}
            />
          );
        })}
      </AppShell.Navbar>
      <AppShell.Main id="main" ref={main} tabIndex={-1}>
        {resolved ? (
          resolved.route.render(resolved.params)
        ) : (
          <Text>
            There is no page at {pathname}. <UnstyledButton onClick={() => navigate('/')} c="blue.7" td="underline">Go to the overview</UnstyledButton>
          </Text>
        )}
      </AppShell.Main>
    </AppShell>
  );
}

const STREAM: Record<StreamStatus, { color: string; label: string; title: string }> = {
  live: { color: 'teal', label: 'Live', title: 'Receiving live updates' },
  connecting: { color: 'yellow', label: 'Connecting', title: 'Connecting to live updates' },
  offline: { color: 'red', label: 'Offline', title: 'Live updates are interrupted; retrying' },
};

function StreamBadge({ status }: { status: StreamStatus }) {
  const s = STREAM[status];
  return (
    <Badge color={s.color} variant="dot" title={s.title} aria-live="polite" visibleFrom="xs" data-testid="stream-status">
      {s.label}
    </Badge>
  );
}

function CustomerSwitcher() {
  const session = useSession();
  const customers = useCustomers(true);
  return (
    <Select
      aria-label="Show customer"
      data={[{ value: '', label: 'All customers' }, ...(customers.data ?? []).map((c) => ({ value: c.customer_id, label: c.company_name }))]}
      value={session.customerId ?? ''}
      onChange={(v) => session.setCustomerId(v ? v : null)}
      allowDeselect={false}
      searchable
      size="xs"
      w={{ base: 120, sm: 200 }}
      error={customers.isError ? 'Could not load customers' : undefined}
    />
  );
}

function UserMenu() {
  const session = useSession();
  const logout = useLogout();
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <UnstyledButton aria-label={`Account of ${session.user.email}`}>
          <Group gap={6} wrap="nowrap">
            <Text size="sm" visibleFrom="sm">
              {session.user.email}
            </Text>
            <Text size="sm" hiddenFrom="xs">
              Account
            </Text>
            <Badge variant="light" visibleFrom="xs">
              {ROLE_LABELS[session.role]}
            </Badge>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{session.user.email}</Menu.Label>
        <Menu.Item onClick={() => navigate('/settings?tab=users')}>Users</Menu.Item>
        <Menu.Item color="red" onClick={() => logout.mutate()}>
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
