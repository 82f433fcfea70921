import { useIntl } from 'react-intl';
import { useT } from '../locale';
import { usePageTitle } from '../shell/usePageTitle';
import { ErrorState, Loading } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { ChannelBadge } from './ChannelBadge';
import { useTick } from './clock';
import { useDuration } from './Duration';
import { LANGUAGE_LABELS, labelOf, PRESENCE_LABELS } from './labels';
import { useWallboard } from './queries';
import { PRESENCE_STATUSES, type WallboardGroup } from './types';
import './queue.css';

/** Service-level targets: answered within 20 s for calls, 60 s for chats. */
export const SERVICE_TARGETS = { calls: 20, chats: 60 } as const;

/**
 * The supervisor's wallboard: big, calm figures that update live. Nothing here is a live region: a figure
 * that changes every few seconds would talk over the advocates' own screen reader; the numbers are read when
 * the supervisor moves to them.
 */
export function WallboardPage() {
  const t = useT();
  const intl = useIntl();
  const duration = useDuration();
  usePageTitle(t('wallboard.title'));
  const query = useWallboard();
  const board = query.data;
  const waitingTotal = board ? (board.waitingTotal ?? board.waiting.reduce((n, w) => n + w.count, 0)) : 0;
  const now = useTick(waitingTotal > 0);

  const percent = (value: number | null) =>
    value === null
      ? t('wallboard.none')
      : intl.formatNumber(value, { style: 'percent', maximumFractionDigits: 0 });

  if (query.isPending)
    return (
      <div className="page stack">
        <h1 className="page-title">{t('wallboard.title')}</h1>
        <Loading label={t('wallboard.loading')} />
      </div>
    );
  if (query.isError || !board)
    return (
      <div className="page stack">
        <h1 className="page-title">{t('wallboard.title')}</h1>
        <ErrorState error={query.error} onRetry={() => query.refetch()} />
      </div>
    );

  // The longest wait keeps growing between updates while anyone is waiting.
  const sinceFetch = Math.max(0, Math.round((now - query.dataUpdatedAt) / 1000));
  const longest = waitingTotal > 0 ? board.longestWaitS + sinceFetch : 0;
  const slow = longest > SERVICE_TARGETS.chats;

  return (
    <div className="page wallboard stack">
      <div className="page-head">
        <h1 className="page-title">{t('wallboard.title')}</h1>
        <p className="muted small-text">
          {t('wallboard.updated')} <RelativeTime value={board.generatedAt} />
        </p>
      </div>

      <section aria-labelledby="wb-now">
        <h2 id="wb-now" className="wallboard-heading">
          {t('wallboard.now')}
        </h2>
        <dl className="wallboard-figures">
          <div className="figure">
            <dt>{t('wallboard.waiting')}</dt>
            <dd className="figure-value">{intl.formatNumber(waitingTotal)}</dd>
          </div>
          <div className={`figure${slow ? ' is-alert' : ''}`}>
            <dt>{t('wallboard.longest')}</dt>
            <dd className="figure-value">
              {slow && (
                <span className="figure-flag">
                  <span aria-hidden="true">⚠ </span>
                  <span className="visually-hidden">{t('wallboard.overTarget')} </span>
                </span>
              )}
              {duration(longest)}
            </dd>
          </div>
        </dl>
      </section>

      <section aria-labelledby="wb-waiting">
        <h2 id="wb-waiting" className="wallboard-heading">
          {t('wallboard.byQueue')}
        </h2>
        {board.waiting.length === 0 ? (
          <p className="state state-empty">{t('wallboard.nobodyWaiting')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table wallboard-table">
              <thead>
                <tr>
                  <th scope="col" className="column">
                    {t('wallboard.col.channel')}
                  </th>
                  <th scope="col" className="column">
                    {t('wallboard.col.language')}
                  </th>
                  <th scope="col" className="column numeric">
                    {t('wallboard.col.waiting')}
                  </th>
                  <th scope="col" className="column numeric">
                    {t('wallboard.col.longest')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {board.waiting.map((w) => (
                  <tr key={`${w.channel}:${w.language}`} className="row">
                    <th scope="row" className="cell">
                      <ChannelBadge channel={w.channel} />
                    </th>
                    <td className="cell">{labelOf(LANGUAGE_LABELS, w.language, t)}</td>
                    <td className="cell numeric big-cell">{intl.formatNumber(w.count)}</td>
                    <td className="cell numeric big-cell">
                      {duration(w.longestWaitS + (w.count > 0 ? sinceFetch : 0))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="wb-advocates">
        <h2 id="wb-advocates" className="wallboard-heading">
          {t('wallboard.advocates')}
        </h2>
        <dl className="wallboard-figures">
          {PRESENCE_STATUSES.map((status) => (
            <div key={status} className={`figure presence-figure presence-${status}`}>
              <dt>{t(PRESENCE_LABELS[status])}</dt>
              <dd className="figure-value">{intl.formatNumber(board.advocates[status] ?? 0)}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section aria-labelledby="wb-today">
        <h2 id="wb-today" className="wallboard-heading">
          {t('wallboard.today')}
        </h2>
        <dl className="wallboard-figures">
          <div className="figure">
            <dt>{t('wallboard.serviceLevelCalls', { seconds: SERVICE_TARGETS.calls })}</dt>
            <dd className={figureClass(board.today.serviceLevel.calls)}>
              {percent(board.today.serviceLevel.calls)}
            </dd>
            <GroupDetail group={board.today.calls} />
          </div>
          <div className="figure">
            <dt>{t('wallboard.serviceLevelChats', { seconds: SERVICE_TARGETS.chats })}</dt>
            <dd className={figureClass(board.today.serviceLevel.chats)}>
              {percent(board.today.serviceLevel.chats)}
            </dd>
            <GroupDetail group={board.today.chats} />
          </div>
          <div className="figure">
            <dt>{t('wallboard.meanWait')}</dt>
            <dd className={figureClass(board.today.meanWaitS)}>
              {board.today.meanWaitS === null ? t('wallboard.none') : duration(board.today.meanWaitS)}
            </dd>
          </div>
          <div className="figure">
            <dt>{t('wallboard.unanswered')}</dt>
            <dd className={figureClass(board.today.unansweredShare)}>
              {percent(board.today.unansweredShare)}
            </dd>
          </div>
          <div className="figure">
            <dt>{t('wallboard.signals')}</dt>
            <dd className="figure-value">{intl.formatNumber(board.today.signals)}</dd>
          </div>
        </dl>
      </section>
    </div>
  );
}

/** A figure with nothing to show yet is said in words, in smaller type. */
function figureClass(value: number | null): string {
  return value === null ? 'figure-value is-empty' : 'figure-value';
}

/** What a service level is made of: answered within target out of everything that should have been. */
function GroupDetail({ group }: { group: WallboardGroup | undefined }) {
  const t = useT();
  if (!group) return null;
  const total = group.answered + group.unanswered + group.waitingPastTarget;
  if (total === 0) return null;
  return (
    <dd className="figure-detail">
      {t('wallboard.slDetail', { within: group.answeredWithinTarget, total })}
    </dd>
  );
}
