import type { Key } from 'react-aria-components';
import {
  Button,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Select,
  SelectValue,
  Text,
} from 'react-aria-components';
import { LocalFieldError } from './fields';

export interface Option {
  id: string;
  label: string;
}

interface SelectFieldProps {
  label: string;
  options: Option[];
  value: string | null;
  onChange: (value: string) => void;
  description?: string;
  isRequired?: boolean;
  name?: string;
  autoFocus?: boolean;
  placeholder?: string;
}

/** A labelled single-choice list (React Aria Select: keyboard, typeahead, screen-reader support). */
export function SelectField({
  label,
  options,
  value,
  onChange,
  description,
  isRequired,
  name,
  autoFocus,
  placeholder,
}: SelectFieldProps) {
  return (
    <Select
      className="field"
      value={value}
      onChange={(key: Key | null) => {
        if (key !== null) onChange(String(key));
      }}
      isRequired={isRequired}
      name={name}
      autoFocus={autoFocus}
      placeholder={placeholder}
    >
      <Label className="field-label">{label}</Label>
      {description && (
        <Text slot="description" className="field-description">
          {description}
        </Text>
      )}
      <Button className="input select-button">
        <SelectValue className="select-value" />
        <span aria-hidden="true" className="chevron">
          ▾
        </span>
      </Button>
      <LocalFieldError />
      <Popover className="popover">
        <ListBox className="listbox" items={options}>
          {(option) => (
            <ListBoxItem id={option.id} className="listbox-item" textValue={option.label}>
              {option.label}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </Select>
  );
}
