import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { generateDirectory } from '../src/server/modules/directory/demo/generate.js';
import { findPlace } from '../src/server/modules/directory/places.js';
import { type SearchQuery, searchRepository } from '../src/server/modules/directory/search.repository.js';
import { searchWords } from '../src/server/modules/directory/search.service.js';
import { type Database, migrate, openPglite, openPostgres } from '../src/server/platform/db.js';
import { printTable, type Row, startServer, summarise } from './lib.js';

/**
 * Directory search at national scale: N generated services (default 100,000), then the advocate's query —
 * text + population + 100 km around a city, ranked — from 16 concurrent clients through the real server
 * for ~10 s, and the bare SQL query alone (the floor), on PGlite and, with DATABASE_URL, PostgreSQL.
 * `node --import tsx bench/directory-search.ts` (BENCH_SERVICES, BENCH_LOAD_SECONDS, BENCH_PORT).
 */
const SERVICES = Number(process.env.BENCH_SERVICES ?? 100_000);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const CLIENTS = 16;
const PORT = process.env.BENCH_PORT ?? '18090';
const FLOOR_RUNS = Number(process.env.BENCH_FLOOR_RUNS ?? 300);

/** The queries an advocate types: a word (EN or FR), a population, a city. Rotated so no single plan is cached. */
const QUERIES = [
  { q: 'shelter', population: 'women', near: 'Toronto' },
  { q: 'hebergement', population: 'women', near: 'Montréal' },
  { q: 'shelter', population: 'youth', near: 'Vancouver' },
  { q: 'counselling', population: 'women', near: 'Winnipeg' },
  { q: 'shelter', population: 'youth', near: 'Calgary' },
  { q: 'legal', population: 'migrants', near: 'Ottawa' },
  { q: 'refuge', population: 'women', near: 'Québec' },
  { q: 'shelter', population: 'women', near: 'Halifax' },
];
const RADIUS_KM = 100;

const urlFor = (base: string, x: (typeof QUERIES)[number]) =>
  `${base}/api/directory/search?${new URLSearchParams({
    q: x.q,
    population: x.population,
    near: x.near,
    radius_km: String(RADIUS_KM),
    limit: '25',
  })}`;

/**
 * Missing from the schema (reported): the projection's languages subquery reads `language` by service_id OR
 * location_id, and without an index on location_id each service scans the whole table — 100k services never
 * finish. The bench adds the index to its own throwaway database only.
 */
const MISSING_INDEX = sql`create index if not exists bench_language_location_idx on language (location_id)`;

async function generate(database: Database): Promise<string> {
  await database.db.execute(MISSING_INDEX);
  const existing = (await database.db.execute(
    sql`select count(*)::int as n from directory_search`,
  )) as unknown as {
    rows: { n: number }[];
  };
  if ((existing.rows[0]?.n ?? 0) > 0) return `reusing ${existing.rows[0]!.n} search rows already generated`;
  const t0 = performance.now();
  const result = await database.db.transaction((tx) =>
    generateDirectory(tx, { services: SERVICES, seed: 7 }),
  );
  await database.db.execute(sql`vacuum analyze`);
  const seconds = ((performance.now() - t0) / 1000).toFixed(0);
  return `${result.services} services, ${result.organizations} organizations, generated in ${seconds} s`;
}

/** The repository query exactly as the service builds it for QUERIES[i] (place resolved beforehand). */
async function bareQueries(database: Database): Promise<SearchQuery[]> {
  const out: SearchQuery[] = [];
  for (const x of QUERIES) {
    const place = await findPlace(database.db, x.near);
    if (!place) throw new Error(`bench: place ${x.near} not loaded`);
    out.push({
      audience: 'staff',
      words: searchWords(x.q),
      textMode: 'strict',
      origin: { lat: place.latitude, lng: place.longitude },
      radiusM: RADIUS_KM * 1000,
      mode: 'near',
      populations: [x.population],
      types: [],
      hasCapacity: false,
      limit: 25,
      offset: 0,
    });
  }
  return out;
}

/** Bare SQL: sequentially (one client), and with CLIENTS concurrent callers (PGlite serialises them). */
async function floor(database: Database, label: string, rows: Row[]) {
  const queries = await bareQueries(database);
  const hits: number[] = [];
  for (const q of queries) hits.push((await searchRepository.search(database.db, q))[0]?.total ?? 0);
  const one: number[] = [];
  for (let i = 0; i < FLOOR_RUNS; i++) {
    const t = performance.now();
    await searchRepository.search(database.db, queries[i % queries.length]!);
    one.push(performance.now() - t);
  }
  rows.push(
    summarise('bare SQL, 1 client', label, 'ms', one, 'floor', `matches per query: ${hits.join('/')}`),
  );
  const many: number[] = [];
  let i = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (i < FLOOR_RUNS * 2) {
        const q = queries[i++ % queries.length]!;
        const t = performance.now();
        await searchRepository.search(database.db, q);
        many.push(performance.now() - t);
      }
    }),
  );
  rows.push(summarise(`bare SQL, ${CLIENTS} concurrent`, label, 'ms', many, 'floor under load'));
}

