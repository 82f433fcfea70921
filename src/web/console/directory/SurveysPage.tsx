import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import {
  Button,
  Form,
  Group,
  Input,
  Label,
  Link,
  NumberField,
  ProgressBar,
  Radio,
  RadioGroup,
  Text,
} from 'react-aria-components';
import { FormattedDate } from 'react-intl';
import type { MessageId } from '../../i18n/messages';
import { useLocale, useT } from '../locale';
import { LocalFieldError, TextAreaField, TextInputField } from '../ui/fields';
import { ModalDialog } from '../ui/ModalDialog';
import { PendingButton } from '../ui/PendingButton';
import { EmptyState, ErrorState, FormError, Loading } from '../ui/states';
import { RelativeTime, useNow } from '../ui/time';
import { DirectoryLayout } from './DirectoryLayout';
import { directoryPaths } from './routes';
import {
  type AnsweredService,
  getSurvey,
  listSurveys,
  type SurveyRecipient,
  type SurveySummary,
  startSurvey,
} from './surveys.api';
import {
  answeredPercent,
  answeredServiceName,
  countByFilter,
  isDelivering,
  isOpen,
  matchesFilter,
  nameIn,
  RECIPIENT_FILTERS,
  type RecipientFilter,
  type RecipientState,
  recipientState,
  summarise,
} from './surveys.model';
import './importExport.css';

// While e-mails go out the counts move; a survey started long ago whose delivery stopped (a restart) does not.
const POLL_MS = 4000;
const POLL_WINDOW_MS = 30 * 60_000;

const pollWhile = (s: Pick<SurveySummary, 'total' | 'sent' | 'failed' | 'createdAt'>) =>
  isDelivering(s) && Date.now() - new Date(s.createdAt).getTime() < POLL_WINDOW_MS;

/** Status surveys: every active partner is e-mailed a link to confirm or correct its listing; progress per survey. */
export function SurveysPage() {
  const t = useT();
  const now = useNow();
  const [createOpen, setCreateOpen] = useState(false);
  const [status, setStatus] = useState('');
  const surveys = useQuery({
    queryKey: ['directory', 'surveys'],
    queryFn: listSurveys,
    select: (r) => r.surveys,
    refetchInterval: (query) => (query.state.data?.surveys.some(pollWhile) ? POLL_MS : false),
  });
  const list = surveys.data;
  return (
    <DirectoryLayout
      current="surveys"
      title={t('directory.surveys.title')}
      actions={
        <Button className="button primary" onPress={() => setCreateOpen(true)}>
          {t('directory.surveys.new')}
        </Button>
      }
    >
      <p className="muted">{t('directory.surveys.intro')}</p>
      <p role="status" className="status-line">
        {status}
      </p>
      {surveys.isPending && <Loading label={t('directory.surveys.loading')} />}
      {surveys.isError && <ErrorState error={surveys.error} onRetry={() => void surveys.refetch()} />}
      {list && list.length === 0 && <EmptyState>{t('directory.surveys.empty')}</EmptyState>}
      {list && list.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">{t('directory.surveys.title')}</caption>
            <thead>
              <tr>
                <th scope="col" className="column">
                  {t('directory.surveys.col.survey')}
                </th>
                <th scope="col" className="column">
                  {t('directory.surveys.col.started')}
                </th>
                <th scope="col" className="column">
                  {t('directory.surveys.col.closes')}
                </th>
                <th scope="col" className="column">
                  {t('directory.surveys.col.progress')}
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.id} className="row">
                  <th scope="row" className="cell row-head">
                    <Link href={directoryPaths.survey(s.id)} className="text-link">
                      {s.title}
                    </Link>
                  </th>
                  <td className="cell nowrap">
                    <RelativeTime value={s.createdAt} />
                  </td>
                  <td className="cell nowrap">
                    <FormattedDate value={s.closesAt} dateStyle="medium" />{' '}
                    {!isOpen(s, now) && (
                      <span className="badge badge-warn">{t('directory.surveys.closed')}</span>
                    )}
                  </td>
                  <td className="cell">
                    <SurveyProgress counts={s} title={s.title} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ModalDialog
        isOpen={createOpen}
        onOpenChange={setCreateOpen}
        title={t('directory.surveys.newTitle')}
        size="wide"
      >
        {createOpen && (
          <NewSurveyForm
            onClose={() => setCreateOpen(false)}
            onStarted={(message) => {
              setCreateOpen(false);
              setStatus(message);
            }}
          />
        )}
      </ModalDialog>
    </DirectoryLayout>
  );
}

