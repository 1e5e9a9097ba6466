/** The three states every data view has besides its data: loading, failed (in words), and empty. */
import { Center, Loader, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorNotice } from './ErrorNotice.tsx';

export interface QueryViewProps<T> {
  query: Pick<UseQueryResult<T>, 'data' | 'error' | 'isPending' | 'isError'>;
  /** What is loading ("clusters"), for the spinner's label and the error title. */
  what: string;
  /** The feature's name when its endpoint may be missing. */
  feature?: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}

export function QueryView<T>({ query, what, feature, isEmpty, empty, children }: QueryViewProps<T>) {
  if (query.isPending) {
    return (
      <Center py="lg" role="status" aria-live="polite">
        <Loader size="sm" aria-hidden />
        <Text size="sm" c="dimmed" ml="sm">
          Loading {what}…
        </Text>
      </Center>
    );
  }
  if (query.isError) return <ErrorNotice error={query.error} action={`Could not load the ${what}`} {...(feature && { feature })} />;
  const data = query.data as T;
  if (isEmpty?.(data)) {
    return (
      <Text c="dimmed" size="sm" py="md" role="status">
        {empty ?? `No ${what} yet.`}
      </Text>
    );
  }
  return <>{children(data)}</>;
}
