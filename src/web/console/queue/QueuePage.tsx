import { useEffect, useState } from 'react';
import { Link } from 'react-aria-components';
import { useT } from '../locale';
import { navigate, useLocationSearch } from '../router';
import { usePageTitle } from '../shell/usePageTitle';
import { EmptyState, ErrorState, Loading } from '../ui/states';
import { ChannelBadge } from './ChannelBadge';
import { ConversationPanel } from './Conversation';
import { CHANNEL_ICONS } from './channels';
import { useDuration } from './Duration';
import { CHANNEL_LABELS, LANGUAGE_LABELS, labelOf } from './labels';
import { OffersPanel } from './OffersPanel';
import { PresencePanel } from './PresencePanel';
import { useQueueSnapshot } from './queries';
import { queuePaths, selectedConversation } from './routes';
import type { MySignal, WaitingSignal } from './types';
import { voiceStore } from './voice';
import './queue.css';

/**
 * The advocate's live screen: availability, offers with their countdown, my conversations (several at once)
 * and the one I am working on. Everything updates live; nothing here moves focus unless the advocate asked.
 */
export function QueuePage() {
  const t = useT();
  usePageTitle(t('queue.title'));
  const search = useLocationSearch();
  const selected = selectedConversation(search);
  const snapshot = useQueueSnapshot();
  const [focusKey, setFocusKey] = useState(0);
  const [notice, setNotice] = useState('');

  // The browser's call audio ends with its signal (ended, or transferred away), wherever the advocate is looking.
  const active = snapshot.data?.active;
  useEffect(() => {
    const voice = voiceStore.get();
    if (!active || !voice.signalId || voice.status === 'idle') return;
    const call = active.find((s) => s.id === voice.signalId);
    if (!call || call.state === 'ended') voiceStore.disconnect(voice.signalId);
  }, [active]);

  const open = (signalId: string) => {
    setNotice('');
    navigate(queuePaths.conversation(signalId));
    setFocusKey((k) => k + 1);
  };

  return (
    <div className="page queue-page stack">
      <div className="page-head">
        <h1 className="page-title">{t('queue.title')}</h1>
      </div>
      <p role="status" className="status-line">
        {notice}
      </p>
      <div className="queue-layout">
        <div className="queue-side stack">
          <PresencePanel />
          {snapshot.isPending ? (
            <Loading label={t('queue.loading')} />
          ) : snapshot.isError ? (
            <ErrorState error={snapshot.error} onRetry={() => snapshot.refetch()} />
          ) : (
            <>
              <OffersPanel offers={snapshot.data.offers} onAccepted={open} />
              <MyConversations signals={snapshot.data.active} selected={selected} onOpen={open} />
              <WaitingSummary waiting={snapshot.data.waiting} />
            </>
          )}
        </div>
        <div className="queue-main">
          {selected ? (
            <ConversationPanel
              key={selected}
              signalId={selected}
              focusKey={focusKey}
              onLeave={(message) => {
                setNotice(message);
                navigate(queuePaths.queue, { replace: true });
                requestAnimationFrame(() =>
                  document.querySelector<HTMLElement>('#conversations-heading')?.focus(),
                );
              }}
            />
          ) : (
            <EmptyState>{t('conversation.none')}</EmptyState>
          )}
        </div>
      </div>
    </div>
  );
}

function MyConversations({
  signals,
  selected,
  onOpen,
}: {
  signals: MySignal[];
  selected: string | null;
  onOpen: (id: string) => void;
}) {
  const t = useT();
  return (
    <section className="queue-panel" aria-labelledby="conversations-heading">
      <h2 id="conversations-heading" className="queue-panel-title" tabIndex={-1}>
        {t('queue.mine.title')} {signals.length > 0 && <span className="count-badge">{signals.length}</span>}
      </h2>
      {signals.length === 0 ? (
        <EmptyState>{t('queue.mine.empty')}</EmptyState>
      ) : (
        <ul className="conversation-list">
          {signals.map((s) => {
            const unread = Math.max(0, s.lastSeq - s.staffReadSeq);
            const language = labelOf(LANGUAGE_LABELS, s.language, t);
            const current = s.id === selected;
            return (
              <li key={s.id}>
                <Link
                  href={queuePaths.conversation(s.id)}
                  className="conversation-link"
                  aria-current={current ? 'true' : undefined}
                  onPress={() => onOpen(s.id)}
                >
                  <span className="conversation-link-title">
                    <ChannelBadge channel={s.channel} /> {s.reference}
                  </span>
                  <span className="conversation-link-meta">
                    {language}
                    {s.state === 'ended' && !s.wrappedUpAt && (
                      <span className="badge badge-warn">
                        <span aria-hidden="true">✎ </span>
                        {t('queue.mine.needsWrapUp')}
                      </span>
                    )}
                    {s.state !== 'ended' && unread > 0 && !current && (
                      <span className="badge badge-ok">{t('queue.mine.unread', { count: unread })}</span>
                    )}
                  </span>
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** How many are waiting, per language and channel (never who or what). */
function WaitingSummary({ waiting }: { waiting: WaitingSignal[] }) {
  const t = useT();
  const duration = useDuration();
  const groups = new Map<
    string,
    { code: string; channel: string; language: string; count: number; longest: number }
  >();
  for (const w of waiting) {
    const key = `${w.channel}:${w.language}`;
    const g = groups.get(key) ?? {
      code: w.channel,
      channel: labelOf(CHANNEL_LABELS, w.channel, t),
      language: labelOf(LANGUAGE_LABELS, w.language, t),
      count: 0,
      longest: 0,
    };
    g.count += 1;
    g.longest = Math.max(g.longest, w.waitedS);
    groups.set(key, g);
  }
  return (
    <section className="queue-panel" aria-labelledby="waiting-heading">
      <h2 id="waiting-heading" className="queue-panel-title">
        {t('queue.waiting.title')}
      </h2>
      {groups.size === 0 ? (
        <EmptyState>{t('queue.waiting.empty')}</EmptyState>
      ) : (
        <ul className="waiting-list">
          {[...groups.entries()].map(([key, g]) => (
            <li key={key}>
              <span className="channel-icon" aria-hidden="true">
                {CHANNEL_ICONS[g.code as keyof typeof CHANNEL_ICONS] ?? ''}
              </span>
              {t('queue.waiting.group', { count: g.count, channel: g.channel, language: g.language })}{' '}
              <span className="muted">{t('queue.waiting.longest', { duration: duration(g.longest) })}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
