import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Button, Form, Label, Radio, RadioGroup, Text } from 'react-aria-components';
import { useT } from '../locale';
import { TextInputField } from '../ui/fields';
import { ModalDialog } from '../ui/ModalDialog';
import { PendingButton } from '../ui/PendingButton';
import { FormError } from '../ui/states';
import { setVoiceEndpoint } from './api';
import { queueKeys } from './keys';
import { useVoiceEndpoint } from './queries';
import type { VoiceEndpoint, VoiceMode } from './types';

/** E.164 after removing spaces, dots, dashes and brackets (the server checks again). */
export function normalizePhone(value: string): string {
  return value.replace(/[\s().-]/g, '');
}
const E164 = /^\+[1-9]\d{6,14}$/;

/** In the availability panel: how I answer phone calls (this browser, or a forwarded number), and a way to change it. */
export function VoiceEndpointControl() {
  const t = useT();
  const endpoint = useVoiceEndpoint();
  const [open, setOpen] = useState(false);
  const [saved, setSaved] = useState('');
  if (endpoint.isPending) return null;
  if (endpoint.isError || !endpoint.data)
    return <p className="small-text muted">{t('voice.endpointUnknown')}</p>;
  const current = endpoint.data;
  return (
    <div className="voice-endpoint">
      <p className="voice-endpoint-line">
        <span className="field-label">{t('voice.endpoint.title')}</span>{' '}
        <span>
          {current.mode === 'browser'
            ? t('voice.endpoint.browser')
            : current.forwardNumberSet
              ? t('voice.endpoint.forward')
              : t('voice.endpoint.forwardMissing')}
        </span>
      </p>
      <Button className="button small" onPress={() => setOpen(true)}>
        {t('voice.endpoint.change')}
      </Button>
      <p role="status" className="small-text">
        {saved}
      </p>
      {open && (
        <VoiceEndpointDialog
          current={current}
          onClose={() => setOpen(false)}
          onSaved={() => {
            setOpen(false);
            setSaved(t('voice.endpoint.saved'));
          }}
        />
      )}
    </div>
  );
}

function VoiceEndpointDialog({
  current,
  onClose,
  onSaved,
}: {
  current: VoiceEndpoint;
  onClose: () => void;
  onSaved: () => void;
}) {
  const t = useT();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<VoiceMode>(current.mode);
  const [number, setNumber] = useState('');
  const mutation = useMutation({
    mutationFn: () => {
      const typed = normalizePhone(number);
      return setVoiceEndpoint(mode === 'forward' && typed ? { mode, number: typed } : { mode });
    },
    onSuccess: (result) => {
      queryClient.setQueryData(queueKeys.voiceEndpoint, result);
      onSaved();
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!mutation.isPending) mutation.mutate();
  };
  const numberRequired = mode === 'forward' && !current.forwardNumberSet;
  return (
    <ModalDialog isOpen onOpenChange={(o) => !o && onClose()} title={t('voice.endpoint.dialogTitle')}>
      <Form onSubmit={submit} className="stack">
        <RadioGroup
          className="field"
          value={mode}
          onChange={(v) => setMode(v === 'forward' ? 'forward' : 'browser')}
        >
          <Label className="field-label">{t('voice.endpoint.mode')}</Label>
          <div className="stack-tight">
            <Radio value="browser" className="radio">
              <span className="radio-dot" aria-hidden="true" />
              {t('voice.endpoint.browserOption')}
            </Radio>
            <Radio value="forward" className="radio">
              <span className="radio-dot" aria-hidden="true" />
              {t('voice.endpoint.forwardOption')}
            </Radio>
          </div>
          <Text slot="description" className="field-description">
            {t('voice.endpoint.modeHelp')}
          </Text>
        </RadioGroup>
        {mode === 'forward' && (
          <TextInputField
            label={t('voice.endpoint.number')}
            description={
              current.forwardNumberSet ? t('voice.endpoint.numberKept') : t('voice.endpoint.numberHelp')
            }
            value={number}
            onChange={setNumber}
            type="tel"
            autoComplete="tel"
            isRequired={numberRequired}
            validate={(value) =>
              value && !E164.test(normalizePhone(value)) ? t('voice.endpoint.numberInvalid') : null
            }
          />
        )}
        <FormError error={mutation.error} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
            {t('voice.endpoint.save')}
          </PendingButton>
        </div>
      </Form>
    </ModalDialog>
  );
}
