import { useState } from 'react';
import {
  Button,
  Cell,
  Column,
  Menu,
  MenuItem,
  MenuTrigger,
  Popover,
  Row,
  Table,
  TableBody,
  TableHeader,
} from 'react-aria-components';
import type { User } from '../api/types';
import { useLocale, useT } from '../locale';
import { useSignedInSession } from '../session';
import { useRoleLabel } from '../shell/roles';
import { EmptyState, ErrorState, Loading } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { AdminLayout } from './AdminLayout';
import { InviteUserDialog } from './InviteUserDialog';
import { useUsers } from './queries';
import { type UserAction, UserActionDialog } from './UserActionDialog';

/** Users, their role, MFA and status, with the administrator's actions on each. */
export function UsersPage() {
  const t = useT();
  const { locale } = useLocale();
  const { user: me } = useSignedInSession();
  const roleLabel = useRoleLabel();
  const users = useUsers();
  const [inviteOpen, setInviteOpen] = useState(false);
  const [action, setAction] = useState<{ kind: UserAction; user: User } | null>(null);
  const [status, setStatus] = useState('');

  const sorted = users.data
    ? [...users.data].sort((a, b) => a.displayName.localeCompare(b.displayName, locale))
    : undefined;

  return (
    <AdminLayout
      current="admin-users"
      title={t('users.title')}
      actions={
        <Button className="button primary" onPress={() => setInviteOpen(true)}>
          {t('users.invite')}
        </Button>
      }
    >
      <p role="status" className="status-line">
        {status}
      </p>
      {users.isPending && <Loading label={t('users.loading')} />}
      {users.isError && <ErrorState error={users.error} onRetry={() => void users.refetch()} />}
      {sorted && sorted.length === 0 && <EmptyState>{t('users.empty')}</EmptyState>}
      {sorted && sorted.length > 0 && (
        <div className="table-wrap">
          <Table aria-label={t('users.tableLabel')} className="table">
            <TableHeader>
              <Column isRowHeader className="column">
                {t('users.col.person')}
              </Column>
              <Column className="column">{t('users.col.role')}</Column>
              <Column className="column">{t('users.col.mfa')}</Column>
              <Column className="column">{t('users.col.status')}</Column>
              <Column className="column">{t('users.col.lastSignIn')}</Column>
              <Column className="column">{t('users.col.actions')}</Column>
            </TableHeader>
            <TableBody items={sorted} dependencies={[locale, me.id]}>
              {(u) => (
                <Row id={u.id} className="row">
                  <Cell className="cell">
                    <span className="person">
                      <span className="person-name">
                        {u.displayName}
                        {u.id === me.id && <span className="tag">{t('users.you')}</span>}
                      </span>
                      <span className="person-email">{u.email}</span>
                    </span>
                  </Cell>
                  <Cell className="cell">{roleLabel(u.role)}</Cell>
                  <Cell className="cell">
                    {u.mfaEnabled ? (
                      <span className="badge badge-ok">
                        <span aria-hidden="true">✓ </span>
                        {t('users.mfaOn')}
                      </span>
                    ) : (
                      <span className="badge badge-warn">
                        <span aria-hidden="true">○ </span>
                        {t('users.mfaOff')}
                      </span>
                    )}
                  </Cell>
                  <Cell className="cell">
                    {u.disabled ? (
                      <span className="badge badge-danger">
                        <span aria-hidden="true">⊘ </span>
                        {t('users.disabled')}
                      </span>
                    ) : (
                      <span className="badge">{t('users.active')}</span>
                    )}
                  </Cell>
                  <Cell className="cell nowrap">
                    {u.lastSignInAt ? <RelativeTime value={u.lastSignInAt} /> : t('users.never')}
                  </Cell>
                  <Cell className="cell">
                    <RowActions
                      user={u}
                      isSelf={u.id === me.id}
                      onAction={(kind) => {
                        setStatus('');
                        setAction({ kind, user: u });
                      }}
                    />
                  </Cell>
                </Row>
              )}
            </TableBody>
          </Table>
        </div>
      )}
      <InviteUserDialog
        isOpen={inviteOpen}
        onOpenChange={setInviteOpen}
        onInvited={(u) => setStatus(t('users.invited', { email: u.email }))}
      />
      {action && (
        <UserActionDialog
          key={`${action.kind}:${action.user.id}`}
          kind={action.kind}
          user={action.user}
          onClose={() => setAction(null)}
          onDone={(message) => setStatus(message)}
        />
      )}
    </AdminLayout>
  );
}

function RowActions({
  user,
  isSelf,
  onAction,
}: {
  user: User;
  isSelf: boolean;
  onAction: (kind: UserAction) => void;
}) {
  const t = useT();
  const disabledKeys: UserAction[] = isSelf ? ['role', 'disable', 'enable'] : [];
  return (
    <MenuTrigger>
      <Button className="button small" aria-label={t('users.actionsFor', { name: user.displayName })}>
        {t('users.actions')}
        <span aria-hidden="true" className="chevron">
          ▾
        </span>
      </Button>
      <Popover className="popover" placement="bottom end">
        <Menu className="menu" disabledKeys={disabledKeys} onAction={(key) => onAction(key as UserAction)}>
          <MenuItem id="role" className="menu-item">
            {t('users.action.role')}
          </MenuItem>
          {user.disabled ? (
            <MenuItem id="enable" className="menu-item">
              {t('users.action.enable')}
            </MenuItem>
          ) : (
            <MenuItem id="disable" className="menu-item">
              {t('users.action.disable')}
            </MenuItem>
          )}
          <MenuItem id="reset-mfa" className="menu-item">
            {t('users.action.resetMfa')}
          </MenuItem>
          <MenuItem id="invite-link" className="menu-item">
            {t('users.action.inviteLink')}
          </MenuItem>
        </Menu>
      </Popover>
    </MenuTrigger>
  );
}
