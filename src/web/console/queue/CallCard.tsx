import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Button } from 'react-aria-components';
import { useLocale, useT } from '../locale';
import { ErrorState, FormError, Loading } from '../ui/states';
import { endInterpreter, holdCall, muteCall } from './api';
import { BrowserAudio } from './BrowserAudio';
import { CALL_STATUS_LABELS, callIsOver, formatClock, languageName, secondsSince } from './channels';
import { useTick } from './clock';
import { InterpreterDialog } from './InterpreterDialog';
import { queueKeys } from './keys';
import { useCall } from './queries';
import type { CallInfo, CallParty, SignalDetail } from './types';

const PARTY_STATUS_LABELS = {
  dialing: 'call.party.dialing',
  joined: 'call.party.joined',
  left: 'call.party.left',
  failed: 'call.party.failed',
} as const;

/**
 * A phone signal's call: its state, how long it has lasted (a visible clock that is never read out each
 * second), hold and mute, an interpreter, who else is on the line, and the browser's audio. Transfer and
 * "End call" are the conversation's own actions. Calls are never recorded, and the card says so.
 */
export function CallCard({ signal }: { signal: SignalDetail }) {
  const t = useT();
  const queryClient = useQueryClient();
  const query = useCall(signal.id, true);
  const info = query.data;
  const over = signal.state === 'ended' || (info ? callIsOver(info.status) : false);
  const answeredAt = info?.answeredAt ?? signal.answeredAt;
  const now = useTick(Boolean(info) && !over && Boolean(answeredAt));
  const [announcement, setAnnouncement] = useState('');
  const [dialog, setDialog] = useState(false);

  const update = async (call: CallInfo | undefined) => {
    // A refetch started before this change (a socket event of the previous press) would overwrite the fresher
    // answer with the older state: cancel it first; the change's own socket event refetches afterwards.
    await queryClient.cancelQueries({ queryKey: queueKeys.call(signal.id) });
    if (call) queryClient.setQueryData(queueKeys.call(signal.id), call);
    else void queryClient.invalidateQueries({ queryKey: queueKeys.call(signal.id) });
  };
  const hold = useMutation({
    mutationFn: (on: boolean) => holdCall(signal.id, on),
    onSuccess: async (result, on) => {
      await update(result?.call);
      setAnnouncement(on ? t('call.onHoldNow') : t('call.resumedNow'));
    },
  });
  const mute = useMutation({
    mutationFn: (on: boolean) => muteCall(signal.id, on),
    onSuccess: async (result, on) => {
      await update(result?.call);
      setAnnouncement(on ? t('call.mutedNow') : t('call.unmutedNow'));
    },
  });

  if (query.isPending) return <Loading label={t('call.loading')} />;
  if (query.isError || !info)
    return <ErrorState error={query.error} onRetry={() => query.refetch()} title={t('call.loadFailed')} />;

  const statusLabel = over
    ? t('call.status.completed')
    : t(CALL_STATUS_LABELS[info.status] ?? 'call.status.ringing');
  const seconds = over ? null : secondsSince(answeredAt, now);
  const busy = hold.isPending || mute.isPending;

  return (
    <section className="call-card" aria-labelledby="call-heading">
      <h3 id="call-heading" className="call-title">
        <span aria-hidden="true">☎ </span>
        {t('call.title')}
      </h3>
      <dl className="call-facts">
        <div>
          <dt>{t('call.status')}</dt>
          <dd className="call-status">
            <span className={`badge ${over ? '' : 'badge-ok'}`}>
              <span aria-hidden="true">{over ? '■ ' : '● '}</span>
              {statusLabel}
            </span>
            {!over && info.onHold && (
              <span className="badge badge-warn">
                <span aria-hidden="true">❚❚ </span>
                {t('call.onHold')}
              </span>
            )}
            {!over && info.muted && (
              <span className="badge badge-warn">
                <span aria-hidden="true">✕ </span>
                {t('call.muted')}
              </span>
            )}
          </dd>
        </div>
        {seconds !== null && (
          <div>
            <dt>{t('call.duration')}</dt>
            <dd>
              {/* role=timer is not a live region: the clock is read when reached, never each second. */}
              <span role="timer" className="call-timer">
                {formatClock(seconds)}
              </span>
            </dd>
          </div>
        )}
      </dl>
      {!over && (
        <div className="call-controls">
          <Button
            className="button"
            isDisabled={busy || !info.conference}
            onPress={() => hold.mutate(!info.onHold)}
          >
            <span aria-hidden="true">{info.onHold ? '▶ ' : '❚❚ '}</span>
            {info.onHold ? t('call.resume') : t('call.hold')}
          </Button>
          <Button
            className="button"
            isDisabled={busy || !info.conference}
            onPress={() => mute.mutate(!info.muted)}
          >
            {info.muted ? t('call.unmute') : t('call.mute')}
          </Button>
          <Button className="button" isDisabled={!info.conference} onPress={() => setDialog(true)}>
            {t('call.addInterpreter')}
          </Button>
        </div>
      )}
      {!over && !info.conference && <p className="small-text muted">{t('call.notConnectedYet')}</p>}
      <p role="status" className="visually-hidden">
        {announcement}
      </p>
      <FormError error={hold.error ?? mute.error} />
      <BrowserAudio signal={signal} over={over} />
      <Parties signal={signal} parties={info.parties} now={now} over={over} />
      <p className="small-text muted call-note">
        <span aria-hidden="true">ℹ </span>
        {t('call.notRecorded')}
      </p>
      {dialog && (
        <InterpreterDialog
          signal={signal}
          onClose={() => setDialog(false)}
          onAdded={(language) => {
            setDialog(false);
            setAnnouncement(t('call.interpreter.calling', { language }));
          }}
        />
      )}
    </section>
  );
}

