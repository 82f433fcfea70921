import { type Static, Type } from 'typebox';
import type { SearchHit } from './search.repository.js';
import {
  DEFAULT_TIMEZONE,
  type ResolvedPlace,
  type ScheduleRow,
  type SearchDetails,
  type SearchOutcome,
  zoneNow,
} from './search.service.js';

export type Lang = 'en' | 'fr';
type Translations = Record<string, Record<string, string>>;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const NullableString = Nullable(Type.String());
const NullableNumber = Nullable(Type.Number());

const Label = Type.Object({ code: Type.String(), en: Type.String(), fr: Type.String() });
const Phone = Type.Object({
  number: Type.String(),
  extension: NullableNumber,
  type: NullableString,
  description: NullableString,
});
const Hours = Type.Object({
  timezone: Type.String(),
  openNow: Type.Boolean(),
  periods: Type.Array(Type.Object({ opens: Type.String(), closes: Type.String() })),
});
const Capacity = Type.Object({
  unit: Type.String(),
  available: Type.Number(),
  maximum: NullableNumber,
  updated: Type.String({ format: 'date-time' }),
});
const Address = Type.Object({
  address1: Type.String(),
  address2: NullableString,
  city: Type.String(),
  province: Type.String(),
  postalCode: Type.String(),
});

const common = {
  id: Type.String({ format: 'uuid' }),
  serviceId: Type.String({ format: 'uuid' }),
  organizationId: Type.String({ format: 'uuid' }),
  serviceName: Type.String(),
  organizationName: Type.String(),
  description: NullableString,
  status: Type.String(),
  url: NullableString,
  email: NullableString,
  /** km; rounded up to 5 km for a confidential location (staff only), 0.1 km otherwise. */
  distanceKm: NullableNumber,
  city: NullableString,
  province: NullableString,
  phones: Type.Array(Phone),
  hoursToday: Nullable(Hours),
  eligibility: NullableString,
  minimumAge: NullableNumber,
  maximumAge: NullableNumber,
  languages: Type.Array(Type.String()),
  populations: Type.Array(Label),
  serviceTypes: Type.Array(Label),
  capacity: Type.Array(Capacity),
  score: Type.Number(),
};

export const PublicSearchItem = Type.Object({
  ...common,
  locationId: NullableString,
  locationName: NullableString,
  address: Nullable(Address),
  latitude: NullableNumber,
  longitude: NullableNumber,
});

export const StaffSearchItem = Type.Object({
  ...common,
  locationId: NullableString,
  locationName: NullableString,
  address: Nullable(Address),
  latitude: NullableNumber,
  longitude: NullableNumber,
  intakeNotes: NullableString,
  applicationProcess: NullableString,
  /** Harbour profile flags: the entry is shown to staff and marked. */
  confidential: Type.Object({
    organization: Type.Boolean(),
    service: Type.Boolean(),
    location: Type.Boolean(),
  }),
});

export const PlaceView = Type.Object({
  kind: Type.String(),
  name: NullableString,
  province: NullableString,
  latitude: NullableNumber,
  longitude: NullableNumber,
  /** The postal code was not found: searching its whole province instead. */
  approximate: Type.Boolean(),
});

