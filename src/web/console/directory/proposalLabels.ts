import type { MessageId } from '../../i18n/messages';
import { useLocale, useT } from '../locale';
import { formatDayText } from './format';
import { CANADIAN_ZONES, dayName, WEEK_DAYS } from './hours.model';
import { FIELDS, PHONE_TYPES, SERVICE_STATUSES } from './recordForm';
import type { Phone, WeekDay } from './types';

const EXTRA_LABELS: Record<string, MessageId> = {
  languages: 'directory.result.languages',
  populations: 'directory.filter.populations',
  serviceTypes: 'directory.field.serviceTypes',
  phones: 'directory.result.phones',
  status: 'directory.field.status',
  confidential: 'directory.field.confidential',
  organizationType: 'directory.field.organizationType',
  jurisdiction: 'directory.field.jurisdiction',
  address: 'directory.record.section.address',
  available: 'directory.capacity.available',
  maximum: 'directory.capacity.maximum',
  timezone: 'directory.hours.timezone',
};

const isDay = (code: string | undefined): code is WeekDay => WEEK_DAYS.includes(code as WeekDay);
const statusLabel = (status: string) => `directory.status.${status.replace(' ', '_')}` as MessageId;

/** A changed field's name in the UI language ("Name — French", "Monday"); an unknown one stays as its code. */
export function useFieldLabel(): (field: string) => string {
  const t = useT();
  const { locale } = useLocale();
  return (field: string) => {
    const specs = Object.values(FIELDS).flat();
    const [head, lang, key] = field.split('.');
    if (head === 'hours' && isDay(lang)) return dayName(lang, locale);
    if (head === 'translations' && lang && key) {
      const spec = specs.find((f) => f.translation === key);
      const language = lang.startsWith('fr')
        ? t('directory.lang.fr')
        : lang.startsWith('en')
          ? t('directory.lang.en')
          : lang;
      return t('directory.proposals.translatedField', { field: spec ? t(spec.label) : key, language });
    }
    const spec = specs.find((f) => f.key === field);
    if (spec) return t(spec.label);
    const extra = EXTRA_LABELS[field];
    return extra ? t(extra) : field;
  };
}

/** A named time zone as people say it ("Eastern time (Toronto, Montréal, Ottawa)"); another zone as its name. */
export function useZoneLabel(): (zone: string) => string {
  const t = useT();
  return (zone) => {
    const known = CANADIAN_ZONES.find((z) => z.id === zone);
    return known ? t(known.label) : zone;
  };
}

/**
 * A proposed (or current) value in the UI language where it is a code or a clock time: a service status, phone
 * types, a time zone, a day's opening hours ("Closed" when it has none). `text` is the value as one line
 * (from `proposalRows`), `raw` the value itself when there is one; '' means nothing to show.
 */
export function useValueLabel(): (field: string, text: string, raw?: unknown) => string {
  const t = useT();
  const { locale } = useLocale();
  const zoneLabel = useZoneLabel();
  return (field, text, raw) => {
    const [head, day] = field.split('.');
    if (head === 'hours' && isDay(day))
      return text
        ? formatDayText(text, locale, {
            allDay: t('directory.hours.allDay'),
            nextDay: t('directory.hours.nextDay'),
          })
        : t('directory.hours.closed');
    if (field === 'timezone' && text) return zoneLabel(text);
    if (field === 'status' && SERVICE_STATUSES.includes(text)) return t(statusLabel(text));
    if (field === 'phones' && Array.isArray(raw))
      return (raw as Phone[])
        .map((p) =>
          [
            p.number,
            p.type && PHONE_TYPES.includes(p.type) ? t(`directory.phoneType.${p.type}` as MessageId) : p.type,
            p.description,
          ]
            .filter(Boolean)
            .join(' · '),
        )
        .join(', ');
    return text;
  };
}
