#!/usr/bin/env node
// `npm start`: builds what is missing or stale (the staff console, the server bundle), then runs the server.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newest(dir) {
  if (!existsSync(dir)) return 0;
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const stale = (output, ...sources) =>
  !existsSync(output) ||
  Math.max(...sources.map((s) => newest(path.join(root, s)))) > statSync(output).mtimeMs;
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const production = process.env.NODE_ENV === 'production';
const consoleIndex = path.join(root, 'dist/console/index.html');
const serverBundle = path.join(root, 'dist/server/main.js');
if (!production || !existsSync(consoleIndex)) {
  if (stale(consoleIndex, 'src/web', 'src/shared')) {
    console.log('Building the staff console…');
    run('npm', ['run', '-s', 'build:web']);
  }
}
if (!production || !existsSync(serverBundle)) {
  if (stale(serverBundle, 'src/server', 'src/shared')) run('npm', ['run', '-s', 'build:server']);
}
// Run the server in this very process, so signals (Ctrl-C, SIGTERM) reach its graceful shutdown.
await import(pathToFileURL(serverBundle).href);
