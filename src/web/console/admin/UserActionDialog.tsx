import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Button, Form } from 'react-aria-components';
import type { MessageId } from '../../i18n/messages';
import { absoluteUrl, newInviteLink, resetUserMfa, updateUser } from '../api/endpoints';
import { ROLES, type User } from '../api/types';
import { useT } from '../locale';
import { useMeta } from '../session';
import { useRoleLabel } from '../shell/roles';
import { CopyField } from '../ui/CopyField';
import { TextAreaField } from '../ui/fields';
import { ModalDialog } from '../ui/ModalDialog';
import { PendingButton } from '../ui/PendingButton';
import { SelectField } from '../ui/SelectField';
import { FormError } from '../ui/states';
import { useInvalidateAdmin } from './queries';

export type UserAction = 'role' | 'disable' | 'enable' | 'reset-mfa' | 'invite-link';

const TEXT: Record<UserAction, { title: MessageId; body: MessageId; confirm: MessageId; done: MessageId }> = {
  role: {
    title: 'userAction.role.title',
    body: 'userAction.role.body',
    confirm: 'userAction.role.confirm',
    done: 'userAction.role.done',
  },
  disable: {
    title: 'userAction.disable.title',
    body: 'userAction.disable.body',
    confirm: 'userAction.disable.confirm',
    done: 'userAction.disable.done',
  },
  enable: {
    title: 'userAction.enable.title',
    body: 'userAction.enable.body',
    confirm: 'userAction.enable.confirm',
    done: 'userAction.enable.done',
  },
  'reset-mfa': {
    title: 'userAction.resetMfa.title',
    body: 'userAction.resetMfa.body',
    confirm: 'userAction.resetMfa.confirm',
    done: 'userAction.resetMfa.done',
  },
  'invite-link': {
    title: 'userAction.inviteLink.title',
    body: 'userAction.inviteLink.body',
    confirm: 'userAction.inviteLink.confirm',
    done: 'userAction.inviteLink.done',
  },
};

/** One dialog for the per-user administrator actions: say what will happen, ask for a reason, do it. */
export function UserActionDialog({
  kind,
  user,
  onClose,
  onDone,
}: {
  kind: UserAction;
  user: User;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const t = useT();
  const roleLabel = useRoleLabel();
  const meta = useMeta();
  const invalidate = useInvalidateAdmin();
  const [role, setRole] = useState<string>(user.role);
  const [reason, setReason] = useState('');
  const [inviteUrl, setInviteUrl] = useState<string | null>(null);
  const text = TEXT[kind];
  const names = { name: user.displayName, email: user.email };

  const mutation = useMutation({
    mutationFn: async (): Promise<string> => {
      const why = reason.trim() || undefined;
      switch (kind) {
        case 'role':
          await updateUser(user.id, { role, reason: why });
          return t(text.done, { ...names, role: roleLabel(role) });
        case 'disable':
          await updateUser(user.id, { disabled: true, reason: why });
          return t(text.done, names);
        case 'enable':
          await updateUser(user.id, { disabled: false, reason: why });
          return t(text.done, names);
        case 'reset-mfa':
          await resetUserMfa(user.id, why);
          return t(text.done, names);
        case 'invite-link': {
          const { inviteUrl: url } = await newInviteLink(user.id);
          setInviteUrl(absoluteUrl(url));
          return t(text.done, names);
        }
      }
    },
    onSuccess: (message) => {
      invalidate('users');
      onDone(message);
      if (kind !== 'invite-link') onClose();
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
  const destructive = kind === 'disable' || kind === 'reset-mfa';

  return (
    <ModalDialog
      isOpen
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={t(text.title, names)}
      role={destructive ? 'alertdialog' : 'dialog'}
    >
      {inviteUrl ? (
        <div className="stack">
          <CopyField label={t('invite.linkLabel')} description={t('invite.linkOnce')} value={inviteUrl} />
          <div className="dialog-actions">
            <Button className="button primary" onPress={onClose} autoFocus>
              {t('action.done')}
            </Button>
          </div>
        </div>
      ) : (
        <Form onSubmit={submit} className="stack">
          <p>{t(text.body, names)}</p>
          {kind === 'role' && (
            <SelectField
              label={t('users.col.role')}
              options={roles}
              value={role}
              onChange={setRole}
              isRequired
              autoFocus
            />
          )}
          {kind !== 'invite-link' && kind !== 'enable' && (
            <TextAreaField
              label={t('userAction.reason')}
              description={t('userAction.reasonHelp')}
              value={reason}
              onChange={setReason}
              maxLength={500}
            />
          )}
          <FormError error={mutation.error} />
          <div className="dialog-actions">
            <Button className="button" onPress={onClose}>
              {t('action.cancel')}
            </Button>
            <PendingButton
              type="submit"
              className={`button ${destructive ? 'danger' : 'primary'}`}
              isPending={mutation.isPending}
              isDisabled={kind === 'role' && role === user.role}
            >
              {t(text.confirm)}
            </PendingButton>
          </div>
        </Form>
      )}
    </ModalDialog>
  );
}
