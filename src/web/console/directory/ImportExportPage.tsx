import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Button, FileTrigger } from 'react-aria-components';
import { FormattedNumber } from 'react-intl';
import type { MessageId } from '../../i18n/messages';
import { ApiError } from '../api/client';
import { useLocale, useT } from '../locale';
import { SESSION_KEY, useSignedInSession } from '../session';
import { PendingButton } from '../ui/PendingButton';
import { FormError } from '../ui/states';
import { DirectoryLayout } from './DirectoryLayout';
import { exportCsv, exportFile, type ImportReport, importDirectory } from './importExport.api';
import {
  type ChosenFile,
  exportFileName,
  importBodyFor,
  isProblem,
  MAX_IMPORT_BYTES,
  type SelectionProblem,
  selectionBytes,
  sortedCounts,
} from './importExport.files';
import { CheckboxField } from './widgets';
import './importExport.css';

/** HSDS in and out: check then import a JSON file or a CSV package (all or nothing); export JSON, NDJSON or CSV. */
export function ImportExportPage() {
  const t = useT();
  return (
    <DirectoryLayout current="importExport" title={t('directory.import.title')}>
      <p className="muted">{t('directory.import.intro')}</p>
      <ImportSection />
      <ExportSection />
    </DirectoryLayout>
  );
}

const PROBLEM_LABELS: Record<SelectionProblem['problem'], MessageId> = {
  empty: 'directory.import.problem.empty',
  mixed: 'directory.import.problem.mixed',
  severalJson: 'directory.import.problem.severalJson',
  onlyDatapackage: 'directory.import.problem.onlyDatapackage',
  unknownType: 'directory.import.problem.unknownType',
  badJson: 'directory.import.problem.badJson',
  duplicate: 'directory.import.problem.duplicate',
};

interface Outcome {
  report: ImportReport;
  /** The selection the report is about: an import is offered only for the selection that passed its check. */
  selection: ChosenFile[];
}

function ImportSection() {
  const t = useT();
  const { locale } = useLocale();
  const { csrfToken } = useSignedInSession();
  const queryClient = useQueryClient();
  const headingId = useId();
  const [chosen, setChosen] = useState<ChosenFile[]>([]);
  const [reading, setReading] = useState(false);
  const [readFailed, setReadFailed] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const reportRef = useRef<HTMLDivElement>(null);

  const body = chosen.length > 0 ? importBodyFor(chosen) : null;
  const problem = body && isProblem(body) ? body : null;
  const bytes = selectionBytes(chosen);
  const tooBig = bytes > MAX_IMPORT_BYTES;

  const run = useMutation({
    mutationFn: async (dryRun: boolean) => {
      if (!body || isProblem(body)) throw new Error('no selection');
      return importDirectory({ ...body, dryRun }, { csrfToken, locale });
    },
    onSuccess: (report) => {
      setOutcome({ report, selection: chosen });
      // Imported rows change search results, records and the verification queue: fetch them afresh.
      if (report.ok && !report.dryRun) void queryClient.invalidateQueries({ queryKey: ['directory'] });
      // The report replaces the buttons' context: take the reader there.
      requestAnimationFrame(() => reportRef.current?.focus());
    },
    // This call bypasses the shared client, so a lapsed session is noticed here: re-reading it ends it properly.
    onError: (error) => {
      if (error instanceof ApiError && error.status === 401)
        void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
    },
  });

  const choose = async (list: FileList | null) => {
    if (!list || list.length === 0) return;
    setReading(true);
    setReadFailed(false);
    setOutcome(null);
    run.reset();
    try {
      const files = await Promise.all(
        [...list].map(async (file) => ({ name: file.name, text: await file.text() })),
      );
      setChosen(files);
    } catch {
      setChosen([]);
      setReadFailed(true);
    } finally {
      setReading(false);
    }
  };

  const checked =
    outcome?.report.dryRun === true && outcome.report.ok && outcome.selection === chosen ? outcome : null;
  const imported = outcome?.report.dryRun === false && outcome.report.ok && outcome.selection === chosen;
  const canSend = body !== null && !problem && !tooBig && !reading;

  return (
    <section className="stack import-section" aria-labelledby={headingId}>
      <h2 id={headingId} className="io-title">
        {t('directory.import.heading')}
      </h2>
      <p>{t('directory.import.how')}</p>
      <ul className="import-hints">
        <li>{t('directory.import.hintJson')}</li>
        <li>{t('directory.import.hintCsv')}</li>
      </ul>
      <div className="import-choose">
        <FileTrigger
          acceptedFileTypes={['.json', '.csv', 'application/json', 'text/csv']}
          allowsMultiple
          onSelect={(list) => void choose(list)}
        >
          <Button className="button">{t('directory.import.choose')}</Button>
        </FileTrigger>
        <p role="status" className="status-line">
          {reading
            ? t('directory.import.reading')
            : chosen.length > 0
              ? t('directory.import.chosen', { count: chosen.length })
              : ''}
        </p>
      </div>
      {readFailed && (
        <p className="form-error" role="alert">
          {t('directory.import.readFailed')}
        </p>
      )}
      {chosen.length > 0 && (
        <ul className="import-files" aria-label={t('directory.import.filesLabel')}>
          {chosen.map((f) => (
            <li key={f.name}>
              <span className="mono">{f.name}</span>{' '}
              <span className="muted">
                (
                <Size bytes={new Blob([f.text]).size} />)
              </span>
            </li>
          ))}
        </ul>
      )}
      {problem && (
        <p className="form-error" role="alert">
          <span className="icon" aria-hidden="true">
            ⚠
          </span>{' '}
          {t(PROBLEM_LABELS[problem.problem], { file: 'file' in problem ? problem.file : '' })}
        </p>
      )}
      {tooBig && (
        <p className="form-error" role="alert">
          {t('directory.import.tooBig', { size: Math.round(bytes / 1024 / 1024) })}
        </p>
      )}
      <div className="import-actions">
        <PendingButton
          className="button"
          isDisabled={!canSend}
          isPending={run.isPending && run.variables === true}
          onPress={() => run.mutate(true)}
        >
          {t('directory.import.check')}
        </PendingButton>
        <PendingButton
          className="button primary"
          isDisabled={!canSend || !checked || run.isPending}
          isPending={run.isPending && run.variables === false}
          onPress={() => run.mutate(false)}
        >
          {t('directory.import.run')}
        </PendingButton>
      </div>
      <p className="field-description">
        {imported
          ? t('directory.import.doneHint')
          : checked
            ? t('directory.import.readyHint')
            : t('directory.import.allOrNothing')}
      </p>
      <FormError error={run.error} />
      {outcome && (
        <div ref={reportRef} tabIndex={-1} className="import-report-focus">
          <ReportView report={outcome.report} />
        </div>
      )}
    </section>
  );
}

