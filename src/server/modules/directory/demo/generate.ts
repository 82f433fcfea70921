import { randomUUID } from 'node:crypto';
import { getTableColumns, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Translations } from '../../../db/directory.schema.js';
import {
  address,
  attribute,
  contact,
  language,
  location,
  organization,
  phone,
  schedule,
  service,
  serviceAtLocation,
  serviceCapacity,
} from '../../../db/schema.js';
import type { Db } from '../../../platform/db.js';
import { refreshSearch } from '../directory.projection.js';
import {
  CANADIAN_PLACES,
  loadPlaces,
  type PlaceRow,
  PROVINCE_CODES,
  PROVINCES,
  type ProvinceCode,
} from '../places.js';
import {
  bedUnitId,
  HARBOUR_POPULATIONS,
  HARBOUR_SERVICE_TYPES,
  loadTaxonomies,
  OPEN_ELIGIBILITY,
  termIdsByCode,
} from '../taxonomies.js';
import {
  AREA_CODES,
  CHILD_PROTECTION_KIND,
  FRENCH_BASE_SHARE,
  type OrgKind,
  OTHER_LANGUAGES,
  POLICE_KIND,
  PROVIDER_KINDS,
  PROVINCE_WEIGHTS,
  type ServiceTemplate,
  STEMS,
  STREETS,
} from './catalogue.js';

/** Deterministic PRNG (mulberry32): the same seed gives the same directory. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GenerateOptions {
  /** Number of services to create (police and child protection included). */
  services: number;
  seed?: number;
  /** "Today" for verification dates; defaults to now. */
  now?: Date;
}

export interface GenerateResult {
  organizations: number;
  providers: number;
  police: number;
  childProtection: number;
  services: number;
  locations: number;
  /** Services whose organisation, service or location is confidential. */
  confidentialServices: number;
  byProvince: Record<string, number>;
  milliseconds: number;
  /** Of which: rebuilding the search projection. */
  searchMilliseconds: number;
}

type Insert<T extends PgTable> = T['$inferInsert'];

/** Rows waiting to be written, in foreign-key order. */
class Buffers {
  organization: Insert<typeof organization>[] = [];
  location: Insert<typeof location>[] = [];
  address: Insert<typeof address>[] = [];
  contact: Insert<typeof contact>[] = [];
  service: Insert<typeof service>[] = [];
  serviceAtLocation: Insert<typeof serviceAtLocation>[] = [];
  phone: Insert<typeof phone>[] = [];
  schedule: Insert<typeof schedule>[] = [];
  language: Insert<typeof language>[] = [];
  attribute: Insert<typeof attribute>[] = [];
  capacity: Insert<typeof serviceCapacity>[] = [];

  async flush(tx: Db): Promise<void> {
    const write = async <T extends PgTable>(table: T, rows: Insert<T>[]) => {
      for (let i = 0; i < rows.length; i += CHUNK) await insertChunk(tx, table, rows.slice(i, i + CHUNK));
      rows.length = 0;
    };
    await write(organization, this.organization);
    await write(location, this.location);
    await write(address, this.address);
    await write(contact, this.contact);
    await write(service, this.service);
    await write(serviceAtLocation, this.serviceAtLocation);
    await write(phone, this.phone);
    await write(schedule, this.schedule);
    await write(language, this.language);
    await write(attribute, this.attribute);
    await write(serviceCapacity, this.capacity);
  }
}

/**
 * One multi-row insert whose rows travel as a single JSON parameter (json_populate_recordset): about six
 * times faster on PGlite than thousands of bound parameters. Only the columns present in the chunk are
 * listed, so defaults apply to the others; a column given for some rows gets null in the rest, which is
 * what the generator means (it only varies nullable columns).
 */
async function insertChunk<T extends PgTable>(tx: Db, table: T, rows: Insert<T>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = getTableColumns(table);
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const names = keys.map((k) => {
    const column = columns[k];
    if (!column) throw new Error(`no column ${k}`);
    return column.name;
  });
  const json = rows.map((r) =>
    Object.fromEntries(keys.map((k, j) => [names[j], (r as Record<string, unknown>)[k] ?? null])),
  );
  const list = sql.join(
    names.map((n) => sql.identifier(n)),
    sql`, `,
  );
  await tx.execute(
    sql`insert into ${table} (${list}) select ${list} from json_populate_recordset(null::${table}, ${JSON.stringify(json)}::json)`,
  );
}

