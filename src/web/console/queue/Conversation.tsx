import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { Button, Form, Label, Radio, RadioGroup, Text } from 'react-aria-components';
import { ApiError } from '../api/client';
import { useLocale, useT } from '../locale';
import { useSignedInSession } from '../session';
import { TextAreaField } from '../ui/fields';
import { ModalDialog } from '../ui/ModalDialog';
import { PendingButton } from '../ui/PendingButton';
import { SelectField } from '../ui/SelectField';
import { ErrorState, FormError, Loading } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { AttachmentList } from './Attachments';
import { endSignal, markRead, sendMessage, transferSignal } from './api';
import { CallCard } from './CallCard';
import { ConversationCasework } from './CasePanel';
import { ChannelFacts } from './ChannelFacts';
import { Composer, MAX_EMAIL, MAX_MESSAGE } from './Composer';
import { CHANNEL_ICONS, deliveriesBySeq, hasAddress, hasOutbox, languageName, windowOpen } from './channels';
import { useTick } from './clock';
import { queueKeys } from './keys';
import { CHANNEL_LABELS, LANGUAGE_LABELS, labelOf } from './labels';
import type { TypingState } from './live';
import { mergeTranscript, newClientId, outboxStore } from './outbox';
import { useChannel, useEveryone, useSignal } from './queries';
import { ReportReview } from './ReportReview';
import { TYPING_STALE_MS } from './realtime';
import { Transcript } from './Transcript';
import type { ChannelInfo, SignalDetail, TransferTarget } from './types';
import { voiceStore } from './voice';
import { WrapUpForm } from './WrapUpForm';

/**
 * The conversation I am working on: what was said, my reply, and the next steps (transfer, end, wrap-up).
 * `focusKey` changes when the advocate asked for this conversation (accepted an offer, picked it in the
 * list): only then does focus move to its heading. Live updates never move focus.
 */
export function ConversationPanel({
  signalId,
  focusKey,
  onLeave,
}: {
  signalId: string;
  focusKey: number;
  onLeave: (message: string) => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const query = useSignal(signalId);
  const channelQuery = useChannel(signalId, hasAddress(query.data?.channel ?? ''));
  const headingRef = useRef<HTMLHeadingElement>(null);
  const wrapUpRef = useRef<HTMLHeadingElement>(null);
  const [focusWrapUp, setFocusWrapUp] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: on request, once the heading exists
  useEffect(() => {
    if (focusKey > 0) headingRef.current?.focus();
  }, [focusKey, query.isSuccess]);

  useEffect(() => {
    if (focusWrapUp && query.data?.state === 'ended') {
      wrapUpRef.current?.focus();
      setFocusWrapUp(false);
    }
  }, [focusWrapUp, query.data?.state]);

  // Ended from the other side (the visitor left, or quick exit) while I am here: say so once, politely; focus
  // moves only if it was in the message box that has just gone, never away from where the advocate is.
  const [endedNotice, setEndedNotice] = useState('');
  const lastState = useRef<string | undefined>(undefined);
  // biome-ignore lint/correctness/useExhaustiveDependencies: on a change of state only
  useEffect(() => {
    const state = query.data?.state;
    const before = lastState.current;
    lastState.current = state;
    if (!before || before === 'ended' || state !== 'ended' || focusWrapUp) return;
    setEndedNotice(
      query.data?.endReason === 'quick_close'
        ? t('conversation.endedQuickClose')
        : query.data?.channel === 'phone'
          ? t('call.endedByCaller')
          : t('conversation.endedByVisitor'),
    );
    const active = document.activeElement;
    if (!active || active === document.body) wrapUpRef.current?.focus();
  }, [query.data?.state]);

  if (query.isPending) return <Loading label={t('conversation.loading')} />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => query.refetch()} />;
  const signal = query.data;
  const channel = labelOf(CHANNEL_LABELS, signal.channel, t);
  const language = labelOf(LANGUAGE_LABELS, signal.language, t);
  const ended = signal.state === 'ended';

  return (
    <section className="conversation" aria-labelledby="conversation-heading">
      <div className="conversation-head">
        <h2 id="conversation-heading" className="queue-panel-title" ref={headingRef} tabIndex={-1}>
          <span className="channel-icon" aria-hidden="true">
            {CHANNEL_ICONS[signal.channel] ?? ''}
          </span>
          {t('conversation.title', { channel, reference: signal.reference })}
        </h2>
        <dl className="conversation-facts">
          <div>
            <dt>{t('conversation.language')}</dt>
            <dd>
              {language}
              {signal.interpreterLanguage
                ? ` · ${t('queue.offers.interpreter', { language: languageName(signal.interpreterLanguage, locale) })}`
                : ''}
            </dd>
          </div>
          {signal.answeredAt && (
            <div>
              <dt>{t('conversation.answered')}</dt>
              <dd>
                <RelativeTime value={signal.answeredAt} />
              </dd>
            </div>
          )}
          <div>
            <dt>{t('conversation.state')}</dt>
            <dd>
              {ended ? (
                <span className="badge">{t('conversation.state.ended')}</span>
              ) : (
                <span className="badge badge-ok">
                  <span aria-hidden="true">● </span>
                  {t('conversation.state.active')}
                </span>
              )}
            </dd>
          </div>
        </dl>
        {!ended && (
          <ConversationActions signal={signal} onTransferred={onLeave} onEnded={() => setFocusWrapUp(true)} />
        )}
      </div>
      <p role="status" className="status-line">
        {endedNotice}
      </p>
      {hasAddress(signal.channel) && <ChannelFacts signal={signal} query={channelQuery} />}
      {signal.channel === 'report' ? (
        <ReportReview report={signal.report} />
      ) : signal.channel === 'phone' ? (
        <CallCard signal={signal} />
      ) : (
        <Chat signal={signal} channel={hasOutbox(signal.channel) ? channelQuery.data : undefined} />
      )}
      <ConversationCasework key={`casework-${signal.id}`} signalId={signal.id} />
      {(ended || signal.channel === 'report') && (
        <WrapUpForm key={signal.id} signal={signal} headingRef={wrapUpRef} />
      )}
    </section>
  );
}

