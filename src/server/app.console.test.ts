import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../test/helpers/app.js';
import type { HarbourApp } from './app.js';

// The server serves whatever console build is on disk now: `npm run build:web` next to a running server
// (new index.html, new hashed asset names) needs no restart.

let harbour: HarbourApp;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'harbour-console-'));
  harbour = await testApp({ consoleDir: dir });
});
afterAll(async () => {
  await harbour.app.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string) => harbour.app.inject({ method: 'GET', url });

/** Writes a build like Vite's: index.html naming one hashed script. `ageMs` backdates it (a distinct mtime). */
function build(hash: string, ageMs = 0) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  const index = path.join(dir, 'index.html');
  writeFileSync(
    index,
    `<!doctype html><html><head><script type="module" src="/console/assets/index-${hash}.js"></script></head></html>`,
  );
  writeFileSync(path.join(dir, 'assets', `index-${hash}.js`), `console.log('${hash}')`);
  if (ageMs) {
    const at = new Date(Date.now() - ageMs);
    utimesSync(index, at, at);
  }
}

describe('console files', () => {
  it('serves a build made after start-up, then a rebuild, without a restart', async () => {
    rmSync(dir, { recursive: true, force: true });
    const before = await get('/console/');
    expect(before.statusCode).toBe(503);
    expect(before.body).toContain('npm run build:web');

    build('aaaa1111', 60_000);
    const first = await get('/console/directory/search');
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toContain('text/html');
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body).toContain('index-aaaa1111.js');
    const asset = await get('/console/assets/index-aaaa1111.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe("console.log('aaaa1111')");

    build('bbbb2222');
    const second = await get('/console/');
    expect(second.body).toContain('index-bbbb2222.js');
    expect(second.body).not.toContain('aaaa1111');
    expect((await get('/console/assets/index-bbbb2222.js')).statusCode).toBe(200);
    // The old build's asset is gone from disk, so it is gone from the server too.
    expect((await get('/console/assets/index-aaaa1111.js')).statusCode).toBe(404);
  });

  it('serves only files inside the build folder', async () => {
    build('cccc3333');
    writeFileSync(path.join(dir, '.env'), 'SECRET=1');
    writeFileSync(path.join(path.dirname(dir), `outside-${path.basename(dir)}.txt`), 'outside');
    for (const url of [
      '/console/.env',
      `/console/../outside-${path.basename(dir)}.txt`,
      `/console/%2e%2e/outside-${path.basename(dir)}.txt`,
      `/console/assets/..%2f..%2foutside-${path.basename(dir)}.txt`,
      '/console/assets%5c..%5c.env',
      '/console/assets/missing.js',
      '/console//etc/passwd.txt',
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, url).toBeLessThan(500);
      expect(res.body, url).not.toContain('SECRET');
      expect(res.body, url).not.toContain('outside');
    }
    rmSync(path.join(path.dirname(dir), `outside-${path.basename(dir)}.txt`), { force: true });
  });
});
