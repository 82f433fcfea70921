import type { ReactNode } from 'react';
import { Button } from 'react-aria-components';
import { useT } from '../locale';
import { errorText } from './errors';

/** A quiet "loading" line that assistive technology announces once. */
export function Loading({ label }: { label: string }) {
  return (
    <p className="state state-loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

/** What failed, in words, and a way to try again. */
export function ErrorState({
  error,
  onRetry,
  title,
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  const t = useT();
  return (
    <div className="state state-error" role="alert">
      <p>
        <span className="icon" aria-hidden="true">
          ⚠
        </span>{' '}
        <strong>{title ?? t('state.errorTitle')}</strong> {errorText(error, t)}
      </p>
      {onRetry && (
        <Button className="button" onPress={onRetry}>
          {t('action.retry')}
        </Button>
      )}
    </div>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

/** Inline error for a form: announced when it appears, tied to the submit that caused it. */
export function FormError({ error, id }: { error: unknown; id?: string }) {
  const t = useT();
  if (!error) return <div id={id} role="alert" className="form-error-slot" />;
  return (
    <div id={id} role="alert" className="form-error" tabIndex={-1}>
      <span className="icon" aria-hidden="true">
        ⚠
      </span>{' '}
      {errorText(error, t)}
    </div>
  );
}
