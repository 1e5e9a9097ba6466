/**
 * Paging for the server's offset pages: `next_offset` (null on the last page) drives "Next"; or, when the
 * total is known, numbered pages.
 */
import { Button, Group, Pagination, Text } from '@mantine/core';

export interface OffsetPagerProps {
  offset: number;
  limit: number;
  /** Rows on this page. */
  count: number;
  nextOffset: number | null;
  onChange(offset: number): void;
  label: string;
}

export function OffsetPager({ offset, limit, count, nextOffset, onChange, label }: OffsetPagerProps) {
  if (offset === 0 && nextOffset === null) return null;
  return (
    <Group justify="space-between" mt="sm" aria-label={`${label} pages`} role="navigation">
      <Text size="sm" c="dimmed">
        {count === 0 ? 'No rows' : `Rows ${offset + 1}–${offset + count}`}
      </Text>
      <Group gap="xs">
        <Button variant="default" size="xs" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
          Previous
        </Button>
        <Button variant="default" size="xs" disabled={nextOffset === null} onClick={() => nextOffset !== null && onChange(nextOffset)}>
          Next
        </Button>
      </Group>
    </Group>
  );
}

export function TotalPager({ offset, limit, total, onChange, label }: { offset: number; limit: number; total: number; onChange(offset: number): void; label: string }) {
  const pages = Math.ceil(total / limit);
  if (pages <= 1) return null;
  return (
    <Group justify="space-between" mt="sm">
      <Text size="sm" c="dimmed">
        {total} {label}
      </Text>
      <Pagination total={pages} value={Math.floor(offset / limit) + 1} onChange={(page) => onChange((page - 1) * limit)} size="sm" getControlProps={(control) => ({ 'aria-label': `${control} page` })} />
    </Group>
  );
}

/** Client-side paging of a list the server sends whole: the rows of the current page. */
export function pageOf<T>(rows: readonly T[], page: number, size: number): T[] {
  return rows.slice((page - 1) * size, page * size);
}

export function ListPager({ page, size, total, onChange, label }: { page: number; size: number; total: number; onChange(page: number): void; label: string }) {
  const pages = Math.ceil(total / size);
  if (pages <= 1) return null;
  return (
    <Group justify="flex-end" mt="sm">
      <Pagination total={pages} value={page} onChange={onChange} size="sm" aria-label={`${label} pages`} />
    </Group>
  );
}