function Chat({ signal, channel }: { signal: SignalDetail; channel?: ChannelInfo }) {
  const t = useT();
  const queryClient = useQueryClient();
  const outbox = useSyncExternalStore(
    outboxStore.subscribe,
    () => outboxStore.get(signal.id),
    () => outboxStore.get(signal.id),
  );
  const insertRef = useRef<((text: string) => void) | null>(null);
  const typing = useQuery<TypingState | null>({
    queryKey: queueKeys.typing(signal.id),
    queryFn: () => null,
    enabled: false,
    initialData: null,
  });
  const [, setTick] = useState(0);
  const ended = signal.state === 'ended';

  // What the server now holds leaves the outbox; pending and failed stay.
  useEffect(() => outboxStore.prune(signal.id, signal.messages), [signal.id, signal.messages]);

  // Tell the visitor what I have read: everything shown, while this tab is visible.
  const lastSeq = signal.messages.reduce((max, m) => Math.max(max, m.seq), 0);
  const reported = useRef(signal.staffReadSeq);
  useEffect(() => {
    const report = () => {
      if (document.visibilityState !== 'visible' || lastSeq <= reported.current) return;
      reported.current = lastSeq;
      markRead(signal.id, lastSeq).catch(() => {
        reported.current = 0;
      });
    };
    report();
    document.addEventListener('visibilitychange', report);
    return () => document.removeEventListener('visibilitychange', report);
  }, [signal.id, lastSeq]);

  // A typing indicator fades on its own if no fresh event comes.
  const typingOn = typing.data?.on === true && Date.now() - typing.data.at < TYPING_STALE_MS;
  useEffect(() => {
    if (!typingOn) return;
    const timer = setTimeout(() => setTick((n) => n + 1), TYPING_STALE_MS);
    return () => clearTimeout(timer);
  }, [typingOn]);

  const deliver = (clientId: string, text: string) => {
    outboxStore.update(signal.id, clientId, { status: 'pending' });
    sendMessage(signal.id, { id: clientId, text })
      .then((result) => {
        outboxStore.update(signal.id, clientId, { status: 'sent', seq: result?.seq ?? null });
        void queryClient.invalidateQueries({ queryKey: queueKeys.signal(signal.id) });
      })
      .catch((error: unknown) => {
        const code = error instanceof ApiError ? error.code : null;
        outboxStore.update(signal.id, clientId, { status: 'failed', errorCode: code });
        // The reply window has closed meanwhile: show it (the composer closes too).
        if (code === 'WHATSAPP_WINDOW_CLOSED')
          void queryClient.invalidateQueries({ queryKey: queueKeys.channel(signal.id) });
      });
  };

  const send = (text: string) => {
    const clientId = newClientId();
    outboxStore.add(signal.id, { clientId, text, status: 'pending', seq: null, createdAt: Date.now() });
    deliver(clientId, text);
  };

  const entries = mergeTranscript(
    signal.messages,
    outbox,
    signal.visitorReadSeq,
    channel ? deliveriesBySeq(channel.deliveries) : undefined,
  );
  const attachments = channel?.attachments ?? [];
  // WhatsApp's window closes on its own: look again every half minute while it is open.
  const now = useTick(Boolean(channel?.window?.open), 30_000);
  const windowClosed = channel?.window ? !windowOpen(channel.window, now) : false;
  return (
    <div className="chat">
      <Transcript
        entries={entries}
        label={t('conversation.transcript')}
        renderExtra={(entry) =>
          entry.seq === null ? null : (
            <AttachmentList
              attachments={attachments.filter((a) => a.seq === entry.seq)}
              label={t('channel.attachmentsOf')}
            />
          )
        }
        onRetry={(clientId) => {
          const message = outbox.find((o) => o.clientId === clientId);
          if (message) deliver(clientId, message.text);
        }}
        onEdit={(clientId) => {
          const message = outbox.find((o) => o.clientId === clientId);
          if (!message) return;
          outboxStore.remove(signal.id, clientId);
          insertRef.current?.(message.text);
        }}
      />
      <p className="typing-line">
        {typingOn ? (
          <>
            <span className="typing-dots" aria-hidden="true">
              •••{' '}
            </span>
            {t('conversation.typing')}
          </>
        ) : null}
      </p>
      {ended ? (
        <p className="notice">{t('conversation.endedNotice')}</p>
      ) : (
        <>
          {windowClosed && (
            <p className="notice notice-warning" id={`window-closed-${signal.id}`}>
              <span aria-hidden="true">■ </span>
              {t('channel.whatsapp.closedExplained')}
            </p>
          )}
          <Composer
            key={signal.id}
            signalId={signal.id}
            language={signal.language}
            onSend={send}
            disabled={windowClosed}
            insertRef={insertRef}
            maxLength={signal.channel === 'email' ? MAX_EMAIL : MAX_MESSAGE}
            describedBy={windowClosed ? `window-closed-${signal.id}` : undefined}
          />
        </>
      )}
    </div>
  );
}

