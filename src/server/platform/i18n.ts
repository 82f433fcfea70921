import { IntlMessageFormat } from 'intl-messageformat';
import type { Locale } from '../../shared/roles.js';
import en from './messages/en-CA.json' with { type: 'json' };
import fr from './messages/fr-CA.json' with { type: 'json' };

export type MessageKey = keyof typeof en;
export const catalogues: Record<Locale, Record<string, string>> = { 'en-CA': en, 'fr-CA': fr };

const cache = new Map<string, IntlMessageFormat>();

/** Formats a server message (error texts) with ICU rules for the caller's locale. */
export function t(locale: Locale, key: string, values?: Record<string, string | number>): string {
  const source = catalogues[locale][key] ?? catalogues['en-CA'][key] ?? key;
  const cacheKey = `${locale}\u0000${key}`;
  let format = cache.get(cacheKey);
  if (!format) {
    format = new IntlMessageFormat(source, locale);
    cache.set(cacheKey, format);
  }
  return String(format.format(values));
}

/** fr* → fr-CA, anything else → en-CA, honouring q-weights of Accept-Language. */
export function localeFromHeader(header: string | undefined): Locale {
  if (!header) return 'en-CA';
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((x) => x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('fr')) return 'fr-CA';
    if (tag.startsWith('en')) return 'en-CA';
  }
  return 'en-CA';
}
