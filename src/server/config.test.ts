import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'harbour-config-'));
const KEY = Buffer.alloc(32, 7).toString('base64');

describe('configuration from the environment', () => {
  it('defaults: port 8080, ./data, embedded database, demo outside production', () => {
    const config = loadConfig({ HARBOUR_DATA_DIR: dir() });
    expect(config).toMatchObject({ env: 'development', port: 8080, databaseUrl: undefined, demo: true });
  });

  it('generates the encryption key once outside production and keeps it private', () => {
    const dataDir = dir();
    const a = loadConfig({ HARBOUR_DATA_DIR: dataDir });
    const b = loadConfig({ HARBOUR_DATA_DIR: dataDir });
    expect(a.encryptionKey.equals(b.encryptionKey)).toBe(true);
    const file = path.join(dataDir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).HARBOUR_ENCRYPTION_KEY).toBeTruthy();
  });

  it('production: a missing key or public URL is a clear start-up error', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', HARBOUR_PUBLIC_URL: 'https://h.example' })).toThrow(
      /HARBOUR_ENCRYPTION_KEY is required in production/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', HARBOUR_ENCRYPTION_KEY: KEY })).toThrow(
      /HARBOUR_PUBLIC_URL/,
    );
    const ok = loadConfig({
      NODE_ENV: 'production',
      HARBOUR_ENCRYPTION_KEY: KEY,
      HARBOUR_PUBLIC_URL: 'https://h.example',
    });
    expect(ok.demo).toBe(false);
  });

  it('production refuses demo mode', () => {
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        HARBOUR_DEMO: 'true',
        HARBOUR_ENCRYPTION_KEY: KEY,
        HARBOUR_PUBLIC_URL: 'https://h.example',
      }),
    ).toThrow(/demo data and default accounts are refused/);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be a whole number/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres/],
    [{ HARBOUR_ENCRYPTION_KEY: 'short' }, /must be 32 bytes/],
    [{ HARBOUR_DEMO: 'maybe' }, /HARBOUR_DEMO must be true or false/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV must be/],
  ])('rejects %o', (env, message) => {
    expect(() => loadConfig({ HARBOUR_DATA_DIR: dir(), ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ HARBOUR_DATA_DIR: dir(), ...env })).toThrow(message);
  });
});
