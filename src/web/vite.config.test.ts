import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import config, { DEV_PROXIED } from './vite.config';

// `npm run dev:web` serves the console from Vite: every server path the console calls must be proxied to the
// Harbour server, or the dev console fails where the built one works (as the /hsds taxonomy terms once did).

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** First path segments of the absolute server paths written in the console's code ('/api/…', `/hsds/…`). */
function calledPrefixes(): Set<string> {
  const found = new Set<string>();
  for (const file of sources(path.resolve('src/web/console'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/[`'"](\/[a-z][a-z0-9_-]*)(?=[/?`'"])/g))
      found.add(m[1]!);
  }
  found.delete('/console'); // the console's own pages
  return found;
}

describe('dev server proxy', () => {
  it('forwards every server path the console calls, /api and /hsds included', () => {
    const proxied = Object.keys(config.server?.proxy ?? {});
    expect(proxied).toEqual([...DEV_PROXIED]);
    expect(proxied).toEqual(expect.arrayContaining(['/api', '/hsds']));
    for (const prefix of calledPrefixes()) expect(proxied, `${prefix} is not proxied`).toContain(prefix);
  });
});