function ConversationActions({
  signal,
  onTransferred,
  onEnded,
}: {
  signal: SignalDetail;
  onTransferred: (message: string) => void;
  onEnded: () => void;
}) {
  const t = useT();
  const [dialog, setDialog] = useState<'transfer' | 'end' | null>(null);
  const isReport = signal.channel === 'report';
  const isPhone = signal.channel === 'phone';
  return (
    <div className="conversation-actions">
      <Button className="button" onPress={() => setDialog('transfer')}>
        {t('conversation.transfer')}
      </Button>
      <Button className="button danger-outline" onPress={() => setDialog('end')}>
        {isReport ? t('conversation.endReview') : isPhone ? t('call.end') : t('conversation.end')}
      </Button>
      {dialog === 'transfer' && (
        <TransferDialog signal={signal} onClose={() => setDialog(null)} onDone={onTransferred} />
      )}
      {dialog === 'end' && (
        <EndDialog
          signal={signal}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            onEnded();
          }}
        />
      )}
    </div>
  );
}

function EndDialog({
  signal,
  onClose,
  onDone,
}: {
  signal: SignalDetail;
  onClose: () => void;
  onDone: () => void;
}) {
  const t = useT();
  const queryClient = useQueryClient();
  const isReport = signal.channel === 'report';
  const isPhone = signal.channel === 'phone';
  const mutation = useMutation({
    mutationFn: () => endSignal(signal.id, isReport ? 'reviewed' : 'completed'),
    onSuccess: async () => {
      if (isPhone) voiceStore.disconnect(signal.id);
      await queryClient.invalidateQueries({ queryKey: queueKeys.signal(signal.id) });
      void queryClient.invalidateQueries({ queryKey: queueKeys.snapshot });
      onDone();
    },
  });
  return (
    <ModalDialog
      isOpen
      onOpenChange={(open) => !open && onClose()}
      title={
        isReport
          ? t('conversation.endReview.title')
          : isPhone
            ? t('call.end.title')
            : t('conversation.end.title')
      }
      role="alertdialog"
    >
      <div className="stack">
        <p>
          {isReport
            ? t('conversation.endReview.body')
            : isPhone
              ? t('call.end.body')
              : t('conversation.end.body')}
        </p>
        <FormError error={mutation.error} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose} autoFocus>
            {t('action.cancel')}
          </Button>
          <PendingButton
            className="button danger"
            isPending={mutation.isPending}
            onPress={() => mutation.mutate()}
          >
            {isReport ? t('conversation.endReview') : isPhone ? t('call.end') : t('conversation.end')}
          </PendingButton>
        </div>
      </div>
    </ModalDialog>
  );
}

