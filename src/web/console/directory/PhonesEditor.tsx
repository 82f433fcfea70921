import { Button } from 'react-aria-components';
import type { MessageId } from '../../i18n/messages';
import { useT } from '../locale';
import { TextInputField } from '../ui/fields';
import { SelectField } from '../ui/SelectField';
import { PHONE_TYPES } from './recordForm';
import type { Phone } from './types';

/** Editable list of phone numbers, shared by the managers' record editor and the partners' proposal form. */
export function PhonesEditor({ phones, onChange }: { phones: Phone[]; onChange: (p: Phone[]) => void }) {
  const t = useT();
  const update = (i: number, patch: Partial<Phone>) =>
    onChange(phones.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  return (
    <fieldset className="form-section">
      <legend className="form-section-title">{t('directory.result.phones')}</legend>
      {phones.length === 0 && <p className="muted">{t('directory.result.noPhone')}</p>}
      <ol className="phone-rows">
        {phones.map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
          <li key={i} className="phone-row">
            <TextInputField
              label={t('directory.field.phoneNumber', { n: i + 1 })}
              value={p.number}
              onChange={(v) => update(i, { number: v })}
              isRequired
              maxLength={40}
              pattern="[0-9+\(\)#*. \-]{3,40}"
              messages={{ patternMismatch: t('directory.validation.phone') }}
            />
            <SelectField
              label={t('directory.field.phoneType', { n: i + 1 })}
              options={PHONE_TYPES.map((k) => ({ id: k, label: t(`directory.phoneType.${k}` as MessageId) }))}
              value={p.type ?? 'voice'}
              onChange={(v) => update(i, { type: v })}
            />
            <TextInputField
              label={t('directory.field.phoneDescription', { n: i + 1 })}
              value={p.description ?? ''}
              onChange={(v) => update(i, { description: v })}
              maxLength={300}
            />
            <Button
              className="button small danger-outline"
              onPress={() => onChange(phones.filter((_, j) => j !== i))}
            >
              {t('directory.field.removePhone', { n: i + 1 })}
            </Button>
          </li>
        ))}
      </ol>
      <Button
        className="button small"
        isDisabled={phones.length >= 20}
        onPress={() => onChange([...phones, { number: '', type: 'voice', description: null }])}
      >
        {t('directory.field.addPhone')}
      </Button>
    </fieldset>
  );
}
