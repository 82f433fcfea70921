import { Checkbox, CheckboxGroup, Label, Radio, RadioGroup, Text } from 'react-aria-components';
import { useT } from '../locale';
import { SelectField } from '../ui/SelectField';
import { CODE_GROUPS, type CodeGroup, codeLabel, isMarker, MARKERS } from './labels';

// "Do no harm" answers (ADR 0007): every question offers "declined to say" and "unknown" as real choices beside
// the codes, and "not asked" is the absence of an answer. In a list, the two markers are exclusive: choosing one
// clears the codes, choosing a code clears the marker — the server refuses a mix (422 ANSWER_INVALID).

const NOT_ASKED = '__not_asked';

/** One answer as a radio group (short lists) or a select (long lists), markers included. */
export function AnswerChoice({
  label,
  group,
  value,
  onChange,
  description,
  codes,
  allowNotAsked = true,
  markers = true,
  variant,
}: {
  label: string;
  group: CodeGroup;
  value: string | null;
  onChange: (value: string | null) => void;
  description?: string;
  /** A subset of the group's codes (default: all). */
  codes?: readonly string[];
  allowNotAsked?: boolean;
  /** Classifications are the advocate's judgement: no markers. */
  markers?: boolean;
  variant?: 'radio' | 'select';
}) {
  const t = useT();
  const all = [...(codes ?? CODE_GROUPS[group]), ...(markers ? MARKERS : [])];
  const kind = variant ?? (all.length > 10 ? 'select' : 'radio');
  const options = [
    ...(allowNotAsked ? [{ id: NOT_ASKED, label: t('cases.answer.notAsked') }] : []),
    ...all.map((code) => ({ id: code, label: codeLabel(t, group, code) })),
  ];
  const current = value ?? (allowNotAsked ? NOT_ASKED : null);
  const change = (next: string) => onChange(next === NOT_ASKED ? null : next);
  if (kind === 'select')
    return (
      <SelectField
        label={label}
        description={description}
        options={options}
        value={current}
        onChange={change}
        placeholder={t('cases.answer.choose')}
      />
    );
  return (
    <RadioGroup className="field answer-group" value={current} onChange={change}>
      <Label className="field-label">{label}</Label>
      {description && (
        <Text slot="description" className="field-description">
          {description}
        </Text>
      )}
      <div className="radio-row">
        {options.map((o) => (
          <Radio key={o.id} value={o.id} className={isMarker(o.id) ? 'radio radio-marker' : 'radio'}>
            <span className="radio-dot" aria-hidden="true" />
            {o.label}
          </Radio>
        ))}
      </div>
    </RadioGroup>
  );
}

/** Applies the exclusivity of the markers to a new selection. */
export function exclusiveList(previous: readonly string[], next: readonly string[]): string[] {
  const added = next.filter((v) => !previous.includes(v));
  const marker = added.find(isMarker);
  if (marker) return [marker];
  if (added.length > 0) return next.filter((v) => !isMarker(v));
  return [...next];
}

/** A list answer as checkboxes: codes, then "declined to say" / "unknown" (exclusive). */
export function AnswerChecks({
  label,
  group,
  value,
  onChange,
  description,
}: {
  label: string;
  group: CodeGroup;
  value: readonly string[];
  onChange: (value: string[]) => void;
  description?: string;
}) {
  const t = useT();
  return (
    <CheckboxGroup
      className="field field-wide answer-group"
      value={[...value]}
      onChange={(next) => onChange(exclusiveList(value, next))}
    >
      <Label className="field-label">{label}</Label>
      <Text slot="description" className="field-description">
        {description ? `${description} ` : ''}
        {t('cases.answer.exclusive')}
      </Text>
      <div className="checkbox-list">
        {CODE_GROUPS[group].map((code) => (
          <Check key={code} value={code}>
            {codeLabel(t, group, code)}
          </Check>
        ))}
      </div>
      <div className="checkbox-list answer-markers">
        {MARKERS.map((m) => (
          <Check key={m} value={m}>
            {codeLabel(t, group, m)}
          </Check>
        ))}
      </div>
    </CheckboxGroup>
  );
}

function Check({ value, children }: { value: string; children: string }) {
  return (
    <Checkbox className="checkbox" value={value}>
      {({ isSelected }) => (
        <>
          <span className="checkbox-box" aria-hidden="true">
            {isSelected ? '✓' : ''}
          </span>
          <span>{children}</span>
        </>
      )}
    </Checkbox>
  );
}

/** Yes / no / declined / unknown / not asked, for the plan's yes-no questions. */
export function YesNoChoice({
  label,
  value,
  onChange,
  description,
}: {
  label: string;
  value: boolean | 'declined' | 'unknown' | null | undefined;
  onChange: (value: boolean | 'declined' | 'unknown' | null) => void;
  description?: string;
}) {
  const t = useT();
  const current = value === true ? 'yes' : value === false ? 'no' : (value ?? NOT_ASKED);
  return (
    <RadioGroup
      className="field answer-group"
      value={current}
      onChange={(v) =>
        onChange(v === 'yes' ? true : v === 'no' ? false : v === 'declined' || v === 'unknown' ? v : null)
      }
    >
      <Label className="field-label">{label}</Label>
      {description && (
        <Text slot="description" className="field-description">
          {description}
        </Text>
      )}
      <div className="radio-row">
        {[
          [NOT_ASKED, t('cases.answer.notAsked')],
          ['yes', t('cases.answer.yes')],
          ['no', t('cases.answer.no')],
          ['declined', t('cases.answer.declined')],
          ['unknown', t('cases.answer.unknown')],
        ].map(([v, text]) => (
          <Radio key={v} value={v as string} className="radio">
            <span className="radio-dot" aria-hidden="true" />
            {text}
          </Radio>
        ))}
      </div>
    </RadioGroup>
  );
}
