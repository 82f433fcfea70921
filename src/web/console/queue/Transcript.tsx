import { type ReactNode, useLayoutEffect, useRef } from 'react';
import { Button } from 'react-aria-components';
import { useIntl } from 'react-intl';
import type { MessageId } from '../../i18n/messages';
import { useT } from '../locale';
import { DELIVERY_STATUS_ICONS, DELIVERY_STATUS_LABELS, isDeliveryFailure } from './channels';
import type { TranscriptEntry } from './outbox';

const DELIVERY_LABELS: Record<NonNullable<TranscriptEntry['delivery']>, MessageId> = {
  pending: 'conversation.delivery.pending',
  sent: 'conversation.delivery.sent',
  read: 'conversation.delivery.read',
  failed: 'conversation.delivery.failed',
};

const DELIVERY_ICONS: Record<NonNullable<TranscriptEntry['delivery']>, string> = {
  pending: '…',
  sent: '✓',
  read: '✓✓',
  failed: '⚠',
};

/**
 * The conversation as a log (new lines are read out politely by screen readers; focus never moves). Who said
 * what is written out ("Visitor", "You"), not only shown by colour or side. Keeps the newest line in view
 * unless the advocate has scrolled up to read.
 */
export function Transcript({
  entries,
  label,
  onRetry,
  onEdit,
  renderExtra,
}: {
  entries: TranscriptEntry[];
  label: string;
  onRetry: (clientId: string) => void;
  onEdit: (clientId: string) => void;
  /** More under a message (its attachments). */
  renderExtra?: (entry: TranscriptEntry) => ReactNode;
}) {
  const t = useT();
  const intl = useIntl();
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const count = entries.length;

  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll when the number of lines changes
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [count]);

  return (
    <>
      {count === 0 ? <p className="muted transcript-empty">{t('conversation.noMessages')}</p> : null}
      {/* A scrollable log must be reachable by keyboard (WCAG 2.1.1), hence the tab stop. */}
      <div
        className="transcript"
        role="log"
        aria-relevant="additions"
        aria-label={label}
        ref={scroller}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        tabIndex={0}
        onScroll={(event) => {
          const el = event.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
        }}
      >
        <ol className="transcript-list">
          {entries.map((entry) => {
            const who =
              entry.sender === 'visitor'
                ? t('conversation.sender.visitor')
                : entry.sender === 'system'
                  ? t('conversation.sender.system')
                  : t('conversation.sender.me');
            return (
              <li
                key={entry.key}
                className={`msg msg-${entry.sender}${entry.delivery === 'failed' || (entry.remote && isDeliveryFailure(entry.remote.status)) ? ' is-failed' : ''}`}
              >
                <p className="msg-head">
                  <span className="msg-who">{who}</span>
                  {entry.at && (
                    <time
                      className="msg-time"
                      dateTime={entry.at}
                      title={intl.formatDate(entry.at, { dateStyle: 'long', timeStyle: 'medium' })}
                    >
                      {intl.formatTime(entry.at, { hour: 'numeric', minute: '2-digit' })}
                    </time>
                  )}
                </p>
                <p className="msg-text">{entry.text}</p>
                {renderExtra?.(entry)}
                {entry.remote ? (
                  <RemoteDelivery entry={entry} />
                ) : (
                  entry.delivery && (
                    <p className={`msg-delivery delivery-${entry.delivery}`}>
                      <span aria-hidden="true">{DELIVERY_ICONS[entry.delivery]} </span>
                      {entry.delivery === 'failed' && entry.errorCode === 'WHATSAPP_WINDOW_CLOSED'
                        ? t('channel.whatsapp.sendRefused')
                        : t(DELIVERY_LABELS[entry.delivery])}
                      {entry.delivery === 'failed' && entry.clientId && (
                        <span className="msg-actions">
                          {entry.errorCode !== 'WHATSAPP_WINDOW_CLOSED' && (
                            <Button
                              className="button small"
                              onPress={() => entry.clientId && onRetry(entry.clientId)}
                            >
                              {t('conversation.retry')}
                            </Button>
                          )}
                          <Button
                            className="button small"
                            onPress={() => entry.clientId && onEdit(entry.clientId)}
                          >
                            {t('conversation.editFailed')}
                          </Button>
                        </span>
                      )}
                    </p>
                  )
                )}
              </li>
            );
          })}
        </ol>
      </div>
    </>
  );
}

/** SMS, WhatsApp, e-mail: what the provider said about this message, in words (a failure stands out). */
function RemoteDelivery({ entry }: { entry: TranscriptEntry }) {
  const t = useT();
  const remote = entry.remote;
  if (!remote) return null;
  const failed = isDeliveryFailure(remote.status);
  return (
    <p className={`msg-delivery delivery-${failed ? 'failed' : remote.status}`}>
      <span aria-hidden="true">{DELIVERY_STATUS_ICONS[remote.status]} </span>
      {t(DELIVERY_STATUS_LABELS[remote.status] ?? 'channel.delivery.pending')}
      {failed && remote.errorCode ? ` ${t('channel.delivery.errorCode', { code: remote.errorCode })}` : ''}
    </p>
  );
}
