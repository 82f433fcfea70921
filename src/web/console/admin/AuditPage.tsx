import { useInfiniteQuery } from '@tanstack/react-query';
import { Cell, Column, Row, Table, TableBody, TableHeader } from 'react-aria-components';
import { AUDIT_PAGE_SIZE, listAuditEvents } from '../api/endpoints';
import { useLocale, useT } from '../locale';
import { PendingButton } from '../ui/PendingButton';
import { EmptyState, ErrorState, Loading } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { AdminLayout } from './AdminLayout';
import { adminKeys } from './queries';

/** Identifiers are long UUIDs: the first 8 characters tell rows apart; the whole value is on hover. */
function ShortId({ value }: { value: string }) {
  return (
    <code className="short-id" title={value}>
      {value.length > 12 ? `${value.slice(0, 8)}…` : value}
    </code>
  );
}

/** The latest audit events, newest first, paged backwards with `before`. */
export function AuditPage() {
  const t = useT();
  const { locale } = useLocale();
  const audit = useInfiniteQuery({
    queryKey: adminKeys.audit,
    queryFn: ({ pageParam }) => listAuditEvents(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) =>
      last.events.length >= AUDIT_PAGE_SIZE ? last.events[last.events.length - 1]?.id : undefined,
  });

  const events = audit.data?.pages.flatMap((p) => p.events);

  return (
    <AdminLayout current="admin-audit" title={t('audit.title')}>
      <p className="muted">{t('audit.intro')}</p>
      {audit.isPending && <Loading label={t('audit.loading')} />}
      {audit.isError && !events && <ErrorState error={audit.error} onRetry={() => void audit.refetch()} />}
      {events && events.length === 0 && <EmptyState>{t('audit.empty')}</EmptyState>}
      {events && events.length > 0 && (
        <>
          <div className="table-wrap">
            <Table aria-label={t('audit.tableLabel')} className="table">
              <TableHeader>
                <Column isRowHeader className="column">
                  {t('audit.col.at')}
                </Column>
                <Column className="column">{t('audit.col.actor')}</Column>
                <Column className="column">{t('audit.col.action')}</Column>
                <Column className="column">{t('audit.col.target')}</Column>
                <Column className="column">{t('audit.col.reason')}</Column>
                <Column className="column">{t('audit.col.request')}</Column>
              </TableHeader>
              <TableBody items={events} dependencies={[locale]}>
                {(e) => (
                  <Row id={e.id} className="row">
                    <Cell className="cell nowrap">
                      <RelativeTime value={e.at} />
                    </Cell>
                    <Cell className="cell">
                      {e.actorEmail ?? <span className="muted">{t('audit.system')}</span>}
                    </Cell>
                    <Cell className="cell nowrap">
                      <code>{e.action}</code>
                    </Cell>
                    <Cell className="cell nowrap">
                      {e.targetType ? (
                        <span className="small-text">
                          {e.targetType} {e.targetId && <ShortId value={e.targetId} />}
                        </span>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </Cell>
                    <Cell className="cell">{e.reason ?? <span className="muted">—</span>}</Cell>
                    <Cell className="cell small-text">
                      {e.requestId ? <ShortId value={e.requestId} /> : <span className="muted">—</span>}
                    </Cell>
                  </Row>
                )}
              </TableBody>
            </Table>
          </div>
          <p role="status" className="muted">
            {t('audit.count', { count: events.length })}
          </p>
          {audit.isError && <ErrorState error={audit.error} />}
          {audit.hasNextPage ? (
            <PendingButton
              className="button"
              onPress={() => void audit.fetchNextPage()}
              isPending={audit.isFetchingNextPage}
            >
              {t('audit.loadMore')}
            </PendingButton>
          ) : (
            <p className="muted">{t('audit.end')}</p>
          )}
        </>
      )}
    </AdminLayout>
  );
}
