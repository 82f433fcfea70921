import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildApp, type HarbourApp } from '../../src/server/app.js';
import type { Config } from '../../src/server/config.js';
import { totpNow } from '../../src/server/modules/identity/identity.service.js';
import type { Db } from '../../src/server/platform/db.js';
import { testConfig } from './app.js';
import { launchChromium } from './browser.js';
import { isolatedDatabase } from './db.js';
import type { TestUser } from './factories.js';

/** The built staff console the server serves (`npm run build:web`; `npm test` builds it). */
const CONSOLE = path.resolve('dist/console/index.html');

/** A real Harbour on a database of its own, listening on a free local port, and a headless Chromium. */
export interface ConsoleE2e {
  harbour: HarbourApp;
  db: Db;
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  base: string;
  browser: Browser;
  /** Closes the browser and the server, then drops the database. */
  close(): Promise<void>;
}

/**
 * Starts what a staff-console browser test needs: an isolated database (lists on the pages are then exact), the
 * app built with `testConfig(overrides)` and listening, and Chromium. Call it in beforeAll and `close()` in
 * afterAll. If a step fails, what was already started is closed before the error is thrown.
 */
export async function startConsole(overrides: Partial<Config> = {}): Promise<ConsoleE2e> {
  if (!existsSync(CONSOLE))
    throw new Error('The console is not built: run `npm run build:web` (npm test does).');
  const iso = await isolatedDatabase();
  const db = iso.database.db;
  let harbour: HarbourApp | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await harbour?.app.close();
    await iso.drop();
  };
  try {
    harbour = await buildApp({ config: testConfig(overrides), db });
    await harbour.app.ready();
    await harbour.app.listen({ port: 0, host: '127.0.0.1' });
    const address = harbour.app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchChromium();
    return { harbour, db, base, browser, close };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

/** Signs `user` in on the console at `base`: password, then the current TOTP code; waits for the home page. */
export async function signIn(page: Page, base: string, user: TestUser): Promise<void> {
  await page.goto(`${base}/console/`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.locator('input[autocomplete="one-time-code"]').fill(totpNow(user.totpSecret!));
  await page.keyboard.press('Enter');
  await page
    .getByRole('heading', { level: 1 })
    .filter({ hasText: /Welcome|Bienvenue/ })
    .waitFor({ timeout: 15_000 });
}
