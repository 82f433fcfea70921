#!/usr/bin/env node
// `npm start`: builds the staff console when it is missing or stale, then runs the server.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const index = path.join(root, 'dist/console/index.html');

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const webDir = path.join(root, 'src/web');
const stale = !existsSync(index) || (existsSync(webDir) && newest(webDir) > statSync(index).mtimeMs);
if (stale && process.env.NODE_ENV !== 'production') {
  console.log('Building the staff console…');
  const r = spawnSync('npm', ['run', '-s', 'build:web'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', path.join(root, 'src/server/main.ts'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
process.exit(r.status ?? 1);
