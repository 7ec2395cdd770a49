import { Link } from 'react-router';
import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';
import { api } from '../api/client';
import type { CustomerRow, Page } from '../api/types';
import { useFormat, useT } from '../i18n';
import { RelationshipBadge, relationshipKey } from './badges';
import { usePaged } from './hooks';
import { TableScroll } from './layout';
import { EmptyState, ErrorState, LoadMore, Loading } from './ui';

export function useCustomerDomain() {
  // The customer's initial domain, as its cloud names it.
  return (prefix: string, cloud: string) => (cloud === '21vianet' ? `${prefix}.partner.onmschina.cn` : `${prefix}.onmicrosoft.com`);
}

export function CustomerTable({ q, filter, cloud, limit = 50 }: { q?: string; filter?: string; cloud: string; limit?: number }) {
  const t = useT();
  const f = useFormat();
  const domain = useCustomerDomain();
  const list = usePaged<CustomerRow>(
    (cursor, signal) =>
      api.get<Page<CustomerRow>>('/customers', { query: { q: q || undefined, delegatedAdmin: filter || undefined, cursor, limit }, signal }),
    [q, filter, limit],
  );
  if (list.loading) return <Loading />;
  if (list.error && list.items.length === 0) return <ErrorState error={list.error} onRetry={list.reload} />;
  if (list.items.length === 0 && !list.hasMore) {
    return <EmptyState>{q ? t('customers.noMatch', { q }) : t('customers.empty')}</EmptyState>;
  }
  return (
    <>
      <TableScroll label={t('customers.tableLabel')}>
        <Table aria-label={t('customers.tableLabel')} size="small" style={{ minWidth: 560 }}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{t('customers.name')}</TableHeaderCell>
              <TableHeaderCell>{t('customers.domain')}</TableHeaderCell>
              <TableHeaderCell>{t('customers.relationship')}</TableHeaderCell>
              <TableHeaderCell>{t('customers.subscriptions')}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {list.items.map((c) => {
              const k = relationshipKey(c.relationship);
              return (
                <TableRow key={c.customerId}>
                  <TableCell>
                    {k === 'active' || k === 'expiring' ? <Link to={`/customers/${c.customerId}`}>{c.name}</Link> : c.name}
                  </TableCell>
                  <TableCell style={{ overflowWrap: 'anywhere' }}>{domain(c.domainPrefix, cloud)}</TableCell>
                  <TableCell>
                    <RelationshipBadge relationship={c.relationship} />
                  </TableCell>
                  <TableCell>{f.number(c.subscriptionCount)}</TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </TableScroll>
      {list.error != null && <ErrorState error={list.error} onRetry={list.loadMore} />}
      {list.items.length === 0 && list.hasMore && <EmptyState>{t('customers.filteredWindowEmpty')}</EmptyState>}
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={list.loadMore} />
    </>
  );
}
