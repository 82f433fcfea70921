import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useT } from '../locale';
import { navigate, useLocationSearch } from '../router';
import { usePageTitle } from '../shell/usePageTitle';
import { PendingButton } from '../ui/PendingButton';
import { ErrorState, Loading } from '../ui/states';
import { searchCases, searchParamsOf } from './api';
import { BreakGlassDialog } from './BreakGlassDialog';
import { CaseResults, CaseSearchForm, draftToParams, paramsToDraft } from './CaseSearch';
import { caseKeys } from './caseQuery';
import { casePaths } from './paths';
import './cases.css';

/** Case search and list: open cases by last activity; filters live in the address (no personal data in them). */
export function CasesPage() {
  const t = useT();
  usePageTitle(t('cases.title'));
  const search = useLocationSearch();
  const draft = paramsToDraft(new URLSearchParams(search));
  const params = draftToParams(draft);
  const query = searchParamsOf(params);
  const [breakGlass, setBreakGlass] = useState<string | null>(null);
  // Keyset pages (newest activity first): "More cases" asks for the next page with the cursor of the last one.
  const result = useInfiniteQuery({
    queryKey: caseKeys.search(query),
    queryFn: ({ pageParam }) => searchCases(pageParam ? { ...params, cursor: pageParam } : params),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const pages = result.data?.pages ?? [];
  const merged = pages.length
    ? {
        items: pages.flatMap((p) => p.items),
        next_cursor: pages[pages.length - 1]?.next_cursor ?? null,
        ...(pages[0]?.restricted ? { restricted: pages[0].restricted } : {}),
      }
    : null;

  return (
    <div className="page stack cases-page">
      <div className="page-head">
        <h1 className="page-title">{t('cases.title')}</h1>
      </div>
      <CaseSearchForm
        key={search}
        initial={draft}
        isPending={result.isFetching}
        idPrefix="cases"
        onSearch={(next) => navigate(casePaths.search(searchParamsOf(draftToParams(next))))}
      />
      <section aria-labelledby="case-results-heading" className="stack">
        <h2 id="case-results-heading" className="section-title">
          {t('cases.results')}
        </h2>
        {result.isPending ? (
          <Loading label={t('cases.loading')} />
        ) : result.isError ? (
          <ErrorState error={result.error} onRetry={() => result.refetch()} />
        ) : merged ? (
          <>
            <CaseResults result={merged} onBreakGlass={setBreakGlass} />
            {result.hasNextPage && (
              <PendingButton
                className="button"
                isPending={result.isFetchingNextPage}
                onPress={() => void result.fetchNextPage()}
              >
                {t('cases.search.more')}
              </PendingButton>
            )}
          </>
        ) : null}
      </section>
      {breakGlass && <BreakGlassDialog reference={breakGlass} onClose={() => setBreakGlass(null)} />}
    </div>
  );
}
