import en from './en-CA.json';
import fr from './fr-CA.json';

// Both official languages ship in the bundle: switching must be instant, mid-shift, without a reload.

export type Locale = 'en-CA' | 'fr-CA';

/** Every message id the console may use; the English catalogue is the reference key set. */
export type MessageId = keyof typeof en;

export const LOCALES: readonly Locale[] = ['en-CA', 'fr-CA'];

export const catalogues: Record<Locale, Record<MessageId, string>> = {
  'en-CA': en,
  'fr-CA': fr satisfies Record<MessageId, string>,
};

/** The name of each language written in that language, as a switch offers it. */
export const LANGUAGE_NAMES: Record<Locale, string> = { 'en-CA': 'English', 'fr-CA': 'Français' };

export function isLocale(value: unknown): value is Locale {
  return value === 'en-CA' || value === 'fr-CA';
}

export function otherLocale(locale: Locale): Locale {
  return locale === 'en-CA' ? 'fr-CA' : 'en-CA';
}
