import { existsSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { eq } from 'drizzle-orm';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarbourApp } from '../../src/server/app.js';
import { users } from '../../src/server/db/schema.js';
import { totpNow } from '../../src/server/modules/identity/identity.service.js';
import { testApp } from '../helpers/app.js';
import { testDatabase } from '../helpers/db.js';
import { createUser } from '../helpers/factories.js';

const CHROMIUM = process.env.HARBOUR_CHROMIUM ?? '/usr/bin/chromium';
const CONSOLE = path.resolve('dist/console/index.html');

let harbour: HarbourApp;
let browser: Browser;
let base: string;

beforeAll(async () => {
  if (!existsSync(CONSOLE))
    throw new Error('The console is not built: run `npm run build:web` (npm test does).');
  if (!existsSync(CHROMIUM))
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (npm test does, as root).`);
  harbour = await testApp();
  await harbour.app.listen({ port: 0, host: '127.0.0.1' });
  const address = harbour.app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await harbour?.app.close();
});

async function axeViolations(page: Page) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

describe('staff console in a real browser', () => {
  it('signs in with password + TOTP, switches to French, and has no axe violations', async () => {
    const db = (await testDatabase()).db;
    const user = await createUser(db, { role: 'admin', mfa: true });
    const context = await browser.newContext({ locale: 'en-CA' });
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });

    await page.goto(`${base}/console/`);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in to Harbour' }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    await page.getByLabel('Authentication code').fill(totpNow(user.totpSecret!));
    await page.getByRole('button', { name: 'Verify' }).click();

    const welcome = page.getByRole('heading', { name: /^Welcome, / });
    await welcome.waitFor({ timeout: 15_000 });
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByRole('heading', { name: /^Bienvenue/ }).waitFor({ timeout: 10_000 });
    expect(await page.getAttribute('html', 'lang')).toBe('fr-CA');
    expect(await axeViolations(page)).toEqual([]);

    // The choice is saved in the profile, so server messages follow it.
    await expect
      .poll(async () => (await db.select().from(users).where(eq(users.id, user.id)))[0]?.locale)
      .toBe('fr-CA');
    expect(cspErrors).toEqual([]);
    await context.close();
  });
});