const CHUNK = 500;
const CONFIDENTIAL_SHARE = 0.1;
const FLUSH_EVERY_ORGS = 250;

const ALL_WEEK = 'MO,TU,WE,TH,FR,SA,SU';
const WEEKDAYS = 'MO,TU,WE,TH,FR';

/** The named time zone of a place: the province's, with the western-Ontario and Labrador exceptions. */
function timezoneOf(province: ProvinceCode, latitude: number, longitude: number): string {
  if (province === 'ON' && longitude < -90) return 'America/Winnipeg';
  if (province === 'NL' && latitude > 51.7) return 'America/Goose_Bay';
  if (province === 'NU' && longitude < -102) return 'America/Cambridge_Bay';
  if (province === 'NU' && longitude < -85) return 'America/Rankin_Inlet';
  return PROVINCES[province].timezone;
}

const FSA_FIRST: Record<ProvinceCode, string[]> = {
  NL: ['A'],
  NS: ['B'],
  PE: ['C'],
  NB: ['E'],
  QC: ['G', 'H', 'J'],
  ON: ['K', 'L', 'M', 'N', 'P'],
  MB: ['R'],
  SK: ['S'],
  AB: ['T'],
  BC: ['V'],
  NT: ['X'],
  NU: ['X'],
  YT: ['Y'],
};
const POSTAL_LETTERS = [...'ABCEGHJKLMNPRSTVWXYZ'];

/**
 * Generates a fictional national directory: service providers, police agencies and child-protection
 * services spread over the provinces like the real one, bilingual, ~10% confidential, at real city
 * coordinates with fictional names, 555-01xx phone numbers and addresses. Bulk inserts in chunks of 500,
 * then one search rebuild. Runs in the caller's transaction; loads taxonomies and places first.
 */
