import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import {
  Button,
  ComboBox,
  Form,
  Input,
  Label,
  Link,
  ListBox,
  ListBoxItem,
  Popover,
  Radio,
  RadioGroup,
  Select,
  SelectValue,
  Text,
} from 'react-aria-components';
import { ApiError } from '../api/client';
import { useLocale, useT } from '../locale';
import { navigate, useLocationSearch } from '../router';
import { useSignedInSession } from '../session';
import { SelectField } from '../ui/SelectField';
import { EmptyState, ErrorState, Loading } from '../ui/states';
import { searchDirectory } from './api';
import { DirectoryLayout } from './DirectoryLayout';
import { languageName } from './format';
import { LANGUAGE_CODES, useTerms } from './queries';
import { ResultItem } from './ResultItem';
import { ResultPlot } from './ResultPlot';
import { canManage, directoryPaths, rememberSearch } from './routes';
import {
  hasCriteria,
  PAGE_SIZE,
  RADIUS_OPTIONS,
  readSearchState,
  type SearchState,
  toApiQuery,
  writeSearchState,
} from './searchParams';
import { CheckboxField } from './widgets';

/** Keys typed into a field or inside a widget belong to it; `/` only jumps to the search box from elsewhere. */
function typingSomewhere(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target.closest('input, textarea, select, [role="listbox"], [role="menu"], [role="dialog"]') !== null
  );
}

