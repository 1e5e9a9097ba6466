/**
 * A small client-side router over the History API (central serves index.html for every non-API path, so deep
 * links work). `navigate` pushes a path; `useLocation` re-renders on navigation and on back/forward; `Link` is
 * a real `<a href>` (keyboard, middle-click and "open in new tab" keep working) that navigates in place.
 */
import { Anchor, type AnchorProps } from '@mantine/core';
import { useCallback, useSyncExternalStore, type MouseEvent, type ReactNode } from 'react';

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  for (const listener of listeners) listener();
}

export interface AppLocation {
  pathname: string;
  search: URLSearchParams;
}

export function useLocation(): AppLocation {
  const href = useSyncExternalStore(subscribe, snapshot, snapshot);
  const [pathname, query = ''] = href.split('?');
  return { pathname: pathname ?? '/', search: new URLSearchParams(query) };
}

/** A query-string parameter as state: setting it replaces the history entry (filters, paging). */
export function useSearchParam(name: string): [string | null, (value: string | null) => void] {
  const { pathname, search } = useLocation();
  const value = search.get(name);
  const set = useCallback(
    (next: string | null) => {
      const params = new URLSearchParams(window.location.search);
      if (next === null || next === '') params.delete(name);
      else params.set(name, next);
      const text = params.toString();
      navigate(text ? `${pathname}?${text}` : pathname, { replace: true });
    },
    [name, pathname],
  );
  return [value, set];
}

/** Matches `/clusters/:cluster_id` against a path: the parameters, or null. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = pathname.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const h = have[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(h);
    else if (w !== h) return null;
  }
  return params;
}

export interface LinkProps extends AnchorProps {
  to: string;
  children: ReactNode;
  'aria-label'?: string;
  /** Called before navigating (e.g. to close a dialog). */
  onClick?: () => void;
}

export function Link({ to, children, onClick: before, ...rest }: LinkProps) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    before?.();
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <Anchor href={to} onClick={onClick} {...rest}>
      {children}
    </Anchor>
  );
}
