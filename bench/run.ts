import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { load, printTable, type Row, rssMb, startServer, summarise } from './lib.js';

/**
 * `npm run bench`: start-up, memory and authenticated-request latency of the real server process.
 * Runs on the embedded database, and also on PostgreSQL when DATABASE_URL is set.
 * Figures are measured here and printed; no test asserts timings.
 */
const PORT = process.env.BENCH_PORT ?? '18080';
const RESTARTS = Number(process.env.BENCH_RESTARTS ?? 5);
const FIRST_STARTS = Number(process.env.BENCH_FIRST_STARTS ?? 3);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);

async function signInDemoAdmin(url: string): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@demo.harbour.example', password: 'demo-harbour-fictional' }),
  });
  const cookie = /harbour_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
  if (res.status !== 200 || !cookie) throw new Error(`demo sign-in failed: ${res.status}`);
  return { cookie };
}

async function authenticatedGet(url: string, database: string, rows: Row[]) {
  const headers = await signInDemoAdmin(url);
  await load(`${url}/api/session`, headers, 50, 1000); // warm-up
  const r = await load(`${url}/api/session`, headers, 50, LOAD_SECONDS * 1000);
  rows.push(
    summarise(
      'GET /api/session, 50 connections',
      database,
      'ms',
      r.latencies,
      'p99 ≤ 10 ms',
      `${Math.round(r.latencies.length / r.seconds)} req/s, ${r.errors} errors`,
    ),
  );
}

/** Restarts on an existing database (time to ready, idle RSS), then the latency run on the last one. */
async function restartsAndLoad(env: Record<string, string | undefined>, db: string, rows: Row[]) {
  const restarts: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < RESTARTS; i++) {
    const s = await startServer(env);
    restarts.push(s.readyMs);
    await new Promise((r) => setTimeout(r, 2000));
    rss.push(await rssMb(s.child.pid!));
    if (i === RESTARTS - 1) await authenticatedGet(s.url, db, rows);
    await s.stop();
  }
  rows.push(summarise('restart → ready (existing database)', db, 'ms', restarts, '≤ 3000 ms'));
  rows.push(summarise('idle RSS 2 s after start', db, 'MB', rss, '≤ 200 MB'));
}

async function embedded(rows: Row[]) {
  const db = 'PGlite';
  const firstStarts: number[] = [];
  let keepDir = '';
  for (let i = 0; i < FIRST_STARTS; i++) {
    const dir = mkdtempSync(path.join(tmpdir(), 'harbour-bench-'));
    const s = await startServer({
      HARBOUR_DATA_DIR: dir,
      PORT,
      HARBOUR_DEMO: 'true',
      DATABASE_URL: undefined,
    });
    firstStarts.push(s.readyMs);
    await s.stop();
    if (i === 0) keepDir = dir;
    else rmSync(dir, { recursive: true, force: true });
  }
  rows.push(summarise('first start with demo data → ready', db, 'ms', firstStarts, '≤ 20000 ms'));

  await restartsAndLoad({ HARBOUR_DATA_DIR: keepDir, PORT, DATABASE_URL: undefined }, db, rows);
  rmSync(keepDir, { recursive: true, force: true });
}

async function postgres(rows: Row[], url: string) {
  const db = 'PostgreSQL';
  const dir = mkdtempSync(path.join(tmpdir(), 'harbour-bench-pg-'));
  const env = { HARBOUR_DATA_DIR: dir, PORT, DATABASE_URL: url, HARBOUR_DEMO: 'true' };
  // The first start of this database loads the demo data; restarts are measured after it.
  const first = await startServer(env);
  await first.stop();
  rows.push(
    summarise('first start (demo data if the database is empty)', db, 'ms', [first.readyMs], '≤ 20000 ms'),
  );
  await restartsAndLoad(env, db, rows);
  rmSync(dir, { recursive: true, force: true });
}

// Measure what `npm start` runs: the bundled server.
execFileSync('npm', ['run', '-s', 'build:server'], { stdio: 'inherit' });
const rows: Row[] = [];
await embedded(rows);
if (process.env.DATABASE_URL) await postgres(rows, process.env.DATABASE_URL);
else
  console.log(
    '(DATABASE_URL not set: PostgreSQL rows skipped; `eval "$(scripts/pg-throwaway.sh start)"` first.)',
  );
console.log('');
printTable(rows);
// The live queue: chat latency at 100 and 500 conversations, durable intake (a few minutes).
if (!process.env.BENCH_SKIP_QUEUE) await import('./live-queue.js');
// Channels: call and SMS webhook-to-queue latency, e-mail intake over SMTP (BENCH_SKIP_CHANNELS=1 skips).
if (!process.env.BENCH_SKIP_CHANNELS) await import('./channels.js');
// Cases: opening a busy case, search over 200k cases with permission filters (BENCH_SKIP_CASES=1 skips).
if (!process.env.BENCH_SKIP_CASES) await import('./cases.js');
if (process.env.BENCH_DIRECTORY_SEARCH) await import('./directory-search.js'); // 100k services: minutes to generate
