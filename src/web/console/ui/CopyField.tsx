import { useId, useRef, useState } from 'react';
import { Button, Input, Label, TextField } from 'react-aria-components';
import { useT } from '../locale';

/** A read-only value (link, secret) with a copy button and a spoken confirmation. */
export function CopyField({
  label,
  value,
  description,
}: {
  label: string;
  value: string;
  description?: string;
}) {
  const t = useT();
  const inputRef = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState<'idle' | 'copied' | 'manual'>('idle');
  const descriptionId = useId();

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setStatus('copied');
    } catch {
      // Clipboard can be refused (permissions, insecure context): select the text so Ctrl+C works.
      inputRef.current?.focus();
      inputRef.current?.select();
      setStatus('manual');
    }
  };

  return (
    <div className="copy-field">
      <TextField
        value={value}
        isReadOnly
        className="field"
        aria-describedby={description ? descriptionId : undefined}
      >
        <Label className="field-label">{label}</Label>
        {description && (
          <p id={descriptionId} className="field-description">
            {description}
          </p>
        )}
        <div className="copy-row">
          <Input ref={inputRef} className="input mono" onFocus={(e) => e.currentTarget.select()} />
          <Button className="button" onPress={copy}>
            {t('action.copy')}
          </Button>
        </div>
      </TextField>
      <p role="status" className="copy-status">
        {status === 'copied' ? t('copy.done') : status === 'manual' ? t('copy.manual') : ''}
      </p>
    </div>
  );
}
