import { FieldError, Input, Label, Text, TextField, type TextFieldProps } from 'react-aria-components';
import { LocalFieldError } from '../ui/fields';

/**
 * A text field whose error comes from the form's own checks (an error summary points at it by id): the message
 * shows under the field and the input is marked invalid; without one, the browser's constraints speak through
 * the console's localised messages.
 */
export function CheckedField({
  label,
  description,
  error,
  placeholder,
  className,
  ...props
}: Omit<TextFieldProps, 'children' | 'className' | 'isInvalid'> & {
  label: string;
  description?: string;
  error?: string;
  placeholder?: string;
  className?: string;
}) {
  return (
    <TextField {...props} isInvalid={error ? true : undefined} className={`field ${className ?? ''}`.trim()}>
      <Label className="field-label">{label}</Label>
      {description && (
        <Text slot="description" className="field-description">
          {description}
        </Text>
      )}
      <Input className="input" placeholder={placeholder} />
      {error ? <FieldError className="field-error">{error}</FieldError> : <LocalFieldError />}
    </TextField>
  );
}