const envelope = {
  total: Type.Integer(),
  /** Near a place only the 200 nearest matches are ranked and counted: show "200+". */
  totalCapped: Type.Boolean(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  /** Nothing matched exactly; these are typo-tolerant matches. */
  fuzzy: Type.Boolean(),
  mode: Type.String(),
  radiusKm: Type.Number(),
  lang: Type.String(),
  place: Nullable(PlaceView),
};

export const StaffSearchResponse = Type.Object({ ...envelope, items: Type.Array(StaffSearchItem) });
export const PublicSearchResponse = Type.Object({ ...envelope, items: Type.Array(PublicSearchItem) });
export const SuggestResponse = Type.Object({
  suggestions: Type.Array(
    Type.Object({ kind: Type.String(), label: Type.String(), province: Type.Optional(Type.String()) }),
  ),
});

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
const num = (v: unknown) => (v === null || v === undefined || v === '' ? null : Number(v));

/** Text in the requested language: translations[lang] (or lang-CA), else the record's own text. */
export function pickText(base: unknown, translations: unknown, lang: Lang, field: string): string | null {
  const t = (translations ?? {}) as Translations;
  return t[lang]?.[field] ?? t[`${lang}-CA`]?.[field] ?? str(base);
}

function label(code: string, details: SearchDetails) {
  const term = details.terms.get(code);
  if (!term) return { code, en: code, fr: code };
  return {
    code,
    en: term.translations.en?.name ?? term.name,
    fr: term.translations.fr?.name ?? term.translations['fr-CA']?.name ?? term.name,
  };
}

const dayMatches = (s: ScheduleRow, day: string) =>
  String(s.freq ?? '').toUpperCase() === 'DAILY' ||
  !s.byday ||
  String(s.byday).toUpperCase().replace(/\s/g, '').split(',').includes(day);

/** Today's opening periods of the schedules that apply to this hit, in the schedule's own time zone. */
export function hoursToday(hit: SearchHit, schedules: ScheduleRow[], now: Date) {
  const mine = schedules.filter(
    (s) =>
      s.service_id === hit.serviceId ||
      (hit.locationId !== null && s.service_at_location_id === hit.id) ||
      (hit.locationId !== null && s.location_id === hit.locationId && !s.service_id),
  );
  if (mine.length === 0) return null;
  const tz = String(mine.find((s) => s.timezone)?.timezone ?? DEFAULT_TIMEZONE);
  const z = zoneNow(tz, now);
  if (!z) return null;
  const periods: { opens: string; closes: string }[] = [];
  let openNow = false;
  for (const s of mine) {
    const freq = String(s.freq ?? 'WEEKLY').toUpperCase();
    if ((freq !== 'WEEKLY' && freq !== 'DAILY') || !s.opens_at || !s.closes_at) continue;
    if (s.valid_from && String(s.valid_from) > z.date) continue;
    if (s.valid_to && String(s.valid_to) < z.date) continue;
    const opens = String(s.opens_at).slice(0, 5);
    const closes = String(s.closes_at).slice(0, 5);
    const sz = zoneNow(String(s.timezone ?? tz), now) ?? z;
    if (dayMatches(s, sz.day)) {
      periods.push({ opens, closes });
      if (opens <= closes ? sz.hm >= opens && sz.hm < closes : sz.hm >= opens) openNow = true;
    }
    if (opens > closes && dayMatches(s, sz.prevDay) && sz.hm < closes) openNow = true;
  }
  periods.sort((a, b) => a.opens.localeCompare(b.opens));
  return { timezone: tz, openNow, periods };
}

function presentCommon(hit: SearchHit, outcome: SearchOutcome, lang: Lang) {
  const d = outcome.details;
  const svc = d.services.get(hit.serviceId) ?? {};
  const org = d.organizations.get(hit.organizationId) ?? {};
  return {
    id: hit.id,
    serviceId: hit.serviceId,
    organizationId: hit.organizationId,
    serviceName: pickText(svc.name, svc.translations, lang, 'name') ?? '',
    organizationName: pickText(org.name, org.translations, lang, 'name') ?? '',
    description: pickText(svc.description, svc.translations, lang, 'description'),
    status: String(svc.status ?? 'active'),
    url: str(svc.url),
    email: str(svc.email),
    hoursToday: hoursToday(hit, d.schedules, outcome.now),
    eligibility: pickText(svc.eligibility_description, svc.translations, lang, 'eligibility_description'),
    minimumAge: num(svc.minimum_age),
    maximumAge: num(svc.maximum_age),
    languages: hit.languages,
    populations: hit.populations.map((c) => label(c, d)),
    serviceTypes: hit.serviceTypes.map((c) => label(c, d)),
    capacity: d.capacity
      .filter((c) => c.service_id === hit.serviceId)
      .map((c) => ({
        unit: pickText(c.unit, c.unit_translations, lang, 'name') ?? '',
        available: Number(c.available),
        maximum: num(c.maximum),
        updated: new Date(c.updated as string).toISOString(),
      })),
    score: Math.round(hit.score * 1000) / 1000,
  };
}

function presentAddress(a: Record<string, unknown> | undefined) {
  if (!a) return null;
  return {
    address1: String(a.address_1),
    address2: str(a.address_2),
    city: String(a.city),
    province: String(a.state_province),
    postalCode: String(a.postal_code),
  };
}

const phoneView = (p: Record<string, unknown>) => ({
  number: String(p.number),
  extension: num(p.extension),
  type: str(p.type),
  description: str(p.description),
});

/** What an advocate needs to refer, confidential entries included and marked; addresses shown to staff. */
export function presentStaffSearch(outcome: SearchOutcome, lang: Lang, limit: number, offset: number) {
  const d = outcome.details;
  const items = outcome.hits.map((hit) => {
    const svc = d.services.get(hit.serviceId) ?? {};
    const org = d.organizations.get(hit.organizationId) ?? {};
    const loc = hit.locationId ? d.locations.get(hit.locationId) : undefined;
    const addr = hit.locationId ? d.addresses.get(hit.locationId) : undefined;
    const km = hit.distanceM === null ? null : hit.distanceM / 1000;
    return {
      ...presentCommon(hit, outcome, lang),
      distanceKm:
        km === null
          ? null
          : hit.locationConfidential
            ? Math.max(5, Math.ceil(km / 5) * 5)
            : Math.round(km * 10) / 10,
      city: hit.city,
      province: str(addr?.state_province) ?? hit.provinces[0] ?? null,
      phones: d.phones
        .filter(
          (p) =>
            p.service_id === hit.serviceId ||
            (hit.locationId !== null && p.location_id === hit.locationId) ||
            (!p.service_id && !p.location_id && p.organization_id === hit.organizationId),
        )
        .map(phoneView),
      locationId: hit.locationId,
      locationName: loc ? pickText(loc.name, loc.translations, lang, 'name') : null,
      address: presentAddress(addr),
      latitude: hit.latitude,
      longitude: hit.longitude,
      intakeNotes: str(svc.intake_notes),
      applicationProcess: pickText(svc.application_process, svc.translations, lang, 'application_process'),
      confidential: {
        organization: Boolean(org.confidential),
        service: Boolean(svc.confidential),
        location: hit.locationConfidential,
      },
    };
  });
  return { ...envelope_(outcome, lang, limit, offset), items };
}

/**
 * Public shape: the query already left out confidential organisations and services; a confidential
 * location is dropped here entirely (no id, name, address, coordinates, city, distance or phones).
 */
export function presentPublicSearch(outcome: SearchOutcome, lang: Lang, limit: number, offset: number) {
  const d = outcome.details;
  const items = outcome.hits
    .filter((hit) => !hit.confidential)
    .map((hit) => {
      const hidden = hit.locationConfidential;
      const loc = hit.locationId && !hidden ? d.locations.get(hit.locationId) : undefined;
      const addr = hit.locationId && !hidden ? d.addresses.get(hit.locationId) : undefined;
      return {
        ...presentCommon(hit, outcome, lang),
        distanceKm: hidden || hit.distanceM === null ? null : Math.round(hit.distanceM / 100) / 10,
        city: hidden ? null : hit.city,
        province: hidden ? null : (str(addr?.state_province) ?? hit.provinces[0] ?? null),
        phones: d.phones
          .filter(
            (p) =>
              !p.contact_id &&
              (p.service_id === hit.serviceId ||
                (!hidden && hit.locationId !== null && p.location_id === hit.locationId) ||
                (!p.service_id && !p.location_id && p.organization_id === hit.organizationId)),
          )
          .filter((p) => !(p.location_id && hidden && p.location_id === hit.locationId))
          .map(phoneView),
        locationId: hidden ? null : hit.locationId,
        locationName: loc ? pickText(loc.name, loc.translations, lang, 'name') : null,
        address: hidden ? null : presentAddress(addr),
        latitude: hidden ? null : hit.latitude,
        longitude: hidden ? null : hit.longitude,
      };
    });
  return { ...envelope_(outcome, lang, limit, offset), items };
}

function envelope_(outcome: SearchOutcome, lang: Lang, limit: number, offset: number) {
  return {
    total: outcome.total,
    totalCapped: outcome.totalCapped,
    limit,
    offset,
    fuzzy: outcome.fuzzy,
    mode: outcome.mode,
    radiusKm: outcome.radiusKm,
    lang,
    place: presentPlace(outcome.place),
  };
}

function presentPlace(p: ResolvedPlace | null) {
  return p ? { ...p } : null;
}

/** Suggestions, already restricted to public data by the repository. */
export function presentSuggest(result: {
  names: { kind: string; label: string }[];
  places: { name: string; province: string }[];
}): Static<typeof SuggestResponse> {
  return {
    suggestions: [
      ...result.names.map((n) => ({ kind: n.kind, label: n.label })),
      ...result.places.map((p) => ({ kind: 'place', label: p.name, province: p.province })),
    ],
  };
}