/** The advocate's search: what, where, for whom; results as a dense list with a small distance plot. */
export function SearchPage() {
  const t = useT();
  const { locale } = useLocale();
  const lang = locale.startsWith('fr') ? 'fr' : 'en';
  const search = useLocationSearch();
  const state = useMemo(() => readSearchState(search), [search]);
  const [q, setQ] = useState(state.q);
  const [place, setPlace] = useState(state.place);
  const queryInput = useRef<HTMLInputElement>(null);
  const terms = useTerms();
  const { user } = useSignedInSession();

  // Back/forward brings another search: the text fields follow it.
  useEffect(() => {
    setQ(state.q);
    setPlace(state.place);
  }, [state.q, state.place]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented)
        return;
      if (typingSomewhere(event.target)) return;
      event.preventDefault();
      queryInput.current?.focus();
      queryInput.current?.select();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  const go = (patch: Partial<SearchState>, replace = false) =>
    navigate(directoryPaths.search(writeSearchState({ ...state, q, place, page: 0, ...patch })), { replace });

  const active = hasCriteria(state);
  const key = writeSearchState(state);
  useEffect(() => rememberSearch(key), [key]);
  const results = useQuery({
    queryKey: ['directory', 'search', key, lang],
    queryFn: ({ signal }) => searchDirectory(toApiQuery(state, lang), signal),
    enabled: active,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    go({});
  };

  const populationOptions = terms.data?.populations ?? [];
  const typeOptions = terms.data?.serviceTypes ?? [];
  const languageOptions = useMemo(
    () =>
      [{ id: '', label: t('directory.filter.anyLanguage') }].concat(
        LANGUAGE_CODES.map((code) => ({ id: code, label: languageName(code, locale) })).sort((a, b) =>
          a.label.localeCompare(b.label, locale),
        ),
      ),
    [locale, t],
  );
  const data = results.data;
  const from = data ? data.offset + 1 : 0;
  const to = data ? data.offset + data.items.length : 0;
  const countText = data
    ? t(data.totalCapped ? 'directory.results.countCapped' : 'directory.results.count', {
        total: data.total,
        from,
        to,
      })
    : '';

  return (
    <DirectoryLayout
      current="search"
      title={t('directory.search.title')}
      actions={
        canManage(user.role) ? (
          <Link href={directoryPaths.newOrganization} className="button">
            {t('directory.record.new.organization')}
          </Link>
        ) : undefined
      }
    >
      <Form
        className="directory-search"
        onSubmit={onSubmit}
        role="search"
        aria-label={t('directory.search.title')}
      >
        <div className="search-row">
          <div className="field search-what">
            <Label className="field-label" htmlFor="directory-q">
              {t('directory.search.what')}
            </Label>
            <Input
              id="directory-q"
              ref={queryInput}
              className="input"
              type="search"
              value={q}
              maxLength={200}
              onChange={(e) => setQ(e.target.value)}
              aria-describedby="directory-q-help"
              autoComplete="off"
            />
            <Text id="directory-q-help" className="field-description">
              {t('directory.search.whatHelp')}
            </Text>
          </div>
          <div className="field search-place">
            <Label className="field-label" htmlFor="directory-place">
              {t('directory.search.place')}
            </Label>
            <Input
              id="directory-place"
              className="input"
              value={place}
              maxLength={100}
              onChange={(e) => setPlace(e.target.value)}
              aria-describedby="directory-place-help"
              autoComplete="off"
            />
            <Text id="directory-place-help" className="field-description">
              {t('directory.search.placeHelp')}
            </Text>
          </div>
          <div className="search-radius">
            <SelectField
              label={t('directory.search.radius')}
              options={RADIUS_OPTIONS.map((r) => ({
                id: String(r),
                label: t('directory.search.km', { km: r }),
              }))}
              value={String(state.radiusKm)}
              onChange={(v) => go({ radiusKm: Number(v) }, true)}
            />
          </div>
          <div className="search-submit">
            <Button type="submit" className="button primary">
              {t('directory.search.submit')}
            </Button>
          </div>
        </div>
        <fieldset className="filters">
          <legend className="visually-hidden">{t('directory.filter.legend')}</legend>
          <RadioGroup
            className="field search-mode"
            value={state.mode}
            onChange={(v) => go({ mode: v === 'serving' ? 'serving' : 'near' }, true)}
          >
            <Label className="field-label">{t('directory.search.mode')}</Label>
            <div className="radio-row">
              <Radio value="near" className="radio">
                <span className="radio-dot" aria-hidden="true" />
                {t('directory.search.modeNear')}
              </Radio>
              <Radio value="serving" className="radio">
                <span className="radio-dot" aria-hidden="true" />
                {t('directory.search.modeServing')}
              </Radio>
            </div>
          </RadioGroup>
          <Select
            className="field filter-populations"
            selectionMode="multiple"
            value={state.populations}
            onChange={(keys) => go({ populations: (keys as (string | number)[]).map(String) }, true)}
            placeholder={t('directory.filter.anyPopulation')}
          >
            <Label className="field-label">{t('directory.filter.populations')}</Label>
            <Button className="input select-button">
              <SelectValue className="select-value" />
              <span aria-hidden="true" className="chevron">
                ▾
              </span>
            </Button>
            <Popover className="popover">
              <ListBox className="listbox" items={populationOptions}>
                {(term) => (
                  <ListBoxItem id={term.code} className="listbox-item" textValue={term.name}>
                    {term.name}
                  </ListBoxItem>
                )}
              </ListBox>
            </Popover>
          </Select>
          <ComboBox
            className="field filter-type"
            selectedKey={state.type}
            onSelectionChange={(k) => go({ type: k === null ? null : String(k) }, true)}
            defaultItems={typeOptions}
            menuTrigger="focus"
          >
            <Label className="field-label">{t('directory.filter.type')}</Label>
            <div className="combo-row">
              <Input className="input" placeholder={t('directory.filter.anyType')} />
              <Button className="button small combo-button" aria-label={t('directory.filter.showTypes')}>
                <span aria-hidden="true">▾</span>
              </Button>
            </div>
            <Popover className="popover">
              <ListBox className="listbox">
                {(term: { code: string; name: string }) => (
                  <ListBoxItem id={term.code} className="listbox-item" textValue={term.name}>
                    {term.name}
                  </ListBoxItem>
                )}
              </ListBox>
            </Popover>
          </ComboBox>
          {state.type && (
            <Button className="button small clear-type" onPress={() => go({ type: null }, true)}>
              {t('directory.filter.clearType')}
            </Button>
          )}
          <div className="filter-language">
            <SelectField
              label={t('directory.filter.language')}
              options={languageOptions}
              value={state.language ?? ''}
              onChange={(v) => go({ language: v || null }, true)}
            />
          </div>
          <div className="filter-flags">
            <CheckboxField isSelected={state.openNow} onChange={(v) => go({ openNow: v }, true)}>
              {t('directory.filter.openNow')}
            </CheckboxField>
            <CheckboxField isSelected={state.hasCapacity} onChange={(v) => go({ hasCapacity: v }, true)}>
              {t('directory.filter.hasCapacity')}
            </CheckboxField>
          </div>
        </fieldset>
      </Form>

      <section className="results" aria-labelledby="results-heading">
        <h2 id="results-heading" className="visually-hidden">
          {t('directory.results.heading')}
        </h2>
        <p role="status" className="results-summary">
          {!active ? '' : data ? (data.total === 0 ? t('directory.results.none') : countText) : ''}
        </p>
        {!active && (
          <EmptyState>
            <p>{t('directory.search.hint')}</p>
          </EmptyState>
        )}
        {active && results.isPending && <Loading label={t('directory.results.loading')} />}
        {active && results.isError && (
          // A 4xx (unknown place, bad code) will not fix itself: no "try again" for those.
          <ErrorState
            error={results.error}
            onRetry={
              results.error instanceof ApiError && results.error.status < 500
                ? undefined
                : () => void results.refetch()
            }
          />
        )}
        {active && data && (
          <>
            {data.place?.approximate && (
              <p className="notice notice-warning">
                <span aria-hidden="true">⚠ </span>
                {t('directory.results.approximate', { province: data.place.province ?? '' })}
              </p>
            )}
            {data.fuzzy && (
              <p className="notice">
                <span aria-hidden="true" className="info-icon">
                  i
                </span>
                {t('directory.results.fuzzy')}
              </p>
            )}
            {data.total === 0 ? (
              <EmptyState>
                <p>{t('directory.results.emptyHelp')}</p>
              </EmptyState>
            ) : (
              <div className={`results-layout${results.isFetching ? ' is-refreshing' : ''}`}>
                <ol className="result-list" start={from}>
                  {data.items.map((item, i) => (
                    <ResultItem key={item.id} item={item} number={from + i} />
                  ))}
                </ol>
                {data.place && data.place.latitude !== null && data.mode === 'near' && (
                  <ResultPlot response={data} first={from} />
                )}
              </div>
            )}
            {data.total > PAGE_SIZE && (
              <nav className="pager" aria-label={t('directory.results.pages')}>
                <Button
                  className="button small"
                  isDisabled={state.page === 0}
                  onPress={() => go({ page: state.page - 1 })}
                >
                  {t('directory.results.previous')}
                </Button>
                <span>{countText}</span>
                <Button
                  className="button small"
                  isDisabled={to >= data.total}
                  onPress={() => go({ page: state.page + 1 })}
                >
                  {t('directory.results.next')}
                </Button>
              </nav>
            )}
          </>
        )}
      </section>
    </DirectoryLayout>
  );
}
