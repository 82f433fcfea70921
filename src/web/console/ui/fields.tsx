import type { Ref } from 'react';
import {
  FieldError,
  Input,
  Label,
  Text,
  TextArea,
  TextField,
  type TextFieldProps,
  type ValidationResult,
} from 'react-aria-components';
import type { MessageId } from '../../i18n/messages';
import { useT } from '../locale';

type Details = ValidationResult['validationDetails'];

/** Per-field overrides for the native constraint messages (the browser would use its own language). */
export type ValidationMessages = Partial<Record<keyof Omit<Details, 'valid'>, string>>;

const DEFAULT_MESSAGES: Partial<Record<keyof Details, MessageId>> = {
  valueMissing: 'validation.required',
  typeMismatch: 'validation.typeMismatch',
  tooShort: 'validation.tooShort',
  tooLong: 'validation.tooLong',
  patternMismatch: 'validation.patternMismatch',
  rangeUnderflow: 'validation.range',
  rangeOverflow: 'validation.range',
  badInput: 'validation.badInput',
};

/** Field errors in the UI's language, whatever language the browser runs in. */
export function LocalFieldError({ messages }: { messages?: ValidationMessages }) {
  const t = useT();
  return (
    <FieldError className="field-error">
      {({ validationDetails, validationErrors }) => {
        for (const key of Object.keys(DEFAULT_MESSAGES) as (keyof Omit<Details, 'valid'>)[]) {
          if (validationDetails[key]) {
            const own = messages?.[key];
            const fallback = DEFAULT_MESSAGES[key];
            return own ?? (fallback ? t(fallback) : validationErrors.join(' '));
          }
        }
        if (validationDetails.customError) return validationErrors.join(' ');
        return validationErrors.join(' ');
      }}
    </FieldError>
  );
}

interface TextInputFieldProps extends Omit<TextFieldProps, 'children' | 'className'> {
  label: string;
  description?: string;
  messages?: ValidationMessages;
  inputRef?: Ref<HTMLInputElement>;
  className?: string;
  placeholder?: string;
}

/** Label, input, help text and localised errors, wired together by React Aria. */
export function TextInputField({
  label,
  description,
  messages,
  inputRef,
  className,
  placeholder,
  ...props
}: TextInputFieldProps) {
  return (
    <TextField {...props} className={`field ${className ?? ''}`.trim()}>
      <Label className="field-label">{label}</Label>
      {description && (
        <Text slot="description" className="field-description">
          {description}
        </Text>
      )}
      <Input ref={inputRef} className="input" placeholder={placeholder} />
      <LocalFieldError messages={messages} />
    </TextField>
  );
}

export function TextAreaField({
  label,
  description,
  messages,
  className,
  ...props
}: Omit<TextInputFieldProps, 'inputRef' | 'placeholder'>) {
  return (
    <TextField {...props} className={`field ${className ?? ''}`.trim()}>
      <Label className="field-label">{label}</Label>
      {description && (
        <Text slot="description" className="field-description">
          {description}
        </Text>
      )}
      <TextArea className="input textarea" rows={3} />
      <LocalFieldError messages={messages} />
    </TextField>
  );
}
