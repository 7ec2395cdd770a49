import type { ReactElement, ReactNode } from 'react';
import { Table, TableBody, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';
import type { Paged } from './hooks';
import { TableScroll } from './layout';
import { EmptyState, ErrorState, LoadMore, Loading } from './ui';

/**
 * A cursor-paged list (usePaged) as a table: a spinner while the first page loads, its error (retry
 * reloads) when nothing has loaded, `empty` when there is nothing, else the table and "load more".
 * `label` names both the scroll region and the table; `headers` are the column headings (`false` or
 * `undefined` leaves that column out); `row` renders one item as its `<TableRow key=…>`. An error
 * while loading more is shown under the table (never dropped), its retry loading the next page again.
 */
export function PagedTable<T>({
  list,
  label,
  minWidth,
  headers,
  row,
  empty,
}: {
  list: Paged<T>;
  label: string;
  minWidth: number;
  headers: (string | false | undefined)[];
  row: (item: T) => ReactElement;
  empty: ReactNode;
}) {
  if (list.loading) return <Loading />;
  if (list.error && !list.items.length) return <ErrorState error={list.error} onRetry={list.reload} />;
  if (!list.items.length) return <EmptyState>{empty}</EmptyState>;
  return (
    <>
      <TableScroll label={label}>
        <Table aria-label={label} size="small" style={{ minWidth }}>
          <TableHeader>
            <TableRow>{headers.map((h, i) => typeof h === 'string' && <TableHeaderCell key={i}>{h}</TableHeaderCell>)}</TableRow>
          </TableHeader>
          <TableBody>{list.items.map((item) => row(item))}</TableBody>
        </Table>
      </TableScroll>
      {list.error != null && <ErrorState error={list.error} onRetry={list.loadMore} />}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} />
    </>
  );
}
