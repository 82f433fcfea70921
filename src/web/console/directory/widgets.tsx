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
      <svg className="icon-lock" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        <path d="M4 7V5a4 4 0 0 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 0 0-4 0v2z" />
      </svg>
      {t('directory.confidential')}
      {detail && <span className="visually-hidden"> ({detail})</span>}
    </span>
  );
}