/** Who else is on the line: interpreters (language, state, how long) and a forwarded advocate's phone. */
function Parties({
  signal,
  parties,
  now,
  over,
}: {
  signal: SignalDetail;
  parties: CallParty[];
  now: number;
  over: boolean;
}) {
  const t = useT();
  const { locale } = useLocale();
  const queryClient = useQueryClient();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const remove = useMutation({
    mutationFn: (partyId: string) => endInterpreter(signal.id, partyId),
    // The pressed button goes away with the interpreter: focus stays in this list instead of getting lost.
    onSuccess: () => headingRef.current?.focus(),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: queueKeys.call(signal.id) }),
  });
  return (
    <div className="call-parties">
      <h4 className="call-subtitle" ref={headingRef} tabIndex={-1}>
        {t('call.parties')}
      </h4>
      {parties.length === 0 ? (
        <p className="small-text muted">{t('call.parties.none')}</p>
      ) : (
        <ul className="party-list">
          {parties.map((party) => {
            const language = party.language ? languageName(party.language, locale) : null;
            const live = party.status === 'joined' && !party.endedAt && !over;
            const seconds = live ? secondsSince(party.startedAt, now) : party.seconds;
            const who =
              party.kind === 'interpreter'
                ? t('call.party.interpreter', { language: language ?? t('call.party.unknownLanguage') })
                : t('call.party.advocate');
            return (
              <li key={party.id} className={`party party-${party.status}`}>
                <span className="party-who">{who}</span>
                <span className={`badge${party.status === 'failed' ? ' badge-danger' : ''}`}>
                  {party.status === 'failed' && <span aria-hidden="true">⚠ </span>}
                  {t(PARTY_STATUS_LABELS[party.status] ?? 'call.party.dialing')}
                </span>
                {seconds !== null && seconds !== undefined && (
                  <span className="small-text muted">
                    {t('call.party.duration', { duration: formatClock(seconds) })}
                  </span>
                )}
                {party.kind === 'interpreter' &&
                  (party.status === 'dialing' || party.status === 'joined') &&
                  !over && (
                    <Button
                      className="button small"
                      isDisabled={remove.isPending}
                      onPress={() => remove.mutate(party.id)}
                      aria-label={t('call.interpreter.removeLabel', { language: language ?? '' })}
                    >
                      {t('call.interpreter.remove')}
                    </Button>
                  )}
              </li>
            );
          })}
        </ul>
      )}
      <FormError error={remove.error} />
    </div>
  );
}
