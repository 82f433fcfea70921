import {
  Button,
  Header,
  Menu,
  MenuItem,
  MenuSection,
  MenuTrigger,
  Popover,
  Separator,
} from 'react-aria-components';
import type { User } from '../api/types';
import { useT } from '../locale';
import { useRoleLabel } from './roles';

/** Who is signed in, in which role, and the way out. */
export function UserMenu({
  user,
  onSignOut,
  onShortcuts,
}: {
  user: User;
  onSignOut: () => void;
  onShortcuts: () => void;
}) {
  const t = useT();
  const roleLabel = useRoleLabel();
  return (
    <MenuTrigger>
      <Button className="button user-button">
        <span className="user-name">{user.displayName}</span>
        <span className="user-role">{roleLabel(user.role)}</span>
        <span aria-hidden="true" className="chevron">
          ▾
        </span>
      </Button>
      <Popover className="popover" placement="bottom end">
        <Menu
          className="menu"
          aria-label={t('userMenu.label')}
          onAction={(key) => {
            if (key === 'sign-out') onSignOut();
            if (key === 'shortcuts') onShortcuts();
          }}
        >
          <MenuSection>
            <Header className="menu-header">
              <span className="menu-header-name">{user.email}</span>
              <span>{t('userMenu.role', { role: roleLabel(user.role) })}</span>
            </Header>
            <MenuItem id="shortcuts" className="menu-item">
              {t('userMenu.shortcuts')}
            </MenuItem>
          </MenuSection>
          <Separator className="menu-separator" />
          <MenuSection>
            <MenuItem id="sign-out" className="menu-item">
              {t('userMenu.signOut')}
            </MenuItem>
          </MenuSection>
        </Menu>
      </Popover>
    </MenuTrigger>
  );
}
