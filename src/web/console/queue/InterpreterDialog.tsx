import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import {
  Button,
  ComboBox,
  FieldError,
  Form,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Text,
} from 'react-aria-components';
import { useLocale, useT } from '../locale';
import { ModalDialog } from '../ui/ModalDialog';
import { PendingButton } from '../ui/PendingButton';
import { FormError } from '../ui/states';
import { addInterpreter } from './api';
import { interpreterOptions, type LanguageOption, languageName, resolveLanguage } from './channels';
import { queueKeys } from './keys';
import type { SignalDetail } from './types';

/**
 * Adds the language line to a call: a list of the languages most asked for, named in the UI's language,
 * and free entry of any BCP 47 tag (the list filters as one types). Starts with the language the caller chose.
 */
export function InterpreterDialog({
  signal,
  onClose,
  onAdded,
}: {
  signal: SignalDetail;
  onClose: () => void;
  onAdded: (languageName: string) => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const queryClient = useQueryClient();
  const options = useMemo(
    () => interpreterOptions(locale, signal.interpreterLanguage),
    [locale, signal.interpreterLanguage],
  );
  const initial = options.find((o) => o.id === signal.interpreterLanguage) ?? null;
  const [input, setInput] = useState(initial?.label ?? '');
  const [invalid, setInvalid] = useState(false);
  const mutation = useMutation({
    mutationFn: (tag: string) => addInterpreter(signal.id, tag),
    onSuccess: (_result, tag) => {
      void queryClient.invalidateQueries({ queryKey: queueKeys.call(signal.id) });
      onAdded(languageName(tag, locale));
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    const tag = resolveLanguage(input, options);
    setInvalid(tag === null);
    if (tag) mutation.mutate(tag);
  };
  return (
    <ModalDialog
      isOpen
      onOpenChange={(open) => !open && onClose()}
      title={t('call.interpreter.title', { reference: signal.reference })}
    >
      <Form onSubmit={submit} className="stack" validationBehavior="aria">
        <ComboBox
          className="field"
          allowsCustomValue
          defaultItems={options}
          inputValue={input}
          onInputChange={(value) => {
            setInput(value);
            setInvalid(false);
          }}
          isInvalid={invalid}
          isRequired
          menuTrigger="focus"
          autoFocus
        >
          <Label className="field-label">{t('call.interpreter.language')}</Label>
          <Text slot="description" className="field-description">
            {t('call.interpreter.languageHelp')}
          </Text>
          <div className="combo-row">
            <Input className="input" />
            <Button className="button small combo-button" aria-label={t('call.interpreter.showLanguages')}>
              <span aria-hidden="true">▾</span>
            </Button>
          </div>
          <FieldError className="field-error">{t('call.interpreter.invalid')}</FieldError>
          <Popover className="popover">
            <ListBox className="listbox">
              {(option: LanguageOption) => (
                <ListBoxItem id={option.id} className="listbox-item" textValue={option.label}>
                  {option.label}
                </ListBoxItem>
              )}
            </ListBox>
          </Popover>
        </ComboBox>
        <p className="small-text muted">{t('call.interpreter.note')}</p>
        <FormError error={mutation.error} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose}>
            {t('action.cancel')}
          </Button>
          <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
            {t('call.interpreter.submit')}
          </PendingButton>
        </div>
      </Form>
    </ModalDialog>
  );
}
