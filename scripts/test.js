#!/usr/bin/env node
// `npm test`: Harbour's test runner wrapper (plain Node, no dependencies).
//
//   npm test                          # whole suite on embedded PGlite
//   npm test -- src/server/x.test.ts  # extra args go to `vitest run`
//   DATABASE_URL=postgres://... npm test   # same suite on a real PostgreSQL
//
// Steps: preflight (Chromium for the browser tests; PostgreSQL answering when
// DATABASE_URL is set) -> build the console when dist/console is stale ->
// `vitest run` -> one closing line `Tests: N passed, N failed`.
// Exit code: vitest's; non-zero as well when no test ran. See docs/testing.md.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const PG_HELP =
  'Start a throwaway cluster with:  eval "$(scripts/pg-throwaway.sh start)"\n' +
  '(stop it later with scripts/pg-throwaway.sh stop), or unset DATABASE_URL to use embedded PGlite.';

function say(msg) {
  process.stdout.write(`[harbour test] ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`\n[harbour test] ERROR: ${msg}\n\n`);
  process.exit(1);
}

function onPath(cmd) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

// ---------------------------------------------------------------- Chromium

function ensureChromium() {
  const custom = process.env.HARBOUR_CHROMIUM;
  if (custom) {
    if (!existsSync(custom)) {
      fail(
        `HARBOUR_CHROMIUM=${custom} does not exist. Point it at a Chromium binary or unset it to use ${DEFAULT_CHROMIUM}.`,
      );
    }
    say(`chromium: ${custom} (HARBOUR_CHROMIUM)`);
    return;
  }
  if (existsSync(DEFAULT_CHROMIUM)) {
    say(`chromium: ${DEFAULT_CHROMIUM}`);
    return;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && onPath('apt-get')) {
    say(
      `${DEFAULT_CHROMIUM} is missing; the browser tests need it. Installing Debian's chromium (apt-get)...`,
    );
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const opts = { stdio: ['ignore', 'inherit', 'inherit'], env };
    const update = spawnSync('apt-get', ['update'], opts);
    const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', 'chromium'], opts) : update;
    if (install.status !== 0 || !existsSync(DEFAULT_CHROMIUM)) {
      fail(
        `installing chromium with apt-get failed. Try by hand: apt-get update && apt-get install -y chromium`,
      );
    }
    say(`chromium: installed ${DEFAULT_CHROMIUM}`);
    return;
  }
  fail(
    `Chromium is needed by the browser tests and ${DEFAULT_CHROMIUM} is missing.\n` +
      'Install it with:\n\n    sudo apt-get update && sudo apt-get install -y chromium\n\n' +
      'or set HARBOUR_CHROMIUM=/path/to/chromium.',
  );
}

// ---------------------------------------------------------------- database

/** Describe DATABASE_URL without credentials: host:port/db. */
function describeDb(raw) {
  try {
    const u = new URL(raw);
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    const port = u.port || '5432';
    const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || '(default db)';
    return { host, port: Number(port), db, label: `PostgreSQL ${host}:${port}/${db}` };
  } catch {
    return null;
  }
}

function tcpAnswers(host, port, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const sock = createConnection({ host, port });
    const done = (ok, why) => {
      sock.destroy();
      resolve({ ok, why });
    };
    sock.setTimeout(timeoutMs, () => done(false, 'timed out'));
    sock.once('connect', () => done(true));
    sock.once('error', (e) => done(false, e.code ?? e.message));
  });
}

async function checkDatabase(url) {
  const d = describeDb(url);
  if (!d) fail(`DATABASE_URL is not a valid URL (expected postgres://user@host:port/db).\n${PG_HELP}`);
  if (onPath('psql')) {
    const r = spawnSync('psql', ['-X', '-w', '-q', '-At', '-c', 'select 1', url], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PGCONNECT_TIMEOUT: '5' },
      encoding: 'utf8',
      timeout: 20000,
    });
    if (r.status !== 0) {
      const why = (r.stderr || r.error?.message || 'no answer').trim().replaceAll(url, '<DATABASE_URL>');
      fail(
        `the PostgreSQL server in DATABASE_URL (${d.host}:${d.port}/${d.db}) does not answer:\n  ${why}\n${PG_HELP}`,
      );
    }
  } else {
    const r = await tcpAnswers(d.host, d.port);
    if (!r.ok) {
      fail(`nothing answers at ${d.host}:${d.port} (DATABASE_URL): ${r.why}\n${PG_HELP}`);
    }
  }
  return d.label;
}

// ---------------------------------------------------------------- console build

function newestMtime(dir) {
  let newest = 0;
  let newestPath = null;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = newestMtime(p);
      if (sub.mtime > newest) ({ mtime: newest, path: newestPath } = sub);
    } else if (entry.isFile()) {
      const m = statSync(p).mtimeMs;
      if (m > newest) {
        newest = m;
        newestPath = p;
      }
    }
  }
  return { mtime: newest, path: newestPath };
}

