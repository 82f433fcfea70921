import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Database, migrate, openPglite, openPostgres } from '../src/server/platform/db.js';

export const ROOT = path.resolve(import.meta.dirname, '..');

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Row {
  benchmark: string;
  database: string;
  n: number;
  unit: string;
  median: number;
  p95: number;
  p99: number;
  goal: string;
  extra?: string;
}

export function summarise(
  benchmark: string,
  database: string,
  unit: string,
  samples: number[],
  goal: string,
  extra?: string,
): Row {
  return {
    benchmark,
    database,
    n: samples.length,
    unit,
    median: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    goal,
    ...(extra ? { extra } : {}),
  };
}

const fmt = (x: number) =>
  Number.isNaN(x) ? '-' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);

/** A Markdown table, so the output can be pasted into the issue note as it is. */
export function printTable(rows: Row[]) {
  const header = ['benchmark', 'database', 'n', 'unit', 'median', 'p95', 'p99', 'goal', 'notes'];
  const lines = rows.map((r) => [
    r.benchmark,
    r.database,
    String(r.n),
    r.unit,
    fmt(r.median),
    fmt(r.p95),
    fmt(r.p99),
    r.goal,
    r.extra ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const l of lines) console.log(line(l));
}

export interface Started {
  child: ChildProcess;
  url: string;
  /** Milliseconds from spawn to the first 200 from /readyz. */
  readyMs: number;
  stop(): Promise<void>;
}

/** Spawns the real server and polls /readyz until it answers 200. */
export async function startServer(env: Record<string, string | undefined>): Promise<Started> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/server/main.js')], {
    cwd: ROOT,
    // SMTP_PORT=0: the demo's SMTP listener on a free port, never clashing with a running `npm start` (2525).
    env: { ...process.env, LOG_LEVEL: 'warn', SMTP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const url = `http://127.0.0.1:${env.PORT}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${out}`);
    if (performance.now() - t0 > 120_000) throw new Error(`server not ready after 120 s:\n${out}`);
    const ok = await fetch(`${url}/readyz`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const readyMs = performance.now() - t0;
  return {
    child,
    url,
    readyMs,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Resident memory of a process in MB, from /proc. */
export async function rssMb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/**
 * Closed-loop load: `connections` keep-alive connections each send requests back to back for
 * `durationMs`; returns every request's latency in ms (the client is a separate process from the server).
 */
export async function load(
  url: string,
  headers: Record<string, string>,
  connections: number,
  durationMs: number,
): Promise<{ latencies: number[]; errors: number; seconds: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + durationMs;
  const one = () =>
    new Promise<void>((resolve) => {
      const t = performance.now();
      const req = http.get(url, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - t);
          else errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) await one();
    }),
  );
  agent.destroy();
  return { latencies, errors, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Runs a benchmark on a fresh embedded database (unless BENCH_SKIP_PGLITE) and, with DATABASE_URL, on a fresh
 * PostgreSQL database next to it (dropped afterwards), then prints the table. `prepare` fills a migrated database
 * before the server starts; `run` starts the server with `env` and adds its rows.
 */
export async function benchOnBothDatabases<T>(
  name: string,
  prepare: (database: Database) => Promise<T>,
  run: (env: Record<string, string | undefined>, label: string, prepared: T, rows: Row[]) => Promise<void>,
): Promise<void> {
  execFileSync('npm', ['run', '-s', 'build:server'], { stdio: 'inherit' });
  const rows: Row[] = [];
  const fill = async (database: Database) => {
    await migrate(database);
    const prepared = await prepare(database);
    await database.close();
    return prepared;
  };
  if (!process.env.BENCH_SKIP_PGLITE) {
    const dir = mkdtempSync(path.join(tmpdir(), `harbour-bench-${name}-`));
    try {
      const prepared = await fill(await openPglite(path.join(dir, 'pg')));
      await run({ HARBOUR_DATA_DIR: dir, DATABASE_URL: undefined }, 'PGlite', prepared, rows);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const base = process.env.DATABASE_URL;
  if (base) {
    const db = `harbour_bench_${name}_${process.pid}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`create database ${db}`);
    await admin.end();
    const u = new URL(base);
    u.pathname = `/${db}`;
    const dir = mkdtempSync(path.join(tmpdir(), `harbour-bench-${name}-pg-`));
    try {
      const prepared = await fill(await openPostgres(u.toString(), { max: 2 }));
      await run({ HARBOUR_DATA_DIR: dir, DATABASE_URL: u.toString() }, 'PostgreSQL', prepared, rows);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${db} with (force)`);
      await c.end();
    }
  } else console.log('(DATABASE_URL not set: PostgreSQL rows skipped.)');
  console.log('');
  printTable(rows);
}
