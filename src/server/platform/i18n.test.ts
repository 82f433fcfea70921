import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { catalogues, localeFromHeader, t } from './i18n.js';

describe('server messages', () => {
  it('English and French have the same keys, none empty, all valid ICU', () => {
    const en = Object.keys(catalogues['en-CA']).sort();
    const fr = Object.keys(catalogues['fr-CA']).sort();
    expect(fr).toEqual(en);
    for (const locale of ['en-CA', 'fr-CA'] as const) {
      for (const [key, text] of Object.entries(catalogues[locale])) {
        expect(text.trim(), `${locale} ${key}`).not.toBe('');
        // Every placeholder gets a value, whatever its name.
        const anyValue = new Proxy({}, { get: () => 2, has: () => true });
        expect(() => new IntlMessageFormat(text, locale).format(anyValue)).not.toThrow();
      }
    }
  });

  it('formats plurals per language', () => {
    expect(t('en-CA', 'ACCOUNT_LOCKED', { minutes: 1 })).toMatch(/1 minute\./);
    expect(t('fr-CA', 'ACCOUNT_LOCKED', { minutes: 15 })).toMatch(/15 minutes\./);
  });

  it.each([
    [undefined, 'en-CA'],
    ['fr-CA,fr;q=0.9,en;q=0.8', 'fr-CA'],
    ['en-US,en;q=0.9,fr;q=0.8', 'en-CA'],
    ['de-DE,fr;q=0.5', 'fr-CA'],
    ['fr;q=0.1, en;q=0.9', 'en-CA'],
    ['*', 'en-CA'],
  ])('Accept-Language %s → %s', (header, locale) => {
    expect(localeFromHeader(header)).toBe(locale);
  });
});