function ensureConsoleBuilt() {
  const webDir = join(root, 'src', 'web');
  const index = join(root, 'dist', 'console', 'index.html');
  if (!existsSync(webDir)) {
    say('console: src/web not found, skipping the console build');
    return;
  }
  let reason = null;
  if (!existsSync(index)) {
    reason = 'dist/console/index.html is missing';
  } else {
    const built = statSync(index).mtimeMs;
    const src = newestMtime(webDir);
    if (src.mtime > built) reason = `${src.path.slice(root.length + 1)} is newer than the build`;
  }
  if (!reason) {
    say('console: dist/console is up to date');
    return;
  }
  say(`console: building (${reason}): npm run build:web`);
  const started = Date.now();
  const r = spawnSync('npm', ['run', 'build:web'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0)
    fail('the console build (npm run build:web) failed; the browser tests need dist/console.');
  if (!existsSync(index)) {
    fail(
      'npm run build:web succeeded but dist/console/index.html was not produced (check src/web/vite.config.ts outDir).',
    );
  }
  say(`console: built in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

// ---------------------------------------------------------------- vitest

function runVitest(args, env) {
  const bin = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const [cmd, pre] = existsSync(bin) ? [process.execPath, [bin]] : ['npx', ['--no-install', 'vitest']];
  if (!existsSync(bin)) say('node_modules/vitest not found (did you run npm ci?); trying npx');
  return new Promise((resolve) => {
    // vitest runs in its own process group, so that a signal reaches its workers and whatever the
    // tests started, and nothing of it outlives this script (vitest alone exits on SIGTERM and
    // leaves a busy worker running).
    const child = spawn(cmd, [...pre, 'run', ...args], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env,
      detached: process.platform !== 'win32',
    });
    const killGroup = (sig) => {
      try {
        if (process.platform !== 'win32') process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        // already gone
      }
    };
    let hardKill = null;
    const forward = (sig) => () => {
      killGroup(sig);
      hardKill ??= setTimeout(() => killGroup('SIGKILL'), 10_000);
    };
    const handlers = { SIGINT: forward('SIGINT'), SIGTERM: forward('SIGTERM'), SIGHUP: forward('SIGHUP') };
    for (const [sig, fn] of Object.entries(handlers)) process.on(sig, fn);
    child.on('error', (e) => fail(`could not start vitest: ${e.message}`));
    child.on('exit', (code, signal) => {
      for (const [sig, fn] of Object.entries(handlers)) process.off(sig, fn);
      if (hardKill) clearTimeout(hardKill);
      // Anything vitest's group left behind (a stuck worker, a server a test forgot) goes too.
      killGroup('SIGKILL');
      resolve({ code, signal });
    });
  });
}

function readReport(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- main

async function main() {
  const userArgs = process.argv.slice(2);
  const env = { ...process.env };
  if (env.DATABASE_URL !== undefined && env.DATABASE_URL.trim() === '') delete env.DATABASE_URL;

  say('preflight');
  ensureChromium();
  const dbLabel = env.DATABASE_URL ? await checkDatabase(env.DATABASE_URL) : 'embedded PGlite';
  say(`database: ${dbLabel}`);
  ensureConsoleBuilt();

  const outDir = mkdtempSync(join(tmpdir(), 'harbour-vitest-'));
  const jsonFile = join(outDir, 'report.json');
  const args = [...userArgs, '--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`];
  const shown = ['vitest run', ...userArgs].join(' ');
  say(`running: ${shown} (database: ${dbLabel})`);
  const started = Date.now();
  const { code, signal } = await runVitest(args, env);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const report = readReport(jsonFile);
  rmSync(outDir, { recursive: true, force: true });

  let exitCode = signal
    ? 128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGKILL: 9 }[signal] ?? 1)
    : (code ?? 1);
  if (!report) {
    say(`vitest ended (${signal ?? `exit ${code}`}) after ${seconds}s without writing its JSON report`);
    process.exit(exitCode || 1);
  }
  const passed = report.numPassedTests ?? 0;
  // Files that failed outside any test (import error, failing beforeAll...) count as failures too.
  const brokenFiles = (report.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  );
  const failed = (report.numFailedTests ?? 0) + brokenFiles.length;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);

  if (brokenFiles.length > 0) {
    say(`${brokenFiles.length} test file(s) failed outside a test (counted as failed):`);
    for (const f of brokenFiles)
      say(`  ${f.name.startsWith(root) ? f.name.slice(root.length + 1) : f.name}: ${f.message || 'error'}`);
  }
  if (failed > 0 && exitCode === 0) exitCode = 1;
  if (passed + failed === 0) {
    say('no test ran: check the file filter or the vitest config');
    if (exitCode === 0) exitCode = 1;
  }
  say(
    `${dbLabel}: ${report.numTotalTests ?? 0} tests in ${report.testResults?.length ?? 0} files, ` +
      `${skipped} skipped/todo, ${seconds}s, exit ${exitCode}`,
  );
  process.stdout.write(`Tests: ${passed} passed, ${failed} failed\n`);
  process.exit(exitCode);
}

main().catch((e) => fail(e?.stack ?? String(e)));
