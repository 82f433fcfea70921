import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type HarbourApp } from '../../src/server/app.js';
import type { Config } from '../../src/server/config.js';
import { keyring } from '../../src/server/platform/crypto.js';
import { testDatabase } from './db.js';

/** Files a test app writes (the development mail outbox) go to a temporary folder of this worker. */
const TEST_DATA_DIR = mkdtempSync(path.join(tmpdir(), 'harbour-test-data-'));

/**
 * One key for every app of every worker, like the processes of one deployment: on PostgreSQL all test files share one
 * database, so a list may show rows another worker sealed. Not a secret: test data only.
 */
export const TEST_KEY = keyring(createHash('sha256').update('harbour test key (not secret)').digest());

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    env: 'test',
    port: 0,
    host: '127.0.0.1',
    dataDir: TEST_DATA_DIR,
    databaseUrl: undefined,
    encryptionKey: TEST_KEY,
    demo: false,
    publicUrl: 'http://harbour.test',
    logLevel: 'silent',
    sessionIdleMinutes: 30,
    sessionMaxHours: 12,
    signInRateLimit: 100000,
    publicRateLimit: 100000,
    trustProxy: false,
    consoleDir: path.resolve('dist/console'),
    smtpUrl: undefined,
    mailFrom: 'Harbour Test <no-reply@harbour.test>',
    ...overrides,
  };
}

/** A fully built app on the worker's shared database. Close it in afterAll. */
export async function testApp(
  overrides: Partial<Config> = {},
  logStream?: { write(msg: string): void },
): Promise<HarbourApp> {
  const database = await testDatabase();
  const built = await buildApp({
    config: testConfig(overrides),
    db: database.db,
    ...(logStream ? { logStream } : {}),
  });
  await built.app.ready();
  return built;
}

export function json<T = Record<string, unknown>>(res: LightMyRequestResponse): T {
  return JSON.parse(res.body) as T;
}
