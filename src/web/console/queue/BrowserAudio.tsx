import { useEffect, useSyncExternalStore } from 'react';
import { Button } from 'react-aria-components';
import type { MessageId } from '../../i18n/messages';
import { useT } from '../locale';
import { useSignedInSession } from '../session';
import { useVoiceEndpoint } from './queries';
import type { SignalDetail } from './types';
import { type VoiceProblem, type VoiceState, voiceStore } from './voice';

const PROBLEMS: Record<VoiceProblem, MessageId> = {
  not_configured: 'voice.problem.notConfigured',
  microphone: 'voice.problem.microphone',
  unreachable: 'voice.problem.unreachable',
  failed: 'voice.problem.failed',
};

const IDLE: VoiceState = { signalId: null, status: 'idle', problem: null };

/**
 * The call's audio for the advocate it is assigned to. In "browser" mode the Voice SDK connects once on its
 * own when the call card first shows (the advocate has just accepted), and again only on request; in
 * "forward" mode Harbour rings their phone. A failure says why and what to do, in one polite status line.
 */
export function BrowserAudio({ signal, over }: { signal: SignalDetail; over: boolean }) {
  const t = useT();
  const { user } = useSignedInSession();
  const endpoint = useVoiceEndpoint();
  const voice = useSyncExternalStore(voiceStore.subscribe, voiceStore.get, voiceStore.get);
  const mine = signal.assignedUserId === user.id;
  const inBrowser = endpoint.data?.mode === 'browser';
  const wanted = mine && !over && inBrowser;

  useEffect(() => {
    if (wanted) voiceStore.autoConnect(signal.id);
  }, [wanted, signal.id]);
  useEffect(() => {
    if (over) voiceStore.disconnect(signal.id);
  }, [over, signal.id]);

  if (!mine || over || endpoint.isPending) return null;
  if (endpoint.isError || !endpoint.data)
    return <p className="notice notice-warning">{t('voice.endpointUnknown')}</p>;
  if (!inBrowser)
    return (
      <p className="notice">
        <span aria-hidden="true">☎ </span>
        {endpoint.data.forwardNumberSet ? t('voice.forwarded') : t('voice.forwardNoNumber')}
      </p>
    );

  const here = voice.signalId === signal.id ? voice : IDLE;
  const line =
    here.status === 'connecting'
      ? t('voice.connecting')
      : here.status === 'connected'
        ? t('voice.connected')
        : here.status === 'disconnected'
          ? t('voice.disconnected')
          : here.status === 'failed'
            ? t(PROBLEMS[here.problem ?? 'failed'])
            : t('voice.idle');
  const canConnect = here.status !== 'connecting' && here.status !== 'connected';
  return (
    <div className={`browser-audio${here.status === 'failed' ? ' notice notice-warning' : ''}`}>
      <p role="status" className="browser-audio-line">
        <span aria-hidden="true">
          {here.status === 'connected' ? '● ' : here.status === 'failed' ? '⚠ ' : '… '}
        </span>
        {line}
      </p>
      {canConnect && (
        <Button className="button small" onPress={() => void voiceStore.connect(signal.id)}>
          {here.status === 'idle' ? t('voice.connect') : t('voice.retry')}
        </Button>
      )}
    </div>
  );
}
