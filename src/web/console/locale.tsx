import {
  Children,
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { I18nProvider } from 'react-aria-components';
import { IntlProvider, useIntl } from 'react-intl';
import { catalogues, isLocale, type Locale, type MessageId, otherLocale } from '../i18n/messages';
import { setRequestLocale } from './api/client';

const STORAGE_KEY = 'harbour.locale';

interface LocaleContextValue {
  locale: Locale;
  /** `explicit` marks a choice the person made (switch, shortcut) rather than one adopted from their profile. */
  setLocale: (locale: Locale, options?: { explicit?: boolean }) => void;
  /** True once the person picked a language since the page loaded (or since the last sign-out). */
  chosenExplicitly: () => boolean;
  /** At sign-out the next person at this screen has made no choice yet. */
  forgetExplicitChoice: () => void;
}

const LocaleContext = createContext<LocaleContextValue | null>(null);

/** Before we know the user: what this browser chose last time, else the browser's own language. */
export function initialLocale(): Locale {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // Storage can be blocked (private mode, policy); fall through to the browser language.
  }
  return navigator.language.toLowerCase().startsWith('fr') ? 'fr-CA' : 'en-CA';
}

/** Holds the UI language and keeps <html lang>, storage, API requests and both i18n libraries in step. */
export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const explicit = useRef(false);

  // Set synchronously so the very first requests already carry the right Accept-Language.
  setRequestLocale(locale);

  useEffect(() => {
    document.documentElement.lang = locale;
    try {
      window.localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // Not being able to remember the choice is no reason to fail.
    }
  }, [locale]);

  const setLocale = useCallback((next: Locale, options?: { explicit?: boolean }) => {
    if (options?.explicit) explicit.current = true;
    setRequestLocale(next);
    setLocaleState(next);
  }, []);

  const value = useMemo<LocaleContextValue>(
    () => ({
      locale,
      setLocale,
      chosenExplicitly: () => explicit.current,
      forgetExplicitChoice: () => {
        explicit.current = false;
      },
    }),
    [locale, setLocale],
  );

  return (
    <LocaleContext.Provider value={value}>
      <IntlProvider locale={locale} defaultLocale="en-CA" messages={catalogues[locale]}>
        <I18nProvider locale={locale}>{children}</I18nProvider>
      </IntlProvider>
    </LocaleContext.Provider>
  );
}

export function useLocale(): LocaleContextValue {
  const value = useContext(LocaleContext);
  if (!value) throw new Error('useLocale outside LocaleProvider');
  return value;
}

export type MessageValues = Record<string, string | number | Date | null | undefined>;

/** Typed message lookup: an id that is not in the catalogues does not compile. */
export function useT(): (id: MessageId, values?: MessageValues) => string {
  const intl = useIntl();
  return useCallback((id: MessageId, values?: MessageValues) => intl.formatMessage({ id }, values), [intl]);
}

/** Values for a message with tags: plain values, or a function rendering a tag's content (`<code>…</code>`). */
export type RichValues = Record<string, string | number | ((chunks: string[]) => ReactNode)>;

/** Same, for messages with tags rendered as React elements. */
export function useRichT(): (id: MessageId, values: RichValues) => ReactNode {
  const intl = useIntl();
  return useCallback(
    (id: MessageId, values: RichValues) => {
      const parts: ReactNode = intl.formatMessage({ id }, values);
      return Array.isArray(parts) ? Children.toArray(parts) : parts;
    },
    [intl],
  );
}

export { otherLocale };