function TransferDialog({
  signal,
  onClose,
  onDone,
}: {
  signal: SignalDetail;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const t = useT();
  const queryClient = useQueryClient();
  const { user } = useSignedInSession();
  // Only supervisors may list everyone's presence (the server refuses advocates); advocates hand over to a supervisor.
  const everyone = useEveryone(user.role === 'supervisor');
  const colleagues = (everyone.data ?? []).filter((p) => p.userId !== user.id && p.status !== 'offline');
  const [target, setTarget] = useState<'supervisor' | 'colleague'>('supervisor');
  const [colleague, setColleague] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const mutation = useMutation({
    mutationFn: () => {
      const to: TransferTarget =
        target === 'colleague' && colleague ? { to_user_id: colleague } : { to: 'supervisor' };
      return transferSignal(signal.id, to, reason.trim());
    },
    onSuccess: () => {
      outboxStore.setDraft(signal.id, '');
      void queryClient.invalidateQueries({ queryKey: queueKeys.snapshot });
      queryClient.removeQueries({ queryKey: queueKeys.signal(signal.id) });
      onClose();
      onDone(t('conversation.transfer.done', { reference: signal.reference }));
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    mutation.mutate();
  };
  return (
    <ModalDialog
      isOpen
      onOpenChange={(open) => !open && onClose()}
      title={t('conversation.transfer.title', { reference: signal.reference })}
    >
      <Form onSubmit={submit} className="stack">
        <RadioGroup
          className="field"
          value={target}
          onChange={(v) => setTarget(v === 'colleague' ? 'colleague' : 'supervisor')}
        >
          <Label className="field-label">{t('conversation.transfer.to')}</Label>
          <div className="radio-row">
            <Radio value="supervisor" className="radio">
              <span className="radio-dot" aria-hidden="true" />
              {t('conversation.transfer.supervisor')}
            </Radio>
            {everyone.isSuccess && (
              <Radio value="colleague" className="radio" isDisabled={colleagues.length === 0}>
                <span className="radio-dot" aria-hidden="true" />
                {t('conversation.transfer.colleague')}
              </Radio>
            )}
          </div>
          {everyone.isSuccess && colleagues.length === 0 && (
            <Text slot="description" className="field-description">
              {t('conversation.transfer.noColleague')}
            </Text>
          )}
        </RadioGroup>
        {target === 'colleague' && (
          <SelectField
            label={t('conversation.transfer.who')}
            options={colleagues.map((p) => ({ id: p.userId, label: p.displayName ?? p.userId }))}
            value={colleague}
            onChange={setColleague}
            isRequired
          />
        )}
        <TextAreaField
          label={t('conversation.transfer.reason')}
          description={t('conversation.transfer.reasonHelp')}
          value={reason}
          onChange={setReason}
          isRequired
          maxLength={500}
        />
        <FormError error={mutation.error} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
            {t('conversation.transfer.submit')}
          </PendingButton>
        </div>
      </Form>
    </ModalDialog>
  );
}
