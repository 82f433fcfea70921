import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import {
  Button,
  Cell,
  Checkbox,
  CheckboxGroup,
  Column,
  FieldError,
  Form,
  Group,
  Input,
  Label,
  NumberField,
  Row,
  Table,
  TableBody,
  TableHeader,
  Text,
} from 'react-aria-components';
import { createToken, revokeToken } from '../api/endpoints';
import { type ApiToken, TOKEN_SCOPES } from '../api/types';
import { useLocale, useT } from '../locale';
import { CopyField } from '../ui/CopyField';
import { LocalFieldError, TextInputField } from '../ui/fields';
import { ModalDialog } from '../ui/ModalDialog';
import { PendingButton } from '../ui/PendingButton';
import { SelectField } from '../ui/SelectField';
import { EmptyState, ErrorState, FormError, Loading } from '../ui/states';
import { RelativeTime, useNow } from '../ui/time';
import { AdminLayout } from './AdminLayout';
import { useInvalidateAdmin, useTokens, useUsers } from './queries';

type TokenStatus = 'active' | 'revoked' | 'expired';

function tokenStatus(token: ApiToken, now: number): TokenStatus {
  if (token.revokedAt) return 'revoked';
  if (new Date(token.expiresAt).getTime() <= now) return 'expired';
  return 'active';
}

