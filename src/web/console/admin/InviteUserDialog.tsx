import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Button, Form } from 'react-aria-components';
import { absoluteUrl, inviteUser } from '../api/endpoints';
import { ROLES, type User } from '../api/types';
import { useT } from '../locale';
import { useMeta } from '../session';
import { useRoleLabel } from '../shell/roles';
import { CopyField } from '../ui/CopyField';
import { TextInputField } from '../ui/fields';
import { ModalDialog } from '../ui/ModalDialog';
import { PendingButton } from '../ui/PendingButton';
import { SelectField } from '../ui/SelectField';
import { FormError } from '../ui/states';
import { useInvalidateAdmin } from './queries';

/** Invite someone: the server creates the account and a one-time link the administrator passes on. */
export function InviteUserDialog({
  isOpen,
  onOpenChange,
  onInvited,
}: {
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
  onInvited: (user: User) => void;
}) {
  const t = useT();
  return (
    <ModalDialog isOpen={isOpen} onOpenChange={onOpenChange} title={t('inviteUser.title')} size="wide">
      {/* Mounted only while open, so each invitation starts from an empty form. */}
      {isOpen && <InviteForm onClose={() => onOpenChange(false)} onInvited={onInvited} />}
    </ModalDialog>
  );
}

function InviteForm({ onClose, onInvited }: { onClose: () => void; onInvited: (user: User) => void }) {
  const t = useT();
  const meta = useMeta();
  const roleLabel = useRoleLabel();
  const invalidate = useInvalidateAdmin();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<string>('advocate');
  const [result, setResult] = useState<{ user: User; url: string } | null>(null);

  const mutation = useMutation({
    mutationFn: () => inviteUser({ email: email.trim(), displayName: displayName.trim(), role }),
    onSuccess: ({ user, inviteUrl }) => {
      setResult({ user, url: absoluteUrl(inviteUrl) });
      invalidate('users');
      onInvited(user);
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    mutation.mutate();
  };

  const roles = (meta.data?.roles.length ? meta.data.roles : [...ROLES]).map((r) => ({
    id: r,
    label: roleLabel(r),
  }));

  if (result) {
    return (
      <div className="stack">
        <p className="notice notice-ok" role="status">
          <span aria-hidden="true">✓ </span>
          {t('inviteUser.created', { name: result.user.displayName, email: result.user.email })}
        </p>
        <CopyField label={t('invite.linkLabel')} description={t('invite.linkOnce')} value={result.url} />
        <div className="dialog-actions">
          <Button className="button primary" onPress={onClose} autoFocus>
            {t('action.done')}
          </Button>
        </div>
      </div>
    );
  }

  return (
    <Form onSubmit={submit} className="stack">
      <p>{t('inviteUser.intro')}</p>
      <TextInputField
        name="email"
        type="email"
        label={t('inviteUser.email')}
        value={email}
        onChange={setEmail}
        isRequired
        autoFocus
        autoComplete="off"
      />
      <TextInputField
        name="displayName"
        label={t('inviteUser.name')}
        value={displayName}
        onChange={setDisplayName}
        isRequired
        autoComplete="off"
        maxLength={200}
      />
      <SelectField label={t('inviteUser.role')} options={roles} value={role} onChange={setRole} isRequired />
      <FormError error={mutation.error} />
      <div className="dialog-actions">
        <Button className="button" onPress={onClose}>
          {t('action.cancel')}
        </Button>
        <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
          {t('inviteUser.submit')}
        </PendingButton>
      </div>
    </Form>
  );
}
