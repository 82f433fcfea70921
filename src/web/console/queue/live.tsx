import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { useT } from '../locale';
import { SESSION_KEY } from '../session';
import { patchDelivery } from './channels';
import { queueKeys } from './keys';
import { outboxStore } from './outbox';
import { connectLive, keysForEvent, liveSocketUrl } from './realtime';
import type { ChannelInfo } from './types';
import { voiceStore } from './voice';

// The staff WebSocket: one per signed-in tab (mounted by the shell for queue staff), reconnecting with
// back-off; every event invalidates the queries it names, and a reconnect refetches everything of the queue
// (events may have been missed meanwhile).

export type LiveStatus = 'idle' | 'connecting' | 'open' | 'reconnecting';

let status: LiveStatus = 'idle';
const listeners = new Set<() => void>();
function setStatus(next: LiveStatus) {
  if (status === next) return;
  status = next;
  for (const l of listeners) l();
}
function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The connection state, for polling fallbacks and the discreet "reconnecting…" line. */
export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(
    subscribe,
    () => status,
    () => status,
  );
}

export interface TypingState {
  on: boolean;
  who: string;
  at: number;
}

/** Opens the socket while `enabled`; closes it (and forgets unsent drafts) when the shell goes away. */
export function useLiveSocket(enabled: boolean): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!enabled || typeof WebSocket === 'undefined') return;
    const connection = connectLive({
      url: liveSocketUrl(window.location),
      open: (url, handlers) => {
        const ws = new WebSocket(url);
        ws.onopen = handlers.onOpen;
        ws.onmessage = (message) => handlers.onMessage(message.data);
        ws.onclose = (event) => handlers.onClose(event.code);
        ws.onerror = () => ws.close();
        return ws;
      },
      onStatus: setStatus,
      onResync: () => void queryClient.invalidateQueries({ queryKey: queueKeys.all }),
      // The session query decides: still signed in (reconnect goes on) or "session ended" (the shell unmounts).
      onSessionEnded: () => void queryClient.invalidateQueries({ queryKey: SESSION_KEY }),
      onEvent: (event) => {
        if (event.type === 'typing') {
          if (event.who === 'staff') return;
          queryClient.setQueryData<TypingState>(queueKeys.typing(event.signal), {
            on: event.on,
            who: event.who,
            at: Date.now(),
          });
          return;
        }
        if (event.type === 'delivery') {
          // Usually a status for a message already listed: patched in place, no refetch (an audited read).
          const patched = patchDelivery(
            queryClient.getQueryData<ChannelInfo>(queueKeys.channel(event.signal)),
            event.seq,
            event.status,
          );
          if (patched) {
            queryClient.setQueryData(queueKeys.channel(event.signal), patched);
            return;
          }
        }
        for (const queryKey of keysForEvent(event)) void queryClient.invalidateQueries({ queryKey });
      },
    });
    // Back online, or the tab shown again after a long sleep: try now rather than at the end of the back-off.
    const retryNow = () => connection.retryNow();
    window.addEventListener('online', retryNow);
    document.addEventListener('visibilitychange', retryNow);
    return () => {
      window.removeEventListener('online', retryNow);
      document.removeEventListener('visibilitychange', retryNow);
      connection.stop();
      setStatus('idle');
      outboxStore.clear();
      voiceStore.reset();
    };
  }, [enabled, queryClient]);
}

/** Mounted once in the header: the socket, and a quiet line only while it is reconnecting. */
export function LiveConnection({ enabled }: { enabled: boolean }) {
  const t = useT();
  useLiveSocket(enabled);
  const live = useLiveStatus();
  if (!enabled) return null;
  return (
    <span role="status" className="live-status">
      {live === 'reconnecting' ? (
        <>
          <span className="live-status-dot" aria-hidden="true" />
          {t('live.reconnecting')}
        </>
      ) : null}
    </span>
  );
}