/** API tokens for integrations: who they act as, what they may do, until when; revocable at once. */
export function TokensPage() {
  const t = useT();
  const { locale } = useLocale();
  const tokens = useTokens();
  const now = useNow();
  const [createOpen, setCreateOpen] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [status, setStatus] = useState('');

  return (
    <AdminLayout
      current="admin-tokens"
      title={t('tokens.title')}
      actions={
        <Button className="button primary" onPress={() => setCreateOpen(true)}>
          {t('tokens.create')}
        </Button>
      }
    >
      <p className="muted">{t('tokens.intro')}</p>
      <p role="status" className="status-line">
        {status}
      </p>
      {tokens.isPending && <Loading label={t('tokens.loading')} />}
      {tokens.isError && <ErrorState error={tokens.error} onRetry={() => void tokens.refetch()} />}
      {tokens.data && tokens.data.length === 0 && <EmptyState>{t('tokens.empty')}</EmptyState>}
      {tokens.data && tokens.data.length > 0 && (
        <div className="table-wrap">
          <Table aria-label={t('tokens.tableLabel')} className="table">
            <TableHeader>
              <Column isRowHeader className="column">
                {t('tokens.col.token')}
              </Column>
              <Column className="column">{t('tokens.col.scopes')}</Column>
              <Column className="column">{t('tokens.col.created')}</Column>
              <Column className="column">{t('tokens.col.expires')}</Column>
              <Column className="column">{t('tokens.col.lastUsed')}</Column>
              <Column className="column">{t('tokens.col.status')}</Column>
              <Column className="column">{t('tokens.col.actions')}</Column>
            </TableHeader>
            <TableBody items={tokens.data} dependencies={[locale, now]}>
              {(token) => {
                const state = tokenStatus(token, now);
                return (
                  <Row id={token.id} className="row">
                    <Cell className="cell">
                      <span className="person">
                        <span className="person-name">{token.name}</span>
                        <span className="person-email">{t('tokens.actsAs', { email: token.userEmail })}</span>
                      </span>
                    </Cell>
                    <Cell className="cell">
                      <span className="scopes">
                        {token.scopes.map((s) => (
                          <code key={s}>{s}</code>
                        ))}
                      </span>
                    </Cell>
                    <Cell className="cell nowrap">
                      <RelativeTime value={token.createdAt} />
                    </Cell>
                    <Cell className="cell nowrap">
                      <RelativeTime value={token.expiresAt} />
                    </Cell>
                    <Cell className="cell nowrap">
                      {token.lastUsedAt ? <RelativeTime value={token.lastUsedAt} /> : t('tokens.neverUsed')}
                    </Cell>
                    <Cell className="cell">
                      {state === 'active' && (
                        <span className="badge badge-ok">{t('tokens.status.active')}</span>
                      )}
                      {state === 'revoked' && (
                        <span className="badge badge-danger">
                          <span aria-hidden="true">⊘ </span>
                          {t('tokens.status.revoked')}
                        </span>
                      )}
                      {state === 'expired' && (
                        <span className="badge badge-warn">{t('tokens.status.expired')}</span>
                      )}
                    </Cell>
                    <Cell className="cell">
                      {state === 'active' ? (
                        <Button
                          className="button small danger-outline"
                          aria-label={t('tokens.revokeNamed', { name: token.name })}
                          onPress={() => {
                            setStatus('');
                            setRevoking(token);
                          }}
                        >
                          {t('tokens.revoke')}
                        </Button>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </Cell>
                  </Row>
                );
              }}
            </TableBody>
          </Table>
        </div>
      )}
      <ModalDialog
        isOpen={createOpen}
        onOpenChange={setCreateOpen}
        title={t('tokens.createTitle')}
        size="wide"
      >
        {createOpen && <CreateTokenForm onClose={() => setCreateOpen(false)} onCreated={setStatus} />}
      </ModalDialog>
      {revoking && (
        <RevokeDialog
          token={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={(name) => setStatus(t('tokens.revoked', { name }))}
        />
      )}
    </AdminLayout>
  );
}

const DEFAULT_EXPIRY_DAYS = 90;

function CreateTokenForm({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (message: string) => void;
}) {
  const t = useT();
  const users = useUsers();
  const invalidate = useInvalidateAdmin();
  const [userId, setUserId] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['users:read']);
  const [days, setDays] = useState(DEFAULT_EXPIRY_DAYS);
  const [secret, setSecret] = useState<string | null>(null);

  const mutation = useMutation({
    mutationFn: () => createToken({ userId: userId ?? '', name: name.trim(), scopes, expiresInDays: days }),
    onSuccess: ({ token, secret: value }) => {
      setSecret(value);
      invalidate('tokens');
      onCreated(t('tokens.created', { name: token.name }));
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (mutation.isPending) return;
    if (!userId || scopes.length === 0) return;
    mutation.mutate();
  };

  if (secret) {
    return (
      <div className="stack">
        <p className="notice notice-warning" role="status">
          <span aria-hidden="true">⚠ </span>
          {t('tokens.secretOnce')}
        </p>
        <CopyField label={t('tokens.secretLabel')} value={secret} />
        <div className="dialog-actions">
          <Button className="button primary" onPress={onClose} autoFocus>
            {t('action.done')}
          </Button>
        </div>
      </div>
    );
  }

  const userOptions = (users.data ?? [])
    .filter((u) => !u.disabled)
    .map((u) => ({ id: u.id, label: `${u.displayName} (${u.email})` }));

  return (
    <Form onSubmit={submit} className="stack">
      {users.isPending && <Loading label={t('users.loading')} />}
      {users.isError && <ErrorState error={users.error} onRetry={() => void users.refetch()} />}
      {users.data && (
        <SelectField
          label={t('tokens.field.user')}
          description={t('tokens.field.userHelp')}
          options={userOptions}
          placeholder={t('tokens.field.userPlaceholder')}
          value={userId}
          onChange={setUserId}
          isRequired
          autoFocus
        />
      )}
      <TextInputField
        label={t('tokens.field.name')}
        description={t('tokens.field.nameHelp')}
        value={name}
        onChange={setName}
        isRequired
        maxLength={100}
        autoComplete="off"
      />
      <CheckboxGroup
        className="field"
        value={scopes}
        onChange={setScopes}
        isRequired
        isInvalid={scopes.length === 0}
      >
        <Label className="field-label">{t('tokens.field.scopes')}</Label>
        <div className="checkbox-list">
          {TOKEN_SCOPES.map((scope) => (
            <Checkbox key={scope} value={scope} className="checkbox">
              {({ isSelected }) => (
                <>
                  <span className="checkbox-box" aria-hidden="true">
                    {isSelected ? '✓' : ''}
                  </span>
                  <code>{scope}</code>
                </>
              )}
            </Checkbox>
          ))}
        </div>
        <FieldError className="field-error">{t('tokens.field.scopesMissing')}</FieldError>
      </CheckboxGroup>
      <NumberField
        className="field"
        value={days}
        onChange={(v) => setDays(Number.isFinite(v) ? v : DEFAULT_EXPIRY_DAYS)}
        minValue={1}
        maxValue={365}
        step={1}
        isRequired
      >
        <Label className="field-label">{t('tokens.field.expiry')}</Label>
        <Text slot="description" className="field-description">
          {t('tokens.field.expiryHelp')}
        </Text>
        <Group className="number-group">
          <Button slot="decrement" className="button small">
            −
          </Button>
          <Input className="input number-input" />
          <Button slot="increment" className="button small">
            +
          </Button>
        </Group>
        <LocalFieldError />
      </NumberField>
      <FormError error={mutation.error} />
      <div className="dialog-actions">
        <Button className="button" onPress={onClose}>
          {t('action.cancel')}
        </Button>
        <PendingButton type="submit" className="button primary" isPending={mutation.isPending}>
          {t('tokens.submit')}
        </PendingButton>
      </div>
    </Form>
  );
}

function RevokeDialog({
  token,
  onClose,
  onRevoked,
}: {
  token: ApiToken;
  onClose: () => void;
  onRevoked: (name: string) => void;
}) {
  const t = useT();
  const invalidate = useInvalidateAdmin();
  const mutation = useMutation({
    mutationFn: () => revokeToken(token.id),
    onSuccess: () => {
      invalidate('tokens');
      onRevoked(token.name);
      onClose();
    },
  });
  return (
    <ModalDialog
      isOpen
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={t('tokens.revokeTitle', { name: token.name })}
      role="alertdialog"
    >
      <div className="stack">
        <p>{t('tokens.revokeBody', { name: token.name, email: token.userEmail })}</p>
        <FormError error={mutation.error} />
        <div className="dialog-actions">
          <Button className="button" onPress={onClose} autoFocus>
            {t('action.cancel')}
          </Button>
          <PendingButton
            className="button danger"
            onPress={() => mutation.mutate()}
            isPending={mutation.isPending}
          >
            {t('tokens.revoke')}
          </PendingButton>
        </div>
      </div>
    </ModalDialog>
  );
}
