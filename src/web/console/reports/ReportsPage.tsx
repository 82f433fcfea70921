import { useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { Button, Link } from 'react-aria-components';
import { useIntl } from 'react-intl';
import type { MessageId } from '../../i18n/messages';
import { type CodeGroup, codeLabel } from '../cases/labels';
import { labelFor, NEED_LABELS } from '../cases/referrals.labels';
import { useLocale, useT } from '../locale';
import { navigate, paths, useLocationSearch } from '../router';
import { usePageTitle } from '../shell/usePageTitle';
import { EmptyState, ErrorState, Loading } from '../ui/states';
import { downloadCsv } from './csv';
import {
  fiscalYearLabel,
  fiscalYearPresets,
  isoDay,
  MAX_PERIOD_YEARS,
  matchingPreset,
  type Period,
  type PeriodProblem,
  periodFromSearch,
  periodProblem,
  periodSearch,
} from './period';
import { type FieldCounts, fetchNeeds, fetchScreening, type NeedsReport, reportKeys } from './reports.api';
import './reports.css';

type T = ReturnType<typeof useT>;
type Row = { key: string; head: string; values: (string | number)[]; marker?: boolean };

/** Screening fields and people's fields: their label and the code group that names their codes. */
const SCREENING_FIELDS: Record<string, { label: MessageId; group: CodeGroup; multiple?: boolean }> = {
  safety: { label: 'screening.field.safety', group: 'safety' },
  classification: { label: 'screening.field.classification', group: 'classification' },
  needs: { label: 'screening.field.needs', group: 'need', multiple: true },
};
const PERSON_FIELDS: Record<string, { label: MessageId; group: CodeGroup; multiple?: boolean }> = {
  gender: { label: 'cases.person.gender', group: 'gender' },
  age_band: { label: 'cases.person.ageBand', group: 'age_band' },
  exploitation_types: { label: 'cases.person.exploitation', group: 'exploitation', multiple: true },
};

const problemMessage = (t: T, problem: PeriodProblem) =>
  problem === 'tooLong'
    ? t('reports.period.tooLong', { years: MAX_PERIOD_YEARS })
    : t(problem === 'order' ? 'reports.period.order' : 'reports.period.invalid');

/**
 * Reports for supervisors and analysts: the needs referrals answer and the screening answers (with people's coded
 * fields), over a period kept in the address (?from=&to=, days included) so a report can be bookmarked.
 */
export function ReportsPage() {
  const t = useT();
  usePageTitle(t('reports.title'));
  const today = isoDay(new Date());
  const period = periodFromSearch(useLocationSearch(), today);
  const problem = periodProblem(period);
  return (
    <div className="page stack reports-page">
      <div className="page-head">
        <h1 className="page-title">{t('reports.title')}</h1>
      </div>
      <p className="reports-intro">{t('reports.intro')}</p>
      <PeriodPicker period={period} today={today} problem={problem} />
      {!problem && (
        <>
          <NeedsSection period={period} />
          <ScreeningSection period={period} />
        </>
      )}
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="page-section stack" aria-labelledby={id}>
      <h2 id={id} className="section-title">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** A day (YYYY-MM-DD) in words, in the UI's language ("April 1, 2021" / "1 avril 2021"). */
function useDayText() {
  const intl = useIntl();
  return (day: string) => {
    const [y, m, d] = day.split('-').map(Number);
    return intl.formatDate(new Date(y ?? 0, (m ?? 1) - 1, d ?? 1), { dateStyle: 'long' });
  };
}

function PeriodPicker({
  period,
  today,
  problem,
}: {
  period: Period;
  today: string;
  problem: PeriodProblem | null;
}) {
  const t = useT();
  const { locale } = useLocale();
  const dayText = useDayText();
  const presets = fiscalYearPresets(today);
  const active = matchingPreset(period, presets);
  const presetsId = useId();
  const [draft, setDraft] = useState(period);
  const [error, setError] = useState<PeriodProblem | null>(null);
  const [shown, setShown] = useState(period);
  // A new address (a preset, back/forward) resets the custom fields to it.
  if (shown.from !== period.from || shown.to !== period.to) {
    setShown(period);
    setDraft(period);
    setError(null);
  }
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = periodProblem(draft);
    setError(found);
    if (!found) navigate(`${paths.reports}${periodSearch(draft)}`);
  };
  return (
    <Section title={t('reports.period.title')}>
      <p id={presetsId} className="field-label">
        {t('reports.period.fiscalYears')}
      </p>
      <ul className="report-presets" aria-labelledby={presetsId}>
        {presets.map((y, i) => (
          <li key={y.start}>
            <Link
              href={`${paths.reports}${periodSearch(y)}`}
              className="report-preset"
              aria-current={active?.start === y.start ? 'page' : undefined}
            >
              {t('reports.period.fiscalYear', { label: fiscalYearLabel(y.start, locale) })}
              {i === 0 && <span className="muted"> ({t('reports.period.current')})</span>}
            </Link>
          </li>
        ))}
      </ul>
      <form className="report-custom" onSubmit={submit} noValidate aria-labelledby={`${presetsId}-custom`}>
        <p id={`${presetsId}-custom`} className="field-label report-custom-title">
          {t('reports.period.custom')}
        </p>
        <div className="report-custom-fields">
          <DayField
            id={`${presetsId}-from`}
            label={t('reports.period.from')}
            value={draft.from}
            errorId={error ? `${presetsId}-error` : undefined}
            onChange={(from) => setDraft({ ...draft, from })}
          />
          <DayField
            id={`${presetsId}-to`}
            label={t('reports.period.to')}
            value={draft.to}
            errorId={error ? `${presetsId}-error` : undefined}
            onChange={(to) => setDraft({ ...draft, to })}
          />
          <Button type="submit" className="button primary">
            {t('reports.period.show')}
          </Button>
        </div>
        <div id={`${presetsId}-error`} role="alert" className={error ? 'form-error' : 'form-error-slot'}>
          {error && problemMessage(t, error)}
        </div>
      </form>
      {problem ? (
        <p className="form-error" role="alert">
          {t('reports.period.badAddress', { problem: problemMessage(t, problem) })}
        </p>
      ) : (
        <p className="status-line report-showing" role="status">
          {t('reports.period.showing', { from: dayText(period.from), to: dayText(period.to) })}
        </p>
      )}
    </Section>
  );
}

/** A percentage in the UI's language ("22.0 %" style per locale), one decimal. */
function usePercent() {
  const intl = useIntl();
  return (share: number) =>
    intl.formatNumber(share, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

/** The number in words beside a decorative bar: the bar repeats it, never carries it. */
function ShareCell({ share, text }: { share: number; text: string }) {
  return (
    <td className="cell numeric report-share">
      <span className="report-bar-track" aria-hidden="true">
        <span className="report-bar" style={{ width: `${Math.max(0, Math.min(1, share)) * 100}%` }} />
      </span>
      <span className="report-share-text">{text}</span>
    </td>
  );
}

function CsvButton({
  name,
  filename,
  rows,
}: {
  name: string;
  filename: string;
  rows: (string | number)[][];
}) {
  const t = useT();
  return (
    <Button className="button small report-csv" onPress={() => downloadCsv(filename, rows)}>
      {t('reports.csv')}
      <span className="visually-hidden"> — {name}</span>
    </Button>
  );
}

const csvName = (slug: string, p: Period) => `harbour-${slug}-${p.from}-${p.to}.csv`;

function NeedsSection({ period }: { period: Period }) {
  const t = useT();
  const intl = useIntl();
  const percent = usePercent();
  const result = useQuery({
    queryKey: reportKeys.needs(period),
    queryFn: ({ signal }) => fetchNeeds(period, signal),
  });
  return (
    <Section title={t('reports.needs.title')}>
      <p className="muted">{t('reports.needs.help')}</p>
      {result.isPending ? (
        <Loading label={t('reports.loading')} />
      ) : result.isError ? (
        <ErrorState error={result.error} onRetry={() => void result.refetch()} />
      ) : result.data.total === 0 ? (
        <EmptyState>
          <p>{t('reports.needs.empty')}</p>
        </EmptyState>
      ) : (
        <NeedsTable data={result.data} period={period} t={t} count={intl.formatNumber} percent={percent} />
      )}
    </Section>
  );
}

function NeedsTable({
  data,
  period,
  t,
  count,
  percent,
}: {
  data: NeedsReport;
  period: Period;
  t: T;
  count: (n: number) => string;
  percent: (share: number) => string;
}) {
  const caption = t('reports.needs.caption');
  const needs = [...data.needs].sort((a, b) => b.count - a.count || a.need.localeCompare(b.need));
  const csv = [
    [t('reports.col.need'), t('reports.col.referrals'), t('reports.col.share')],
    ...needs.map((n) => [labelFor(NEED_LABELS, n.need, t), n.count, n.share]),
    [t('reports.total'), data.total, 1],
  ];
  return (
    <>
      <div className="table-wrap">
        <table className="table report-table">
          <caption className="report-caption">{caption}</caption>
          <thead>
            <tr>
              <th scope="col" className="column">
                {t('reports.col.need')}
              </th>
              <th scope="col" className="column numeric">
                {t('reports.col.referrals')}
              </th>
              <th scope="col" className="column numeric">
                {t('reports.col.share')}
              </th>
            </tr>
          </thead>
          <tbody>
            {needs.map((n) => (
              <tr key={n.need} className="row">
                <th scope="row" className="cell report-row-head">
                  {labelFor(NEED_LABELS, n.need, t)}
                </th>
                <td className="cell numeric">{count(n.count)}</td>
                <ShareCell share={n.share} text={percent(n.share)} />
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr className="row report-total">
              <th scope="row" className="cell report-row-head">
                {t('reports.total')}
              </th>
              <td className="cell numeric">{count(data.total)}</td>
              <td className="cell numeric">{percent(1)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <CsvButton name={caption} filename={csvName('referral-needs', period)} rows={csv} />
    </>
  );
}

/** Non-answers are set apart from the codes by a rule above the first of them, and in italics. */
const rowClass = (r: Row) =>
  r.key === 'marker:declined'
    ? 'row report-marker report-marker-first'
    : r.marker
      ? 'row report-marker'
      : 'row';

/**
 * Rows of one field over one or more columns (screenings, or one column per role): its codes in list order (and any
 * code the console does not know), then the three non-answers, each its own row in words.
 */
function answerRows(t: T, group: CodeGroup, columns: FieldCounts[]): Row[] {
  const codes = [...new Set(columns.flatMap((f) => f.counts.map((c) => c.code)))];
  const rows: Row[] = codes.map((code) => ({
    key: code,
    head: codeLabel(t, group, code),
    values: columns.map((f) => f.counts.find((c) => c.code === code)?.count ?? 0),
  }));
  for (const marker of ['declined', 'unknown', 'not_asked'] as const)
    rows.push({
      key: `marker:${marker}`,
      head: t(marker === 'not_asked' ? 'cases.answer.notAsked' : `cases.answer.${marker}`),
      values: columns.map((f) => f[marker]),
      marker: true,
    });
  return rows;
}

function ScreeningSection({ period }: { period: Period }) {
  const t = useT();
  const intl = useIntl();
  const result = useQuery({
    queryKey: reportKeys.screening(period),
    queryFn: ({ signal }) => fetchScreening(period, signal),
  });
  const data = result.data;
  return (
    <Section title={t('reports.screening.title')}>
      {result.isPending ? (
        <Loading label={t('reports.loading')} />
      ) : result.isError || !data ? (
        <ErrorState error={result.error} onRetry={() => void result.refetch()} />
      ) : (
        <>
          <p className="muted">{t('reports.screening.help', { zone: data.time_zone })}</p>
          <h3 className="report-subtitle">{t('reports.screening.screenings')}</h3>
          <p>{t('reports.screening.count', { count: data.screenings })}</p>
          {data.screenings === 0 ? (
            <EmptyState>
              <p>{t('reports.screening.empty')}</p>
            </EmptyState>
          ) : (
            data.fields.map((f) => {
              const spec = SCREENING_FIELDS[f.field];
              if (!spec) return null;
              return (
                <ScreeningTable
                  key={f.field}
                  field={f}
                  spec={spec}
                  total={data.screenings}
                  period={period}
                  count={intl.formatNumber}
                />
              );
            })
          )}
          <h3 className="report-subtitle">{t('reports.people.title')}</h3>
          <p>{t('reports.people.count', { count: data.people })}</p>
          {data.people === 0 ? (
            <EmptyState>
              <p>{t('reports.people.empty')}</p>
            </EmptyState>
          ) : (
            Object.entries(PERSON_FIELDS).map(([field, spec]) => (
              <PeopleTable key={field} field={field} spec={spec} data={data} period={period} />
            ))
          )}
        </>
      )}
    </Section>
  );
}

function ScreeningTable({
  field,
  spec,
  total,
  period,
  count,
}: {
  field: FieldCounts;
  spec: { label: MessageId; group: CodeGroup; multiple?: boolean };
  total: number;
  period: Period;
  count: (n: number) => string;
}) {
  const t = useT();
  const percent = usePercent();
  const noteId = useId();
  const caption = t('reports.screening.caption', { field: t(spec.label), count: total });
  const rows = answerRows(t, spec.group, [field]);
  const share = (n: number) => (total ? n / total : 0);
  const csv = [
    [t('reports.col.answer'), t('reports.col.screenings'), t('reports.col.shareOfScreenings')],
    ...rows.map((r) => [r.head, r.values[0] ?? 0, Math.round(share(Number(r.values[0] ?? 0)) * 1000) / 1000]),
    [t('reports.screening.all'), total, 1],
  ];
  return (
    <div className="stack report-block">
      <div className="table-wrap">
        <table className="table report-table" aria-describedby={spec.multiple ? noteId : undefined}>
          <caption className="report-caption">{caption}</caption>
          <thead>
            <tr>
              <th scope="col" className="column">
                {t('reports.col.answer')}
              </th>
              <th scope="col" className="column numeric">
                {t('reports.col.screenings')}
              </th>
              <th scope="col" className="column numeric">
                {t('reports.col.shareOfScreenings')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const n = Number(r.values[0] ?? 0);
              return (
                <tr key={r.key} className={rowClass(r)}>
                  <th scope="row" className="cell report-row-head">
                    {r.head}
                  </th>
                  <td className="cell numeric">{count(n)}</td>
                  <ShareCell share={share(n)} text={percent(share(n))} />
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr className="row report-total">
              <th scope="row" className="cell report-row-head">
                {t('reports.screening.all')}
              </th>
              <td className="cell numeric">{count(total)}</td>
              <td className="cell numeric">{percent(1)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      {spec.multiple && (
        <p id={noteId} className="muted report-note">
          {t('reports.multiple')}
        </p>
      )}
      <CsvButton name={caption} filename={csvName(`screening-${field.field}`, period)} rows={csv} />
    </div>
  );
}

function PeopleTable({
  field,
  spec,
  data,
  period,
}: {
  field: string;
  spec: { label: MessageId; group: CodeGroup; multiple?: boolean };
  data: { people: number; people_by_role: { role: string; people: number; fields: FieldCounts[] }[] };
  period: Period;
}) {
  const t = useT();
  const intl = useIntl();
  const noteId = useId();
  const roles = data.people_by_role;
  const columns = roles
    .map((r) => r.fields.find((f) => f.field === field))
    .filter((f): f is FieldCounts => !!f);
  if (columns.length !== roles.length) return null;
  const caption = t('reports.people.caption', { field: t(spec.label) });
  const rows = answerRows(t, spec.group, columns);
  const sum = (values: (string | number)[]) => values.reduce<number>((s, v) => s + Number(v), 0);
  const roleNames = roles.map((r) => codeLabel(t, 'role', r.role));
  const csv = [
    [t('reports.col.answer'), ...roleNames, t('reports.col.allRoles')],
    ...rows.map((r) => [r.head, ...r.values, sum(r.values)]),
    [t('reports.people.row'), ...roles.map((r) => r.people), data.people],
  ];
  return (
    <div className="stack report-block">
      <div className="table-wrap">
        <table
          className="table report-table report-crosstab"
          aria-describedby={spec.multiple ? noteId : undefined}
        >
          <caption className="report-caption">{caption}</caption>
          <thead>
            <tr>
              <th scope="col" className="column">
                {t('reports.col.answer')}
              </th>
              {roleNames.map((name, i) => (
                <th key={roles[i]?.role} scope="col" className="column numeric">
                  {name}
                </th>
              ))}
              <th scope="col" className="column numeric">
                {t('reports.col.allRoles')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} className={rowClass(r)}>
                <th scope="row" className="cell report-row-head">
                  {r.head}
                </th>
                {r.values.map((v, i) => (
                  <td key={roles[i]?.role} className="cell numeric">
                    {intl.formatNumber(Number(v))}
                  </td>
                ))}
                <td className="cell numeric report-all">{intl.formatNumber(sum(r.values))}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr className="row report-total">
              <th scope="row" className="cell report-row-head">
                {t('reports.people.row')}
              </th>
              {roles.map((r) => (
                <td key={r.role} className="cell numeric">
                  {intl.formatNumber(r.people)}
                </td>
              ))}
              <td className="cell numeric report-all">{intl.formatNumber(data.people)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      {spec.multiple && (
        <p id={noteId} className="muted report-note">
          {t('reports.multiple')}
        </p>
      )}
      <CsvButton name={caption} filename={csvName(`people-${field}`, period)} rows={csv} />
    </div>
  );
}

/** One day of the custom period: a labelled native date input, tied to the form's error when there is one. */
function DayField(props: {
  id: string;
  label: string;
  value: string;
  errorId: string | undefined;
  onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={props.id}>
        {props.label}
      </label>
      <input
        id={props.id}
        className="input"
        type="date"
        value={props.value}
        aria-invalid={props.errorId ? true : undefined}
        aria-describedby={props.errorId}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </div>
  );
}