/** "12 sent · 1 failed · 5 answered of 40" and a bar for the answered share, named for assistive technology. */
function SurveyProgress({
  counts,
  title,
}: {
  counts: Pick<SurveySummary, 'total' | 'sent' | 'failed' | 'responded'>;
  title: string;
}) {
  const t = useT();
  const percent = answeredPercent(counts);
  return (
    <div className="survey-progress">
      <span>{t('directory.surveys.progressText', { ...counts })}</span>
      <ProgressBar
        value={counts.responded}
        minValue={0}
        maxValue={Math.max(counts.total, 1)}
        aria-label={t('directory.surveys.progressName', { title })}
        valueLabel={t('directory.surveys.progressValue', { answered: counts.responded, total: counts.total })}
      >
        <div className="progress-track" aria-hidden="true">
          <svg
            className="progress-svg"
            viewBox="0 0 100 10"
            preserveAspectRatio="none"
            focusable="false"
            aria-hidden="true"
          >
            <rect className="progress-fill" x="0" y="0" width={percent} height="10" />
          </svg>
        </div>
      </ProgressBar>
    </div>
  );
}

const DEFAULT_DAYS = 14;
/** Recipients shown at a time: a national survey goes to about a thousand partners. */
const PAGE = 100;

function NewSurveyForm({
  onClose,
  onStarted,
}: {
  onClose: () => void;
  onStarted: (message: string) => void;
}) {
  const t = useT();
  const queryClient = useQueryClient();
  const [title, setTitle] = useState('');
  const [message, setMessage] = useState('');
  const [days, setDays] = useState(DEFAULT_DAYS);
  const start = useMutation({
    mutationFn: () => startSurvey({ title: title.trim(), message: message.trim(), closesInDays: days }),
    onSuccess: ({ survey, recipients }) => {
      void queryClient.invalidateQueries({ queryKey: ['directory', 'surveys'] });
      onStarted(t('directory.surveys.started', { title: survey.title, count: recipients }));
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (start.isPending || !title.trim() || !message.trim()) return;
    start.mutate();
  };
  return (
    <Form onSubmit={submit} className="stack">
      <p className="muted">{t('directory.surveys.newIntro')}</p>
      <TextInputField
        label={t('directory.surveys.field.title')}
        description={t('directory.surveys.field.titleHelp')}
        value={title}
        onChange={setTitle}
        isRequired
        maxLength={200}
        autoComplete="off"
        autoFocus
      />
      <TextAreaField
        label={t('directory.surveys.field.message')}
        description={t('directory.surveys.field.messageHelp')}
        value={message}
        onChange={setMessage}
        isRequired
        maxLength={5000}
      />
      <NumberField
        className="field"
        value={days}
        onChange={(v) => setDays(Number.isFinite(v) ? v : DEFAULT_DAYS)}
        minValue={1}
        maxValue={90}
        step={1}
        isRequired
      >
        <Label className="field-label">{t('directory.surveys.field.days')}</Label>
        <Text slot="description" className="field-description">
          {t('directory.surveys.field.daysHelp')}
        </Text>
        <Group className="number-group">
          <Button slot="decrement" className="button small">
            −
          </Button>
          <Input className="input number-input" />
          <Button slot="increment" className="button small">
            +
          </Button>
        </Group>
        <LocalFieldError />
      </NumberField>
      <p className="notice notice-warning">
        <span aria-hidden="true">⚠ </span>
        {t('directory.surveys.sendWarning')}
      </p>
      <FormError error={start.error} />
      <div className="dialog-actions">
        <Button className="button" onPress={onClose}>
          {t('action.cancel')}
        </Button>
        <PendingButton type="submit" className="button primary" isPending={start.isPending}>
          {t('directory.surveys.send')}
        </PendingButton>
      </div>
    </Form>
  );
}

const FILTER_LABELS: Record<RecipientFilter, MessageId> = {
  all: 'directory.surveys.filter.all',
  notAnswered: 'directory.surveys.filter.notAnswered',
  answered: 'directory.surveys.filter.answered',
  failed: 'directory.surveys.filter.failed',
};

const STATE_LABELS: Record<RecipientState, { label: MessageId; badge: string }> = {
  answered: { label: 'directory.surveys.state.answered', badge: 'badge-ok' },
  failed: { label: 'directory.surveys.state.failed', badge: 'badge-danger' },
  sent: { label: 'directory.surveys.state.sent', badge: '' },
  pending: { label: 'directory.surveys.state.pending', badge: 'badge-warn' },
};

const SERVICE_STATUS: Record<string, MessageId> = {
  active: 'directory.status.active',
  inactive: 'directory.status.inactive',
  defunct: 'directory.status.defunct',
  'temporarily closed': 'directory.status.temporarily_closed',
};

/** One survey: who it went to, who answered and what they said; answers wait as proposals for review. */
export function SurveyPage({ id }: { id: string }) {
  const t = useT();
  const now = useNow();
  const [filter, setFilter] = useState<RecipientFilter>('all');
  const [limit, setLimit] = useState(PAGE);
  const detail = useQuery({
    queryKey: ['directory', 'surveys', id],
    queryFn: () => getSurvey(id),
    refetchInterval: (query) => {
      const data = query.state.data;
      if (!data) return false;
      return pollWhile({ ...summarise(data.recipients), createdAt: data.survey.createdAt }) ? POLL_MS : false;
    },
  });
  const survey = detail.data?.survey;
  const recipients = detail.data?.recipients;
  const counts = recipients ? countByFilter(recipients) : null;
  const matching = recipients?.filter((r) => matchesFilter(r, filter)) ?? [];
  const shown = matching.slice(0, limit);
  return (
    <DirectoryLayout current="surveys" title={survey?.title ?? t('directory.surveys.detailTitle')}>
      <p>
        <Link href={directoryPaths.surveys} className="text-link">
          {t('directory.surveys.back')}
        </Link>
      </p>
      {detail.isPending && <Loading label={t('directory.surveys.loadingOne')} />}
      {detail.isError && <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />}
      {survey && recipients && counts && (
        <>
          <dl className="survey-facts">
            <div>
              <dt>{t('directory.surveys.col.started')}</dt>
              <dd>
                <RelativeTime value={survey.createdAt} />
              </dd>
            </div>
            <div>
              <dt>{t('directory.surveys.col.closes')}</dt>
              <dd>
                <FormattedDate value={survey.closesAt} dateStyle="medium" />{' '}
                {!isOpen(survey, now) && (
                  <span className="badge badge-warn">{t('directory.surveys.closed')}</span>
                )}
              </dd>
            </div>
          </dl>
          <div className="stack-tight">
            <h2 className="io-title">{t('directory.surveys.messageHeading')}</h2>
            <p className="survey-message">{survey.message}</p>
          </div>
          <SurveyProgress counts={summarise(recipients)} title={survey.title} />
          <p className="notice">
            <span aria-hidden="true" className="info-icon">
              i
            </span>
            {t('directory.surveys.proposalsNote')}{' '}
            <Link href={directoryPaths.proposals} className="text-link">
              {t('directory.surveys.reviewProposals')}
            </Link>
          </p>
          <RadioGroup
            className="field"
            orientation="horizontal"
            value={filter}
            onChange={(v) => {
              setFilter(v as RecipientFilter);
              setLimit(PAGE);
            }}
          >
            <Label className="field-label">{t('directory.surveys.filter.label')}</Label>
            <div className="radio-row">
              {RECIPIENT_FILTERS.map((f) => (
                <Radio key={f} value={f} className="radio">
                  <span className="radio-dot" aria-hidden="true" />
                  {t(FILTER_LABELS[f], { count: counts[f] })}
                </Radio>
              ))}
            </div>
          </RadioGroup>
          {shown.length === 0 ? (
            <EmptyState>
              {recipients.length === 0
                ? t('directory.surveys.noRecipients')
                : t('directory.surveys.noneHere')}
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">
                  {t('directory.surveys.recipientsCaption', { count: matching.length })}
                </caption>
                <thead>
                  <tr>
                    <th scope="col" className="column">
                      {t('directory.surveys.col.partner')}
                    </th>
                    <th scope="col" className="column">
                      {t('directory.surveys.col.status')}
                    </th>
                    <th scope="col" className="column">
                      {t('directory.surveys.col.answer')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((r) => (
                    <RecipientRow key={r.id} recipient={r} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {matching.length > shown.length && (
            <div className="pager">
              <span className="muted">
                {t('directory.surveys.shown', { shown: shown.length, total: matching.length })}
              </span>
              <Button className="button small" onPress={() => setLimit(limit + PAGE)}>
                {t('directory.surveys.showMore', { count: Math.min(PAGE, matching.length - shown.length) })}
              </Button>
            </div>
          )}
        </>
      )}
    </DirectoryLayout>
  );
}

function RecipientRow({ recipient: r }: { recipient: SurveyRecipient }) {
  const t = useT();
  const { locale } = useLocale();
  const state = recipientState(r);
  const { label, badge } = STATE_LABELS[state];
  const services = r.response?.services ?? [];
  const organization = nameIn(r.organizationName, r.organizationNameTranslations, locale);
  return (
    <tr className="row">
      <th scope="row" className="cell row-head">
        <Link href={directoryPaths.record('organization', r.organizationId)} className="text-link">
          {organization}
        </Link>
        <span className="person-email"> {r.email}</span>
      </th>
      <td className="cell">
        <span className={`badge ${badge}`.trim()}>{t(label)}</span>{' '}
        {state === 'answered' && r.respondedAt && <RelativeTime value={r.respondedAt} />}
        {state === 'sent' && r.sentAt && <RelativeTime value={r.sentAt} />}
        {state === 'failed' && r.sendError && (
          <span className="muted small-text">
            {' '}
            {t('directory.surveys.sendError', { error: r.sendError })}
          </span>
        )}
      </td>
      <td className="cell">
        {state !== 'answered' ? (
          <span className="muted">{t('directory.surveys.noAnswer')}</span>
        ) : (
          <div className="stack-tight">
            {services.length > 0 && (
              <ul className="survey-services">
                {services.map((s) => (
                  <li key={s.id}>
                    <AnsweredServiceName service={s} organization={organization} />
                    {s.status && (
                      <>
                        {' – '}
                        <ServiceStatus status={s.status} />
                      </>
                    )}
                    {s.available !== undefined && (
                      <> · {t('directory.surveys.available', { count: s.available })}</>
                    )}
                  </li>
                ))}
              </ul>
            )}
            {r.response?.corrections ? (
              <div>
                <strong>{t('directory.surveys.corrections')}</strong>
                <p className="survey-answer">{r.response.corrections}</p>
              </div>
            ) : (
              <span className="muted">{t('directory.surveys.noCorrections')}</span>
            )}
            {r.response?.respondent && (
              <span className="small-text">
                {t('directory.surveys.respondent', { name: r.response.respondent })}
              </span>
            )}
            <Link href={directoryPaths.proposals} className="text-link">
              {t('directory.surveys.reviewProposals')}
            </Link>
          </div>
        )}
      </td>
    </tr>
  );
}

/** The service's name in the UI language, linked to its record (the organisation completes the link's name). */
function AnsweredServiceName({ service, organization }: { service: AnsweredService; organization: string }) {
  const t = useT();
  const { locale } = useLocale();
  const name = answeredServiceName(service, locale);
  if (name === null) return <span className="muted">{t('directory.surveys.serviceGone')}</span>;
  return (
    <Link href={directoryPaths.record('service', service.id)} className="text-link">
      {name}
      <span className="visually-hidden"> — {organization}</span>
    </Link>
  );
}

function ServiceStatus({ status }: { status: string }) {
  const t = useT();
  const label = SERVICE_STATUS[status];
  return <>{label ? t(label) : status}</>;
}
