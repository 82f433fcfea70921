import type { ReactNode } from 'react';
import { Checkbox } from 'react-aria-components';
import { useT } from '../locale';

/** A checkbox in the console's look (box + label), for filters and form flags. */
export function CheckboxField({
  isSelected,
  onChange,
  children,
  value,
}: {
  isSelected?: boolean;
  onChange?: (selected: boolean) => void;
  children: ReactNode;
  value?: string;
}) {
  return (
    <Checkbox
      className="checkbox"
      {...(isSelected !== undefined ? { isSelected } : {})}
      {...(onChange ? { onChange } : {})}
      {...(value !== undefined ? { value } : {})}
    >
      {({ isSelected: selected }) => (
        <>
          <span className="checkbox-box" aria-hidden="true">
            {selected ? '✓' : ''}
          </span>
          <span>{children}</span>
        </>
      )}
    </Checkbox>
  );
}

/** The confidential marker: an icon and a word, never colour alone. */
export function ConfidentialBadge({ detail }: { detail?: string }) {
  const t = useT();
  return (
    <span className="badge badge-danger confidential-badge">
      <span aria-hidden="true">🔒 </span>
      {t('directory.confidential')}
      {detail && <span className="visually-hidden"> ({detail})</span>}
    </span>
  );
}
