import type { ReactNode } from 'react';
import { Button, type ButtonProps } from 'react-aria-components';
import { useT } from '../locale';

/**
 * A button that shows work in progress and ignores presses meanwhile.
 * React Aria's own `isPending` announces through a global live region that keeps pointing at the button for
 * seconds after it unmounts (a sign-in or a dialog closing), which axe rightly flags; this keeps the
 * announcement in a status region that lives and dies with the button. Submit handlers must also ignore a
 * submit while pending (native form submission does not go through onPress).
 */
export function PendingButton({
  isPending,
  className,
  onPress,
  children,
  ...props
}: Omit<ButtonProps, 'isPending' | 'className' | 'children'> & {
  isPending: boolean;
  className: string;
  children: ReactNode;
}) {
  const t = useT();
  return (
    <>
      <Button
        {...props}
        className={isPending ? `${className} is-pending` : className}
        onPress={isPending ? undefined : onPress}
      >
        {isPending && <span className="spinner" aria-hidden="true" />}
        {children}
      </Button>
      <span role="status" className="visually-hidden">
        {isPending ? t('state.working') : ''}
      </span>
    </>
  );
}
