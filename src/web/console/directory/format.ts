import { dayText, WEEK_DAYS } from './hours.model';
import type { Capacity, SearchItem, TermLabel } from './types';

// Small formatting rules of the directory screens, kept pure so they are unit-tested.

/** `tel:` links need digits only (and a leading +); the extension is dialled after a pause. */
export function telHref(number: string, extension?: number | null): string {
  const digits = number.replace(/[^0-9+]/g, '');
  return extension ? `tel:${digits},${extension}` : `tel:${digits}`;
}

/** A term's label in the UI language (the search API sends both). */
export function termLabel(term: TermLabel, locale: string): string {
  return locale.startsWith('fr') ? term.fr : term.en;
}

/** Languages of Canada that browsers' Intl data often cannot name (English / French). */
const CANADIAN_LANGUAGES: Record<string, [string, string]> = {
  cr: ['Cree', 'cri'],
  oj: ['Ojibwe', 'ojibwé'],
  iu: ['Inuktitut', 'inuktitut'],
  mic: ['Mi’kmaq', 'micmac'],
  den: ['Dene', 'déné'],
  moh: ['Mohawk', 'mohawk'],
  ase: ['American Sign Language', 'langue des signes américaine'],
  asl: ['American Sign Language', 'langue des signes américaine'],
  fsl: ['Quebec Sign Language', 'langue des signes québécoise'],
  fcs: ['Quebec Sign Language', 'langue des signes québécoise'],
};

/** Language codes (ISO 639) named in the UI language; a code nobody can name stays a code. */
export function languageName(code: string, locale: string): string {
  const lower = code.toLowerCase();
  const known = CANADIAN_LANGUAGES[lower];
  if (known) return locale.startsWith('fr') ? known[1] : known[0];
  try {
    const name = new Intl.DisplayNames([locale], { type: 'language', fallback: 'code' }).of(lower);
    return name && name !== lower ? name : code;
  } catch {
    return code;
  }
}

/** Labels once each: a service filed under a term and its parent can carry the same label twice. */
export function uniqueLabels(labels: string[]): string[] {
  return [...new Set(labels)];
}

/** Any of the three Harbour confidentiality flags makes the whole entry confidential for the advocate. */
export function isConfidential(item: Pick<SearchItem, 'confidential'>): boolean {
  const c = item.confidential;
  return c.organization || c.service || c.location;
}

/** The capacity that matters for a referral: beds, else the first unit reported. */
export function mainCapacity(capacity: Capacity[]): Capacity | null {
  return capacity.find((c) => c.unit === 'bed' || c.unit === 'lit') ?? capacity[0] ?? null;
}

/** Distances: one decimal under 10 km, whole kilometres beyond (a confidential one arrives rounded to 5 km). */
export function formatDistance(km: number, locale: string): string {
  const digits = km < 10 ? 1 : 0;
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: 'kilometer',
    maximumFractionDigits: digits,
    minimumFractionDigits: 0,
  }).format(km);
}

/** "09:00" → "9 h" / "9:00 a.m.": opening times in the reader's convention. */
export function formatClock(hm: string, locale: string): string {
  const [h = '0', m = '0'] = hm.split(':');
  const date = new Date(Date.UTC(2000, 0, 1, Number(h), Number(m)));
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(
    date,
  );
}

/** Before → after rows of a proposed change, comparing with the record as it is now (unchanged values skipped). */
export function proposalRows(
  changes: Record<string, unknown>,
  current: Record<string, unknown> | undefined,
): { field: string; before: string; after: string }[] {
  const rows: { field: string; before: string; after: string }[] = [];
  for (const [field, value] of Object.entries(changes)) {
    if (field === 'translations' && value && typeof value === 'object') {
      const before = (current?.translations ?? {}) as Record<string, Record<string, unknown>>;
      for (const [lang, fields] of Object.entries(value as Record<string, Record<string, unknown>>)) {
        for (const [key, text] of Object.entries(fields ?? {})) {
          const was = show(before[lang]?.[key]);
          const now = show(text);
          if (was !== now) rows.push({ field: `translations.${lang}.${key}`, before: was, after: now });
        }
      }
      continue;
    }
    if (field === 'hours' && Array.isArray(value)) {
      // Weekly hours: one row per day that changes (every day of the week when there is nothing to compare).
      for (const day of WEEK_DAYS) {
        const was = dayText(current?.hours, day);
        const now = dayText(value, day);
        if (was !== now || current === undefined)
          rows.push({ field: `hours.${day}`, before: was, after: now });
      }
      continue;
    }
    const was = show(current?.[field]);
    const now = show(value);
    if (was !== now || current === undefined) rows.push({ field, before: was, after: now });
  }
  return rows;
}

/** A value as one line of text for a before/after table. */
export function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  if (Array.isArray(value)) return value.map(show).join(', ');
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.number === 'string') return [o.number, o.type, o.description].filter(Boolean).join(' · ');
    return Object.entries(o)
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v]) => `${k}: ${show(v)}`)
      .join('; ');
  }
  return String(value);
}

/** A period from midnight to 23:59 (or 24:00) is "open 24 hours", not "12:00 a.m. to 11:59 p.m.". */
export function isAllDay(period: { opens: string; closes: string }): boolean {
  return (
    period.opens.startsWith('00:00') &&
    (period.closes.startsWith('23:59') || period.closes.startsWith('24:00'))
  );
}

/**
 * `dayText` in the reader's convention: "9:00 a.m. – 5:00 p.m." / "9 h 00 – 17 h 00"; all day and past
 * midnight said in words (`allDay`, `nextDay` are the UI's phrases).
 */
export function formatDayText(
  text: string,
  locale: string,
  words: { allDay: string; nextDay: string },
): string {
  if (!text) return '';
  return text
    .split(', ')
    .map((period) => {
      const [opens = '', closes = ''] = period.split('–');
      if (isAllDay({ opens, closes })) return words.allDay;
      const range = `${formatClock(opens, locale)} – ${formatClock(closes, locale)}`;
      return closes < opens ? `${range} ${words.nextDay}` : range;
    })
    .join(', ');
}
