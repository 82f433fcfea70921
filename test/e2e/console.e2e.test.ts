import { existsSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarbourApp } from '../../src/server/app.js';
import { organization, schedule, service, users } from '../../src/server/db/schema.js';
import { totpNow } from '../../src/server/modules/identity/identity.service.js';
import { testApp } from '../helpers/app.js';
import { axeViolations, launchChromium } from '../helpers/browser.js';
import { testDatabase } from '../helpers/db.js';
import { createUser, type TestUser } from '../helpers/factories.js';

const CONSOLE = path.resolve('dist/console/index.html');

let harbour: HarbourApp;
let browser: Browser;
let base: string;

beforeAll(async () => {
  if (!existsSync(CONSOLE))
    throw new Error('The console is not built: run `npm run build:web` (npm test does).');
  harbour = await testApp();
  await harbour.app.listen({ port: 0, host: '127.0.0.1' });
  const address = harbour.app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await harbour?.app.close();
});

/** Password, then the current TOTP code; waits for the home page. */
async function signIn(
  page: Page,
  user: TestUser,
  labels = { email: 'Email', password: 'Password', signIn: 'Sign in' },
) {
  await page.goto(`${base}/console/`);
  await page.getByLabel(labels.email).fill(user.email);
  await page.getByLabel(labels.password, { exact: true }).fill(user.password);
  await page.getByRole('button', { name: labels.signIn, exact: true }).click();
  await page.locator('input[autocomplete="one-time-code"]').fill(totpNow(user.totpSecret!));
  await page.keyboard.press('Enter');
  await page
    .getByRole('heading', { level: 1 })
    .filter({ hasText: /Welcome|Bienvenue/ })
    .waitFor({ timeout: 15_000 });
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

  it('lets a partner propose opening hours that a manager reviews in French and applies', async () => {
    const db = (await testDatabase()).db;
    const tag = Math.random().toString(16).slice(2, 8);
    const [org] = await db
      .insert(organization)
      .values({ name: `Refuge Horaires ${tag} (fictional)`, organizationType: 'service_provider' })
      .returning();
    const [svc] = await db
      .insert(service)
      .values({ organizationId: org!.id, name: `Drop-in ${tag} (fictional)` })
      .returning();
    await db.insert(schedule).values({
      serviceId: svc!.id,
      freq: 'WEEKLY',
      byday: 'MO,TU,WE,TH,FR',
      opensAt: '09:00',
      closesAt: '17:00',
      timezone: 'America/Toronto',
    });
    const partner = await createUser(db, { role: 'partner', mfa: true, organizationId: org!.id });
    const context = await browser.newContext({ locale: 'en-CA' });
    const page = await context.newPage();
    await signIn(page, partner);
    await page.goto(`${base}/console/directory/proposals`);
    await page.getByRole('button', { name: `Propose opening hours for ${svc!.name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Opening hours: ${svc!.name}` });
    await dialog.waitFor();
    const friday = dialog.getByRole('group', { name: 'Friday' });
    const saturday = dialog.getByRole('group', { name: 'Saturday' });
    await friday.getByRole('button', { name: 'Remove period 1 on Friday' }).click();
    await saturday.getByRole('button', { name: 'Add hours on Saturday' }).click();
    await saturday.getByLabel('Opens').fill('10:00');
    await saturday.getByLabel('Closes').fill('14:00');
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Send for review' }).click();
    await page.getByRole('status').filter({ hasText: 'Sent for review' }).waitFor();
    const waiting = page.getByRole('listitem').filter({ hasText: `Opening hours — ${svc!.name}` });
    await waiting.getByRole('rowheader', { name: 'Saturday' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // The same hours again: refused, and the reason is announced in the form.
    await page.getByRole('button', { name: `Propose opening hours for ${svc!.name}` }).click();
    await dialog
      .getByRole('group', { name: 'Friday' })
      .getByRole('button', { name: 'Remove period 1 on Friday' })
      .click();
    await dialog
      .getByRole('group', { name: 'Saturday' })
      .getByRole('button', { name: 'Add hours on Saturday' })
      .click();
    await dialog.getByRole('group', { name: 'Saturday' }).getByLabel('Opens').fill('10:00');
    await dialog.getByRole('group', { name: 'Saturday' }).getByLabel('Closes').fill('14:00');
    await dialog.getByRole('button', { name: 'Send for review' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'already waiting for review' }).waitFor();
    await context.close();

    const manager = await createUser(db, { role: 'directory_manager', mfa: true, locale: 'fr-CA' });
    const fr = await browser.newContext({ locale: 'fr-CA' });
    const review = await fr.newPage();
    await signIn(review, manager, { email: 'Courriel', password: 'Mot de passe', signIn: 'Se connecter' });
    await review.goto(`${base}/console/directory/proposals`);
    const card = review.getByRole('listitem').filter({ hasText: `Heures d’ouverture — ${org!.name}` });
    const samedi = card.getByRole('row', { name: /^Samedi/ });
    await samedi.waitFor({ timeout: 15_000 });
    expect(await samedi.textContent()).toMatch(/Fermé[\s\S]*10\sh\s00\s–\s14\sh\s00/);
    expect(await card.getByRole('row', { name: /^Vendredi/ }).textContent()).toMatch(
      /9\sh\s00\s–\s17\sh\s00[\s\S]*Fermé/,
    );
    expect(await axeViolations(review)).toEqual([]);
    await card.getByRole('button', { name: 'Approuver et appliquer' }).click();
    await review.getByRole('status').filter({ hasText: 'approuvée' }).waitFor();
    const rows = await db.select().from(schedule).where(eq(schedule.serviceId, svc!.id));
    expect(rows.map((r) => [r.byday, r.opensAt, r.closesAt]).sort()).toEqual([
      ['MO,TU,WE,TH', '09:00', '17:00'],
      ['SA', '10:00', '14:00'],
    ]);
    await fr.close();
  });
});
