import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { ApiError } from '../api/client';
import { signIn, verifyMfa } from '../api/endpoints';
import type { StepResponse } from '../api/types';
import { useRichT, useT } from '../locale';
import { useMeta, useSession } from '../session';
import { usePageTitle } from '../shell/usePageTitle';
import { errorCode } from '../ui/errors';
import { TextInputField } from '../ui/fields';
import { PendingButton } from '../ui/PendingButton';
import { FormError } from '../ui/states';
import { AuthLayout } from './AuthLayout';
import { CodeField, normaliseCode } from './CodeField';
import { MfaEnrolment } from './MfaEnrolment';

type Step = 'password' | 'mfa' | 'mfa_enrol';

/** Sign-in in steps, as the server leads: password, then a TOTP code or a first-time MFA enrolment. */
export function SignInPage() {
  const { establish } = useSession();
  const [step, setStep] = useState<Step>('password');
  const [carriedError, setCarriedError] = useState<unknown>(null);

  const onStep = (response: StepResponse) => {
    setCarriedError(null);
    if (response.step === 'done') establish(response);
    else setStep(response.step);
  };

  return (
    <AuthLayout>
      {step === 'password' && <PasswordStep onStep={onStep} carriedError={carriedError} />}
      {step === 'mfa' && (
        <MfaStep
          onStep={onStep}
          onRestart={(error) => {
            setCarriedError(error);
            setStep('password');
          }}
        />
      )}
      {step === 'mfa_enrol' && <MfaEnrolment onDone={onStep} />}
    </AuthLayout>
  );
}

function SessionNotice() {
  const t = useT();
  const { reason } = useSession();
  if (reason === 'expired') {
    return (
      <p className="notice notice-warning" role="alert">
        {t('signIn.sessionEnded')}
      </p>
    );
  }
  if (reason === 'signed-out') {
    return (
      <p className="notice" role="status">
        {t('signIn.signedOut')}
      </p>
    );
  }
  return null;
}

function DemoHint() {
  const t = useT();
  const rich = useRichT();
  const meta = useMeta();
  if (!meta.data?.demo) return null;
  return (
    <aside className="demo-hint" aria-labelledby="demo-hint-title">
      <h2 id="demo-hint-title" className="demo-hint-title">
        {t('signIn.demoTitle')}
      </h2>
      <p>
        {rich('signIn.demoAccount', {
          email: 'admin@demo.harbour.example',
          password: 'demo-harbour-fictional',
          code: (chunks: string[]) => <code>{chunks}</code>,
        })}
      </p>
      <p>
        {rich('signIn.demoRoles', {
          pattern: '<role>@demo.harbour.example',
          example: 'advocate@demo.harbour.example',
          code: (chunks: string[]) => <code>{chunks}</code>,
        })}
      </p>
    </aside>
  );
}

function PasswordStep({
  onStep,
  carriedError,
}: {
  onStep: (r: StepResponse) => void;
  carriedError: unknown;
}) {
  const t = useT();
  usePageTitle(t('signIn.title'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const passwordRef = useRef<HTMLInputElement>(null);

  const mutation = useMutation({
    mutationFn: () => signIn(email.trim(), password),
    onSuccess: onStep,
    onError: (error) => {
      if (errorCode(error) === 'INVALID_CREDENTIALS') {
        setPassword('');
        passwordRef.current?.focus();
      }
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    mutation.mutate();
  };

  return (
    <div className="stack">
      <h1 className="page-title">{t('signIn.title')}</h1>
      <SessionNotice />
      <Form onSubmit={submit} className="stack">
        <TextInputField
          name="email"
          type="email"
          label={t('signIn.email')}
          value={email}
          onChange={setEmail}
          autoComplete="username"
          isRequired
          autoFocus
        />
        <TextInputField
          name="password"
          type="password"
          label={t('signIn.password')}
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
          inputRef={passwordRef}
          isRequired
        />
        <FormError error={mutation.error ?? carriedError} />
        <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
          {t('signIn.submit')}
        </PendingButton>
      </Form>
      <DemoHint />
    </div>
  );
}

function MfaStep({
  onStep,
  onRestart,
}: {
  onStep: (r: StepResponse) => void;
  onRestart: (e: unknown) => void;
}) {
  const t = useT();
  usePageTitle(t('mfa.title'));
  const [code, setCode] = useState('');
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    codeRef.current?.focus();
  }, []);

  const mutation = useMutation({
    mutationFn: () => verifyMfa(normaliseCode(code)),
    onSuccess: onStep,
    onError: (error) => {
      // No pending sign-in any more (it timed out): start again from the password, saying why.
      if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') onRestart(error);
      else {
        setCode('');
        codeRef.current?.focus();
      }
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    mutation.mutate();
  };

  return (
    <div className="stack">
      <h1 className="page-title">{t('mfa.title')}</h1>
      <p>{t('mfa.intro')}</p>
      <Form onSubmit={submit} className="stack">
        <CodeField value={code} onChange={setCode} inputRef={codeRef} />
        <FormError error={mutation.error} />
        <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
          {t('mfa.submit')}
        </PendingButton>
      </Form>
      <Button className="button link-button" onPress={() => onRestart(null)}>
        {t('mfa.otherAccount')}
      </Button>
    </div>
  );
}
