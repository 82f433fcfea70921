import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Checkbox, CheckboxGroup, Label, Radio, RadioGroup } from 'react-aria-components';
import { useT } from '../locale';
import { ErrorState, FormError, Loading } from '../ui/states';
import { setPresence } from './api';
import { queueKeys } from './keys';
import { LANGUAGE_LABELS, PRESENCE_LABELS } from './labels';
import { useMyPresence } from './queries';
import { PRESENCE_STATUSES, type PresenceStatus, QUEUE_LANGUAGES, type QueueLanguage } from './types';
import { VoiceEndpointControl } from './VoiceEndpointControl';

const STATUS_ICON: Record<PresenceStatus, string> = { available: '●', busy: '◐', break: '❚❚', offline: '○' };

/** My availability and the language queues I take; a change applies at once (routing reacts to it). */
export function PresencePanel() {
  const t = useT();
  const queryClient = useQueryClient();
  const presence = useMyPresence();
  // What was just chosen shows at once (the control answers the press), then the server's answer replaces it.
  const [chosen, setChosen] = useState<{ status: PresenceStatus; languages: QueueLanguage[] } | null>(null);
  // Two quick presses (a language, then "available") send two saves: only the latest one's answer may replace
  // what is shown, or the first answer would undo the second press for a moment.
  const latest = useRef(0);
  const mutation = useMutation({
    mutationFn: (v: { next: { status: PresenceStatus; languages: QueueLanguage[] }; seq: number }) =>
      setPresence(v.next),
    onSuccess: (result, v) => {
      if (v.seq !== latest.current) return;
      queryClient.setQueryData(queueKeys.myPresence, result.presence);
      void queryClient.invalidateQueries({ queryKey: queueKeys.snapshot });
    },
    onSettled: (_result, _error, v) => {
      if (v.seq === latest.current) setChosen(null);
    },
  });
  const choose = (next: { status: PresenceStatus; languages: QueueLanguage[] }) => {
    latest.current += 1;
    setChosen(next);
    setNotice('');
    mutation.mutate({ next, seq: latest.current });
  };

  // Harbour itself may take me off "available" (offers left to time out): say so, once, politely.
  const [notice, setNotice] = useState('');
  const serverStatus = presence.data?.status;
  const lastStatus = useRef<PresenceStatus | undefined>(undefined);
  // biome-ignore lint/correctness/useExhaustiveDependencies: on a change of the saved status only
  useEffect(() => {
    const before = lastStatus.current;
    lastStatus.current = serverStatus;
    if (before === 'available' && serverStatus === 'busy' && !mutation.isPending && chosen === null)
      setNotice(t('queue.presence.setBusy'));
  }, [serverStatus]);

  if (presence.isPending) return <Loading label={t('queue.presence.loading')} />;
  if (presence.isError) return <ErrorState error={presence.error} onRetry={() => presence.refetch()} />;
  const current = chosen ? { ...presence.data, ...chosen } : presence.data;

  return (
    <section className="queue-panel" aria-labelledby="presence-heading">
      <h2 id="presence-heading" className="queue-panel-title">
        {t('queue.presence.title')}
      </h2>
      <RadioGroup
        className="field"
        value={current.status}
        onChange={(value) => choose({ status: value as PresenceStatus, languages: current.languages })}
      >
        <Label className="field-label">{t('queue.presence.status')}</Label>
        <div className="presence-options">
          {PRESENCE_STATUSES.map((status) => (
            <Radio key={status} value={status} className={`presence-option presence-${status}`}>
              <span className="presence-icon" aria-hidden="true">
                {STATUS_ICON[status]}
              </span>
              {t(PRESENCE_LABELS[status])}
            </Radio>
          ))}
        </div>
      </RadioGroup>
      <CheckboxGroup
        className="field"
        value={current.languages}
        onChange={(values) => choose({ status: current.status, languages: values as QueueLanguage[] })}
      >
        <Label className="field-label">{t('queue.presence.languages')}</Label>
        <div className="checkbox-list">
          {QUEUE_LANGUAGES.map((language) => (
            <Checkbox key={language} value={language} className="checkbox">
              {({ isSelected }) => (
                <>
                  <span className="checkbox-box" aria-hidden="true">
                    {isSelected ? '✓' : ''}
                  </span>
                  {t(LANGUAGE_LABELS[language])}
                </>
              )}
            </Checkbox>
          ))}
        </div>
      </CheckboxGroup>
      {current.status === 'available' && current.languages.length === 0 && (
        <p className="notice notice-warning">{t('queue.presence.noLanguage')}</p>
      )}
      <p role="status" className="notice-line">
        {notice}
      </p>
      <FormError error={mutation.error} />
      <VoiceEndpointControl />
    </section>
  );
}