export async function generateDirectory(tx: Db, options: GenerateOptions): Promise<GenerateResult> {
  const started = Date.now();
  const target = Math.max(1, Math.floor(options.services));
  const rand = prng(options.seed ?? 1);
  const now = options.now ?? new Date();
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const chance = (p: number) => rand() < p;

  await loadTaxonomies(tx);
  await loadPlaces(tx);
  const populations = await termIdsByCode(tx, HARBOUR_POPULATIONS);
  const harbourTypes = await termIdsByCode(tx, HARBOUR_SERVICE_TYPES);
  const oe = await termIdsByCode(tx, OPEN_ELIGIBILITY);
  const bed = await bedUnitId(tx);

  // Cities of each province, weighted towards larger places (population^0.6) but reaching small towns.
  const cities = new Map<ProvinceCode, { rows: PlaceRow[]; cumulative: number[] }>();
  for (const code of PROVINCE_CODES) {
    const rows = CANADIAN_PLACES.filter((p) => p[1] === code);
    let sum = 0;
    cities.set(code, { rows, cumulative: rows.map((p) => (sum += Math.max(p[4], 1000) ** 0.6)) });
  }
  const cityIn = (province: ProvinceCode): PlaceRow => {
    const { rows, cumulative } = cities.get(province)!;
    const x = rand() * cumulative.at(-1)!;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return rows[lo]!;
  };

  // Provinces are chosen by largest shortfall against their target share, so any N matches the spread.
  const weightSum = Object.values(PROVINCE_WEIGHTS).reduce((a, b) => a + b, 0);
  const byProvince: Record<string, number> = Object.fromEntries(PROVINCE_CODES.map((p) => [p, 0]));
  let made = 0;
  const neediest = (adding: number): ProvinceCode => {
    let best: ProvinceCode = 'ON';
    let bestGap = Number.NEGATIVE_INFINITY;
    for (const p of PROVINCE_CODES) {
      const gap = (PROVINCE_WEIGHTS[p] / weightSum) * (made + adding) - byProvince[p]!;
      if (gap > bestGap) {
        bestGap = gap;
        best = p;
      }
    }
    return best;
  };

  const buffers = new Buffers();
  const result: GenerateResult = {
    organizations: 0,
    providers: 0,
    police: 0,
    childProtection: 0,
    services: 0,
    locations: 0,
    confidentialServices: 0,
    byProvince,
    milliseconds: 0,
    searchMilliseconds: 0,
  };
  const serial = new Map<string, number>();

  const phoneNumber = (province: ProvinceCode) =>
    `${pick(AREA_CODES[province])}-555-01${String(int(0, 99)).padStart(2, '0')}`;
  const postalCode = (province: ProvinceCode) => {
    const first =
      province === 'NU'
        ? 'X0A'
        : province === 'NT'
          ? 'X1A'
          : `${pick(FSA_FIRST[province])}${int(0, 9)}${pick(POSTAL_LETTERS)}`;
    return `${first} ${int(0, 9)}${pick(POSTAL_LETTERS)}${int(0, 9)}`;
  };
  const isoDay = (daysAgo: number) =>
    new Date(now.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 10);

  interface OrgPlan {
    kind: OrgKind;
    province: ProvinceCode;
    templates: ServiceTemplate[];
    names?: { en: string; fr: string };
    city?: PlaceRow;
  }

  /** Whether `count` more confidential services keep the confidential share near its target. */
  const withinBudget = (count: number) =>
    result.confidentialServices + count <= CONFIDENTIAL_SHARE * (made + count) + 2;

  const addOrganization = (plan: OrgPlan) => {
    const { kind, province, templates } = plan;
    const city = plan.city ?? cityIn(province);
    const [cityName, , cityLat, cityLng] = city;
    const french = chance(FRENCH_BASE_SHARE[province] ?? 0.01);
    const [stemEn, stemFr] = pick(STEMS);
    const n = (serial.get(stemEn) ?? 0) + 1;
    serial.set(stemEn, n);
    const slug = `${stemEn.toLowerCase().replace(/[^a-z]+/g, '-')}-${n}`;
    const names = plan.names ?? {
      en: `${stemEn} ${kind.en} (fictional)`,
      fr: `${kind.fr} ${stemFr} (fictif)`,
    };
    const provinceNames = PROVINCES[province];
    const descEn = `${kind.en} in ${cityName}, ${provinceNames.en}. Fictional demo data: not a real organization.`;
    const descFr = `${kind.fr} à ${cityName} (${provinceNames.fr}). Données de démonstration fictives : pas un véritable organisme.`;
    const base = french ? { name: names.fr, description: descFr } : { name: names.en, description: descEn };
    const other: Translations = french
      ? { en: { name: names.en, description: descEn } }
      : { fr: { name: names.fr, description: descFr } };
    const baseLang = french ? 'fr' : 'en';
    const count = templates.length;
    const orgConfidential =
      kind.organizationType === 'service_provider' && chance(0.012) && withinBudget(count);
    const orgId = randomUUID();
    buffers.organization.push({
      id: orgId,
      name: base.name,
      description: base.description,
      email: `info@${slug}.example`,
      website: `https://${slug}.example`,
      organizationType: kind.organizationType,
      jurisdiction: kind.organizationType === 'service_provider' ? [] : [province],
      isDemo: true,
      confidential: orgConfidential,
      translations: other,
    });
    buffers.contact.push({
      organizationId: orgId,
      name: french ? 'Coordination de l’accueil (fictif)' : 'Intake Coordinator (fictional)',
      title: french ? 'Coordonnatrice de l’accueil' : 'Intake coordinator',
      email: `intake@${slug}.example`,
    });
    buffers.phone.push({
      organizationId: orgId,
      number: phoneNumber(province),
      type: 'voice',
      description: french ? 'Administration' : 'Office',
    });

    // Shelters are the confidential ones; a budget keeps the share near 10% at any size.
    const locConfidential =
      !orgConfidential &&
      kind.confidentialLocation > 0 &&
      ((chance(kind.confidentialLocation) && withinBudget(count)) ||
        (kind.confidentialLocation >= 0.25 &&
          result.confidentialServices < CONFIDENTIAL_SHARE * 0.85 * (made + count)));
    const latitude = Number((cityLat + (rand() - 0.5) * 0.05).toFixed(5));
    const longitude = Number((cityLng + (rand() - 0.5) * 0.07).toFixed(5));
    const locationId = randomUUID();
    buffers.location.push({
      id: locationId,
      organizationId: orgId,
      locationType: 'physical',
      name: base.name,
      latitude,
      longitude,
      confidential: locConfidential,
      translations: french ? { en: { name: names.en } } : { fr: { name: names.fr } },
    });
    const street = pick(STREETS);
    const number = int(1, 2999);
    buffers.address.push({
      locationId,
      address1: french ? `${number}, ${street.fr}` : `${number} ${street.en}`,
      city: cityName,
      stateProvince: province,
      postalCode: postalCode(province),
      country: 'CA',
      addressType: 'physical',
    });
    buffers.phone.push({ locationId, number: phoneNumber(province), type: 'voice' });
    result.locations++;
    const timezone = timezoneOf(province, cityLat, cityLng);

    for (const t of templates) {
      const serviceId = randomUUID();
      const svcConfidential =
        !orgConfidential && !locConfidential && chance(t.beds ? 0.1 : 0.012) && withinBudget(1);
      const assuredDaysAgo = int(0, 540);
      const sBase = french ? t.fr : t.en;
      buffers.service.push({
        id: serviceId,
        organizationId: orgId,
        name: sBase.name,
        description: sBase.description,
        status: chance(0.03) ? 'temporarily closed' : 'active',
        email: `intake@${slug}.example`,
        assuredDate: isoDay(assuredDaysAgo),
        assurerEmail: 'directory-manager@demo.harbour.example',
        verificationDue: isoDay(assuredDaysAgo - 365),
        intakeNotes: french
          ? 'Demander la coordination de l’accueil. Données fictives.'
          : 'Ask for the intake coordinator. Fictional data.',
        confidential: svcConfidential,
        translations: french ? { en: { ...t.en } } : { fr: { ...t.fr } },
      });
      buffers.serviceAtLocation.push({ serviceId, locationId });
      if (chance(0.5)) buffers.phone.push({ serviceId, number: phoneNumber(province), type: 'voice' });
      buffers.schedule.push(
        t.allDay
          ? {
              serviceId,
              freq: 'WEEKLY',
              wkst: 'MO',
              byday: ALL_WEEK,
              opensAt: '00:00',
              closesAt: '23:59',
              timezone,
              description: french ? 'Ouvert 24 heures sur 24, 7 jours sur 7' : 'Open 24 hours, 7 days a week',
            }
          : {
              serviceId,
              freq: 'WEEKLY',
              wkst: 'MO',
              byday: chance(0.15) ? 'MO,TU,WE,TH,FR,SA' : WEEKDAYS,
              opensAt: pick(['08:30', '09:00', '09:00', '10:00']),
              closesAt: pick(['16:30', '17:00', '17:00', '20:00']),
              timezone,
            },
      );
      const langs = new Set<string>([baseLang]);
      const otherOfficial = french ? 'en' : 'fr';
      const bilingual = province === 'QC' || province === 'NB' ? 0.75 : province === 'ON' ? 0.3 : 0.15;
      if (chance(bilingual)) langs.add(otherOfficial);
      if (province === 'NU') langs.add('iu');
      const extra = int(0, 2);
      for (let i = 0; i < extra; i++) {
        const l = pick(OTHER_LANGUAGES);
        if (!l.provinces || l.provinces.includes(province) || chance(0.05)) langs.add(l.code);
      }
      for (const code of langs)
        buffers.language.push({ serviceId, code, name: LANGUAGE_NAMES[code] ?? code });

      const termIds = new Set<string>();
      for (const code of t.types) {
        const id = harbourTypes.get(code);
        if (id) termIds.add(id);
      }
      for (const code of t.oe) {
        const id = oe.get(code);
        if (id) termIds.add(id);
      }
      for (const id of termIds) {
        buffers.attribute.push({
          linkId: serviceId,
          linkEntity: 'service',
          linkType: 'service_type',
          taxonomyTermId: id,
        });
      }
      if (kind.populations.length > 0) {
        const chosen = new Set<string>([kind.populations[0]!]);
        const more = int(0, 2);
        for (let i = 0; i < more; i++) chosen.add(pick(kind.populations));
        if (province === 'NU' || (kind.key !== 'indigenous' && chance(0.06)))
          chosen.add(pick(['first-nations', 'inuit', 'metis']));
        if (chance(0.05)) chosen.add('people-with-disabilities');
        for (const code of chosen) {
          const id = populations.get(code);
          if (id)
            buffers.attribute.push({
              linkId: serviceId,
              linkEntity: 'service',
              linkType: 'population',
              taxonomyTermId: id,
            });
        }
      }
      if (t.beds) {
        const maximum = int(t.beds[0], t.beds[1]);
        buffers.capacity.push({
          serviceId,
          unitId: bed,
          maximum,
          available: chance(0.3) ? 0 : int(1, maximum),
          description: french ? 'Lits disponibles ce soir' : 'Beds available tonight',
          updated: new Date(now.getTime() - int(0, 72) * 3_600_000),
        });
      }
      if (orgConfidential || svcConfidential || locConfidential) result.confidentialServices++;
      byProvince[province]!++;
      made++;
      result.services++;
    }
    result.organizations++;
  };

  const flushIfDue = async () => {
    if (buffers.organization.length >= FLUSH_EVERY_ORGS) await buffers.flush(tx);
  };

  // Child protection: every province and territory, more (regional agencies) as the directory grows.
  const childProtection: ProvinceCode[] = [...PROVINCE_CODES];
  const extraCp = Math.floor(target / 500);
  for (let i = 0; i < extraCp; i++) childProtection.push(neediestFor(childProtection));
  function neediestFor(list: ProvinceCode[]): ProvinceCode {
    let best: ProvinceCode = 'ON';
    let bestGap = Number.NEGATIVE_INFINITY;
    for (const p of PROVINCE_CODES) {
      const gap = (PROVINCE_WEIGHTS[p] / weightSum) * (list.length + 1) - list.filter((x) => x === p).length;
      if (gap > bestGap) {
        bestGap = gap;
        best = p;
      }
    }
    return best;
  }
  for (const province of childProtection) {
    if (made >= target) break;
    const city = cityIn(province);
    const prov = PROVINCES[province];
    const names =
      province === 'ON'
        ? {
            en: `Children’s Aid Society of ${city[0]} (fictional)`,
            fr: `Société d’aide à l’enfance de ${city[0]} (fictif)`,
          }
        : province === 'QC'
          ? {
              en: `Youth Protection Directorate, ${city[0]} (fictional)`,
              fr: `Direction de la protection de la jeunesse de ${city[0]} (fictif)`,
            }
          : {
              en: `${prov.en} Child and Family Services, ${city[0]} (fictional)`,
              fr: `Services à l’enfance et à la famille – ${prov.fr}, ${city[0]} (fictif)`,
            };
    const templates = CHILD_PROTECTION_KIND.services.slice(0, Math.min(2, target - made));
    addOrganization({ kind: CHILD_PROTECTION_KIND, province, templates, names, city });
    result.childProtection++;
  }

  // Police agencies: about one for every 37 services.
  const policeCount = Math.max(1, Math.round(target / 37));
  // Service providers fill the rest; police are interleaved so both spread evenly.
  const providerWeights = PROVIDER_KINDS.reduce((a, k) => a + k.weight, 0);
  const servicesPerProvider = 3.76;
  const providerEstimate = Math.max(1, (target - policeCount * 2) / servicesPerProvider);
  const policeEvery = Math.max(1, Math.floor(providerEstimate / policeCount));
  let providersSincePolice = 0;
  while (made < target) {
    if (result.police < policeCount && providersSincePolice >= policeEvery) {
      providersSincePolice = 0;
      const province = neediest(2);
      const [stemEn, stemFr] = pick(STEMS);
      const city = cityIn(province);
      const names = {
        en: `${stemEn} Regional Police Service, ${city[0]} (fictional)`,
        fr: `Service de police régional ${stemFr}, ${city[0]} (fictif)`,
      };
      const templates = POLICE_KIND.services.slice(0, Math.min(2, target - made));
      addOrganization({ kind: POLICE_KIND, province, templates, names, city });
      result.police++;
    } else {
      let x = rand() * providerWeights;
      let kind = PROVIDER_KINDS[0]!;
      for (const k of PROVIDER_KINDS) {
        x -= k.weight;
        if (x < 0) {
          kind = k;
          break;
        }
      }
      const count = Math.min(
        kind.services.length,
        3 + (chance(0.8) ? 1 : 0) + (chance(0.35) ? 1 : 0) - (chance(0.1) ? 1 : 0),
        target - made,
      );
      const shuffled = [...kind.services].sort(() => rand() - 0.5);
      // The kind's first service (the shelter of a shelter) is almost always offered.
      const templates = [kind.services[0]!, ...shuffled.filter((s) => s !== kind.services[0])].slice(
        0,
        count,
      );
      addOrganization({ kind, province: neediest(count), templates });
      result.providers++;
      providersSincePolice++;
    }
    await flushIfDue();
  }
  await buffers.flush(tx);
  const searchStarted = Date.now();
  await refreshSearch(tx);
  result.searchMilliseconds = Date.now() - searchStarted;
  result.milliseconds = Date.now() - started;
  return result;
}

const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  fr: 'French',
  ...Object.fromEntries(OTHER_LANGUAGES.map((l) => [l.code, l.name])),
};
