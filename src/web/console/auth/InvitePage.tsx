import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { Form } from 'react-aria-components';
import { acceptInvite } from '../api/endpoints';
import type { StepResponse } from '../api/types';
import { useLocale, useT } from '../locale';
import { navigate, paths } from '../router';
import { useSession } from '../session';
import { usePageTitle } from '../shell/usePageTitle';
import { TextInputField } from '../ui/fields';
import { PendingButton } from '../ui/PendingButton';
import { FormError } from '../ui/states';
import { AuthLayout } from './AuthLayout';
import { readInviteToken } from './inviteToken';
import { MfaEnrolment } from './MfaEnrolment';

export const MIN_PASSWORD_LENGTH = 12;

/** Accepting an invitation: choose a password, then enrol in MFA, then straight into the console. */
export function InvitePage() {
  const t = useT();
  const { establish } = useSession();
  const [token] = useState(() => readInviteToken(window.location.hash));
  const [step, setStep] = useState<'password' | 'mfa_enrol'>('password');
  const { locale, setLocale } = useLocale();

  // The account was created by an administrator with a default language; the person has been reading this
  // page in the language their browser chose (or they switched to). Keep that one once they are in.
  useEffect(() => {
    setLocale(locale, { explicit: true });
  }, [locale, setLocale]);

  const finish = (response: StepResponse) => {
    if (response.step === 'done') {
      establish(response);
      navigate(paths.home, { replace: true });
    } else if (response.step === 'mfa_enrol') setStep('mfa_enrol');
  };

  return (
    <AuthLayout>
      {!token && (
        <div className="stack">
          <h1 className="page-title">{t('invite.title')}</h1>
          <p className="notice notice-warning" role="alert">
            {t('invite.missingToken')}
          </p>
        </div>
      )}
      {token && step === 'password' && <ChoosePassword token={token} onStep={finish} />}
      {token && step === 'mfa_enrol' && <MfaEnrolment onDone={finish} />}
    </AuthLayout>
  );
}

function ChoosePassword({ token, onStep }: { token: string; onStep: (r: StepResponse) => void }) {
  const t = useT();
  usePageTitle(t('invite.title'));
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');

  const mutation = useMutation({
    mutationFn: () => acceptInvite(token, password),
    onSuccess: onStep,
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    mutation.mutate();
  };

  return (
    <div className="stack">
      <h1 className="page-title">{t('invite.title')}</h1>
      <p>{t('invite.intro')}</p>
      <Form onSubmit={submit} className="stack">
        <TextInputField
          name="new-password"
          type="password"
          label={t('invite.password')}
          description={t('invite.passwordRule', { min: MIN_PASSWORD_LENGTH })}
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          minLength={MIN_PASSWORD_LENGTH}
          isRequired
          autoFocus
          messages={{ tooShort: t('invite.passwordTooShort', { min: MIN_PASSWORD_LENGTH }) }}
        />
        <TextInputField
          name="repeat-password"
          type="password"
          label={t('invite.repeat')}
          value={repeat}
          onChange={setRepeat}
          autoComplete="new-password"
          isRequired
          validate={(value) => (value && value !== password ? t('invite.mismatch') : null)}
        />
        <FormError error={mutation.error} />
        <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
          {t('invite.submit')}
        </PendingButton>
      </Form>
    </div>
  );
}
