import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { Button } from 'react-aria-components';
import { LANGUAGE_NAMES, type Locale } from '../../i18n/messages';
import { updateMe } from '../api/endpoints';
import type { Session } from '../api/types';
import { otherLocale, useLocale } from '../locale';
import { SESSION_KEY, useSession } from '../session';

/**
 * Switch the UI language now; remember it in the profile when signed in (the browser remembers it anyway),
 * so server messages and the next sign-in follow.
 */
export function useSwitchLocale(): (next?: Locale) => void {
  const { locale, setLocale } = useLocale();
  const { session } = useSession();
  const queryClient = useQueryClient();
  const signedIn = session !== null;
  return useCallback(
    (next?: Locale) => {
      const target = next ?? otherLocale(locale);
      if (target === locale) return;
      setLocale(target, { explicit: true });
      if (!signedIn) return;
      updateMe({ locale: target })
        .then(({ user }) =>
          queryClient.setQueryData<Session | null>(SESSION_KEY, (s) => (s ? { ...s, user } : s)),
        )
        .catch(() => {
          // The UI has switched already; the profile will catch up at the next switch.
        });
    },
    [locale, setLocale, signedIn, queryClient],
  );
}

/**
 * The Canada.ca pattern: one button naming the other language, in that language.
 * Its accessible name is that language's name ("Français" in the English UI, "English" in the French UI).
 */
export function LanguageSwitch() {
  const { locale } = useLocale();
  const switchLocale = useSwitchLocale();
  const target = otherLocale(locale);
  return (
    <Button className="button language-switch" lang={target} onPress={() => switchLocale(target)}>
      {LANGUAGE_NAMES[target]}
    </Button>
  );
}