function headline(report: ImportReport, rows: number): MessageId {
  if (!report.ok) return 'directory.import.result.refused';
  if (report.dryRun)
    return rows === 0 ? 'directory.import.result.checkedEmpty' : 'directory.import.result.checked';
  return 'directory.import.result.imported';
}

/** Counts per table, then every error (the server's words, in English) and the warnings, each with its count. */
function ReportView({ report }: { report: ImportReport }) {
  const t = useT();
  const { locale } = useLocale();
  const errorsId = useId();
  const warningsId = useId();
  const counts = sortedCounts(report.counts);
  const rows = counts.reduce((sum, [, n]) => sum + n, 0);
  return (
    <div className="stack import-report">
      <h3 className="io-title">
        {report.dryRun ? t('directory.import.report.checkTitle') : t('directory.import.report.importTitle')}
      </h3>
      <p className={`notice ${report.ok ? 'notice-ok' : 'notice-warning'}`}>
        <span aria-hidden="true">{report.ok ? '✓ ' : '⚠ '}</span>
        {t(headline(report, rows), { rows, errors: report.errors.length })}
      </p>
      {counts.length > 0 && (
        <div className="table-wrap import-counts">
          <table className="table">
            <caption className="io-caption">
              {report.ok && !report.dryRun
                ? t('directory.import.counts.imported')
                : t('directory.import.counts.read')}
            </caption>
            <thead>
              <tr>
                <th scope="col" className="column">
                  {t('directory.import.counts.table')}
                </th>
                <th scope="col" className="column io-number">
                  {t('directory.import.counts.rows')}
                </th>
              </tr>
            </thead>
            <tbody>
              {counts.map(([table, n]) => (
                <tr key={table} className="row">
                  <th scope="row" className="cell mono">
                    {table}
                  </th>
                  <td className="cell io-number">
                    <FormattedNumber value={n} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {report.errors.length > 0 && (
        <MessageList
          id={errorsId}
          title={t('directory.import.errors', { count: report.errors.length })}
          note={locale === 'en-CA' ? null : t('directory.import.serverLanguage')}
          items={report.errors}
          tone="error"
        />
      )}
      {report.warnings.length > 0 && (
        <MessageList
          id={warningsId}
          title={t('directory.import.warnings', { count: report.warnings.length })}
          note={locale === 'en-CA' ? null : t('directory.import.serverLanguage')}
          items={report.warnings}
          tone="warning"
        />
      )}
    </div>
  );
}

function MessageList({
  id,
  title,
  note,
  items,
  tone,
}: {
  id: string;
  title: string;
  note: string | null;
  items: string[];
  tone: 'error' | 'warning';
}) {
  return (
    <div className="stack-tight">
      <h4 id={id} className="import-list-title">
        {title}
      </h4>
      {note && <p className="field-description">{note}</p>}
      {/* Scrollable and focusable, so a keyboard can scroll a long list too. */}
      <section
        className={`import-messages import-messages-${tone}`}
        aria-labelledby={id}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        tabIndex={0}
      >
        <ol lang="en">
          {items.map((item, index) => (
            // The same message can appear twice (two rows, same problem): the position keeps keys unique.
            // biome-ignore lint/suspicious/noArrayIndexKey: the list never reorders
            <li key={index}>{item}</li>
          ))}
        </ol>
      </section>
    </div>
  );
}

interface Download {
  name: string;
  url: string;
  size: number;
}

function ExportSection() {
  const t = useT();
  const { locale } = useLocale();
  const headingId = useId();
  const warningId = useId();
  const [confidential, setConfidential] = useState(false);
  const [downloads, setDownloads] = useState<Download[]>([]);
  const [status, setStatus] = useState('');

  // Blob URLs hold the export in memory until revoked: drop them when replaced or when leaving the page.
  useEffect(
    () => () => {
      for (const d of downloads) URL.revokeObjectURL(d.url);
    },
    [downloads],
  );

  const run = useMutation({
    mutationFn: async (format: 'json' | 'ndjson' | 'csv'): Promise<Download[]> => {
      if (format === 'csv') {
        const { files } = await exportCsv(confidential);
        return Object.entries(files)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, text]) => {
            const blob = new Blob([text], {
              type: name.endsWith('.json') ? 'application/json' : 'text/csv',
            });
            return { name, url: URL.createObjectURL(blob), size: blob.size };
          });
      }
      const blob = await exportFile(format, confidential, locale);
      const name = exportFileName(format, confidential, new Date());
      return [{ name, url: URL.createObjectURL(blob), size: blob.size }];
    },
    onSuccess: (files, format) => {
      setDownloads(files);
      if (format === 'csv') {
        setStatus(t('directory.import.export.csvReady', { count: files.length }));
        return;
      }
      const [file] = files;
      if (!file) return;
      setStatus(t('directory.import.export.started', { name: file.name }));
      // Start the download as the button promised; the link stays below in case the browser blocked it.
      const a = document.createElement('a');
      a.href = file.url;
      a.download = file.name;
      a.hidden = true;
      document.body.append(a);
      a.click();
      a.remove();
    },
  });

  return (
    <section className="stack import-section" aria-labelledby={headingId}>
      <h2 id={headingId} className="io-title">
        {t('directory.import.export.heading')}
      </h2>
      <p>{t('directory.import.export.how')}</p>
      <CheckboxField
        isSelected={confidential}
        onChange={(v) => {
          setConfidential(v);
          setDownloads([]);
          setStatus('');
        }}
      >
        {t('directory.import.export.includeConfidential')}
      </CheckboxField>
      {confidential && (
        <p id={warningId} className="notice notice-warning">
          <span aria-hidden="true">⚠ </span>
          {t('directory.import.export.confidentialWarning')}
        </p>
      )}
      <div className="import-actions">
        {(['json', 'ndjson', 'csv'] as const).map((format) => (
          <PendingButton
            key={format}
            className="button"
            isPending={run.isPending && run.variables === format}
            isDisabled={run.isPending && run.variables !== format}
            aria-describedby={confidential ? warningId : undefined}
            onPress={() => run.mutate(format)}
          >
            {t(`directory.import.export.${format}` as MessageId)}
          </PendingButton>
        ))}
      </div>
      <p role="status" className="status-line">
        {status}
      </p>
      <FormError error={run.error} />
      {downloads.length > 0 && (
        <div className="stack-tight">
          <h3 className="io-title">{t('directory.import.export.files')}</h3>
          <ul className="import-downloads">
            {downloads.map((d) => (
              <li key={d.url}>
                <a href={d.url} download={d.name} className="text-link mono">
                  {d.name}
                </a>{' '}
                <span className="muted">
                  (
                  <Size bytes={d.size} />)
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

/** File sizes in kB, or in bytes when under a tenth of a kilobyte (a tiny file is not "0 kB"). */
function Size({ bytes }: { bytes: number }) {
  return bytes < 100 ? (
    <FormattedNumber value={bytes} style="unit" unit="byte" unitDisplay="long" />
  ) : (
    <FormattedNumber value={bytes / 1024} maximumFractionDigits={1} style="unit" unit="kilobyte" />
  );
}
