import type { UseQueryResult } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useIntl } from 'react-intl';
import { useT } from '../locale';
import { ErrorState, Loading } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { AttachmentList } from './Attachments';
import { windowOpen } from './channels';
import { useTick } from './clock';
import { RevealContactDialog } from './RevealContactDialog';
import type { ChannelInfo, SignalDetail } from './types';

/**
 * What the channel adds to a phone call, SMS, WhatsApp or e-mail conversation: the hotline number (or address)
 * the person used and its campaign, how many times they contacted us before (a count, never a number), the
 * e-mail's subject, WhatsApp's reply window, files not tied to a message, and the audited "reveal".
 */
export function ChannelFacts({
  signal,
  query,
}: {
  signal: SignalDetail;
  query: UseQueryResult<ChannelInfo>;
}) {
  const t = useT();
  const intl = useIntl();
  const [reveal, setReveal] = useState(false);
  // The window closes on its own: re-check each minute.
  const now = useTick(Boolean(query.data?.window?.open), 60_000);
  if (query.isPending) return <Loading label={t('channel.loading')} />;
  if (query.isError || !query.data)
    return <ErrorState error={query.error} onRetry={() => query.refetch()} title={t('channel.loadFailed')} />;
  const info = query.data;
  const email = signal.channel === 'email';
  const repeat = info.repeatContacts?.count ?? 0;
  const seqs = new Set(signal.messages.map((m) => m.seq));
  const loose = info.attachments.filter((a) => a.seq === null || !seqs.has(a.seq));
  const open = windowOpen(info.window, now);
  return (
    <div className="channel-facts">
      <dl className="conversation-facts">
        {info.hotlineAddress && (
          <div>
            <dt>{email ? t('channel.hotlineAddress') : t('channel.hotlineNumber')}</dt>
            <dd>{info.hotlineAddress}</dd>
          </div>
        )}
        {info.campaign && (
          <div>
            <dt>{t('channel.campaign')}</dt>
            <dd>{info.campaign}</dd>
          </div>
        )}
        <div>
          <dt>{t('channel.repeat')}</dt>
          <dd>
            {repeat > 0 ? (
              <span className="badge badge-warn">
                <span aria-hidden="true">↻ </span>
                {t('channel.repeat.count', { count: repeat })}
              </span>
            ) : (
              t('channel.repeat.first')
            )}
            {repeat > 0 && info.repeatContacts.lastAt && (
              <span className="small-text muted">
                {' '}
                {t('channel.repeat.last')} <RelativeTime value={info.repeatContacts.lastAt} />
              </span>
            )}
          </dd>
        </div>
        {info.email && (
          <div className="fact-wide">
            <dt>{t('channel.subject')}</dt>
            <dd className="email-subject">{info.email.subject || t('channel.noSubject')}</dd>
          </div>
        )}
        {info.window && (
          <div>
            <dt>{t('channel.whatsapp.window')}</dt>
            <dd>
              {open ? (
                <span className="badge badge-ok">
                  <span aria-hidden="true">● </span>
                  {info.window.endsAt
                    ? t('channel.whatsapp.openUntil', {
                        time: intl.formatTime(info.window.endsAt, { hour: 'numeric', minute: '2-digit' }),
                      })
                    : t('channel.whatsapp.open')}
                </span>
              ) : (
                <span className="badge badge-warn">
                  <span aria-hidden="true">■ </span>
                  {t('channel.whatsapp.closed')}
                </span>
              )}
            </dd>
          </div>
        )}
      </dl>
      <Button className="button small" onPress={() => setReveal(true)}>
        {email ? t('reveal.buttonEmail') : t('reveal.button')}
      </Button>
      <AttachmentList attachments={loose} label={t('channel.attachments')} />
      {reveal && <RevealContactDialog signal={signal} onClose={() => setReveal(false)} />}
    </div>
  );
}
