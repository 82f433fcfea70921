import type { Ref } from 'react';
import { useT } from '../locale';
import { TextInputField } from '../ui/fields';

/** Authenticator codes are typed with spaces sometimes ("123 456"); the server wants six digits. */
export function normaliseCode(value: string): string {
  return value.replace(/\s+/g, '');
}

/** The 6-digit TOTP field: numeric keyboard on phones, one-time-code autofill, localised errors. */
export function CodeField({
  value,
  onChange,
  inputRef,
  autoFocus,
}: {
  value: string;
  onChange: (value: string) => void;
  inputRef?: Ref<HTMLInputElement>;
  autoFocus?: boolean;
}) {
  const t = useT();
  return (
    <TextInputField
      name="code"
      label={t('mfa.codeLabel')}
      description={t('mfa.codeDescription')}
      value={value}
      onChange={onChange}
      inputRef={inputRef}
      autoFocus={autoFocus}
      isRequired
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="\s*[0-9]{3}\s?[0-9]{3}\s*"
      maxLength={8}
      className="field-code"
      messages={{ patternMismatch: t('mfa.codePattern'), valueMissing: t('mfa.codeMissing') }}
    />
  );
}