async function explain(database: Database, label: string) {
  const [q] = await bareQueries(database);
  // The SQL the repository runs, captured by a stand-in for the database, then run under EXPLAIN ANALYZE
  // with the same transaction-local setting.
  let captured: ReturnType<typeof sql> | undefined;
  const spy: Database['db'] = new Proxy(database.db, {
    get(target, prop, receiver) {
      if (prop === 'execute')
        return async (query: ReturnType<typeof sql>) => {
          captured = query;
          return { rows: [] };
        };
      if (prop === 'transaction') return (fn: (tx: Database['db']) => Promise<unknown>) => fn(spy);
      return Reflect.get(target, prop, receiver);
    },
  });
  await searchRepository.search(spy, q!);
  if (!captured) return;
  const query = captured;
  const plan = await database.db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_bitmapscan = off`);
    return (await tx.execute(sql`explain (analyze, buffers off, costs off) ${query}`)) as unknown as {
      rows: Record<string, string>[];
    };
  });
  const x = QUERIES[0]!;
  console.log(`\nEXPLAIN ANALYZE (${label}, "${x.q}" + ${x.population} + ${RADIUS_KM} km of ${x.near}):`);
  for (const r of plan.rows) console.log(`  ${Object.values(r)[0]}`);
}

/** Closed loop: CLIENTS keep-alive connections, each sending the rotated queries back to back. */
async function loadRotating(urls: string[], headers: Record<string, string>, ms: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const end = performance.now() + ms;
  const one = (url: string) =>
    new Promise<void>((resolve) => {
      const t = performance.now();
      http
        .get(url, { agent, headers }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push(performance.now() - t);
            else errors++;
            resolve();
          });
        })
        .on('error', () => {
          errors++;
          resolve();
        });
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < end) await one(urls[n++ % urls.length]!);
    }),
  );
  agent.destroy();
  return { latencies, errors, seconds: (performance.now() - t0) / 1000 };
}

async function signIn(url: string): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'advocate@demo.harbour.example', password: 'demo-harbour-fictional' }),
  });
  const cookie = /harbour_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
  if (res.status !== 200 || !cookie) throw new Error(`demo sign-in failed: ${res.status}`);
  return { cookie };
}

async function throughServer(
  env: Record<string, string | undefined>,
  label: string,
  goal: string,
  rows: Row[],
) {
  const server = await startServer({ ...env, PORT, HARBOUR_DEMO: 'true' });
  try {
    const headers = await signIn(server.url);
    const urls = QUERIES.map((x) => urlFor(server.url, x));
    const check = await fetch(urls[0]!, { headers });
    if (check.status !== 200) throw new Error(`search answered ${check.status}: ${await check.text()}`);
    await loadRotating(urls, headers, 1000); // warm-up
    const r = await loadRotating(urls, headers, LOAD_SECONDS * 1000);
    rows.push(
      summarise(
        `GET /api/directory/search, ${CLIENTS} clients`,
        label,
        'ms',
        r.latencies,
        goal,
        `${Math.round(r.latencies.length / r.seconds)} req/s, ${r.errors} errors`,
      ),
    );
  } finally {
    await server.stop();
  }
}

async function embedded(rows: Row[]) {
  // BENCH_PGLITE_DIR: a folder to keep (and reuse) between runs; generation takes minutes.
  const keep = process.env.BENCH_PGLITE_DIR;
  const dir = keep ?? mkdtempSync(path.join(tmpdir(), 'harbour-bench-search-'));
  try {
    let database = await openPglite(dir);
    await migrate(database);
    console.log(`PGlite: ${await generate(database)}`);
    await database.close();
    await throughServer({ HARBOUR_DATA_DIR: dir, DATABASE_URL: undefined }, 'PGlite', 'p95 ≤ 40 ms', rows);
    // The server has the folder while it runs; the floor is measured after it stops.
    database = await openPglite(dir);
    await explain(database, 'PGlite');
    await floor(database, 'PGlite', rows);
    await database.close();
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(rows: Row[], base: string) {
  // BENCH_PG_DATABASE: a database of the same server to keep (and reuse) between runs.
  const keep = process.env.BENCH_PG_DATABASE;
  const name = keep ?? `harbour_bench_search_${process.pid}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
  if (!keep || exists.rowCount === 0) {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  }
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  const dir = mkdtempSync(path.join(tmpdir(), 'harbour-bench-search-pg-'));
  try {
    const database = await openPostgres(url, { max: CLIENTS });
    await migrate(database);
    console.log(`PostgreSQL: ${await generate(database)}`);
    await explain(database, 'PostgreSQL');
    await floor(database, 'PostgreSQL', rows);
    await database.close();
    await throughServer(
      { HARBOUR_DATA_DIR: dir, DATABASE_URL: url },
      'PostgreSQL',
      'p95 ≤ 25 ms, ≤ 2× floor',
      rows,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (!keep) {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    }
  }
}

execFileSync('npm', ['run', '-s', 'build:server'], { stdio: 'inherit' });
const rows: Row[] = [];
if (!process.env.BENCH_SKIP_PGLITE) await embedded(rows);
if (process.env.DATABASE_URL) await postgres(rows, process.env.DATABASE_URL);
else console.log('(DATABASE_URL not set: PostgreSQL rows skipped.)');
console.log('');
printTable(rows);
