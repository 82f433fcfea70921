import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { Form } from 'react-aria-components';
import { confirmMfaEnrolment, startMfaEnrolment } from '../api/endpoints';
import type { StepResponse } from '../api/types';
import { useT } from '../locale';
import { CopyField } from '../ui/CopyField';
import { errorCode } from '../ui/errors';
import { PendingButton } from '../ui/PendingButton';
import { ErrorState, FormError, Loading } from '../ui/states';
import { CodeField, normaliseCode } from './CodeField';

/**
 * Enrolment in TOTP: the server makes a secret, we show it as a QR code and as text, and the person
 * proves their app works by typing a code. Used at first sign-in and after accepting an invitation.
 */
export function MfaEnrolment({ onDone }: { onDone: (response: StepResponse) => void }) {
  const t = useT();
  const [code, setCode] = useState('');
  const codeRef = useRef<HTMLInputElement>(null);

  // A query (not an effect) so React's double mount in development does not ask for two secrets.
  const enrolment = useQuery({
    queryKey: ['mfa-enrolment'],
    queryFn: startMfaEnrolment,
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
    retry: false,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });

  const confirm = useMutation({
    mutationFn: (value: string) => confirmMfaEnrolment(value),
    onSuccess: onDone,
    onError: (error) => {
      if (errorCode(error) === 'MFA_CODE_INVALID') {
        setCode('');
        codeRef.current?.focus();
      }
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (confirm.isPending) return;
    confirm.mutate(normaliseCode(code));
  };

  return (
    <div className="stack">
      <h1 className="page-title" tabIndex={-1}>
        {t('enrol.title')}
      </h1>
      <p>{t('enrol.intro')}</p>
      {enrolment.isPending && <Loading label={t('enrol.loading')} />}
      {enrolment.isError && <ErrorState error={enrolment.error} onRetry={() => void enrolment.refetch()} />}
      {enrolment.data && (
        <ol className="steps">
          <li>
            <p>{t('enrol.scan')}</p>
            <img
              className="qr"
              src={`data:image/svg+xml;utf8,${encodeURIComponent(enrolment.data.qrSvg)}`}
              alt={t('enrol.qrAlt')}
              width={200}
              height={200}
            />
            <CopyField
              label={t('enrol.secretLabel')}
              description={t('enrol.secretDescription')}
              value={enrolment.data.secret}
            />
          </li>
          <li>
            <Form onSubmit={submit} className="stack">
              <CodeField value={code} onChange={setCode} inputRef={codeRef} />
              <FormError error={confirm.error} />
              <PendingButton type="submit" className="button primary" isPending={confirm.isPending}>
                {t('enrol.confirm')}
              </PendingButton>
            </Form>
          </li>
        </ol>
      )}
    </div>
  );
}
