import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarbourApp } from '../../src/server/app.js';
import { signal } from '../../src/server/db/schema.js';
import { createSignalsService } from '../../src/server/modules/queue/signals.service.js';
import { TEST_KEY, testApp } from '../helpers/app.js';
import { axeViolations, launchChromium } from '../helpers/browser.js';
import { testDatabase } from '../helpers/db.js';

// The online report form page (GET/POST /report) in a real browser: accessible in EN and FR (form, error state,
// confirmation), no CSP violation, focus on the error summary, a report stored and its reference shown, and
// Quick exit replacing the page.

const actor = { id: null, label: 'e2e' };

let harbour: HarbourApp;
let browser: Browser;
let base: string;

beforeAll(async () => {
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

async function openPage(lang: 'en' | 'fr') {
  const context = await browser.newContext({ locale: lang === 'fr' ? 'fr-CA' : 'en-CA' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    // The refused post answers 400 by design; the browser logs that status as a console error.
    if (m.type() === 'error' && !/status of 400/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  await context.route('https://www.google.ca/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Google</title><p>neutral</p>' }),
  );
  await page.goto(`${base}/report${lang === 'fr' ? '?lang=fr' : ''}`);
  return { context, page, problems };
}

async function storedReport(reference: string) {
  const db = (await testDatabase()).db;
  const [row] = await db.select().from(signal).where(eq(signal.reference, reference));
  const report = row
    ? await createSignalsService({ db, encryptionKey: TEST_KEY }).readReport(actor, row.id)
    : undefined;
  return { row, report };
}

describe('report form page in a real browser', () => {
  it('in English: an error state with focus on its summary, then sent with contact choices; axe-clean throughout', async () => {
    const { context, page, problems } = await openPage('en');
    try {
      expect(await axeViolations(page)).toEqual([]);
      // The honeypot is out of reach: not in the accessibility tree, not in the tab order.
      expect(await page.getByRole('textbox', { name: 'Leave this field empty' }).count()).toBe(0);

      await page.getByLabel('Where is it happening?').fill('A farm near Leamington (fictional)');
      await page.getByRole('radio', { name: 'Text message' }).check();
      await page.getByRole('button', { name: 'Send the report' }).click();
      await page.waitForURL(`${base}/report?lang=en`);
      // The error state: focus on the summary, each error linked to its field, what was typed kept.
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
      expect(await page.title()).toBe('Error: Report a situation');
      expect(await page.getByLabel('Where is it happening?').inputValue()).toBe(
        'A farm near Leamington (fictional)',
      );
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('link', { name: 'Describe what is happening.' }).click();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('situation');

      await page
        .getByLabel('What is happening?')
        .fill('Workers are not allowed to leave the farm (fictional).');
      await expect.poll(() => page.locator('#situation-count').textContent()).toBe('9,946 characters left');
      await page.getByLabel('Phone number').fill('+1 519 555 0110');
      await page
        .getByRole('group', { name: 'May we leave a message?' })
        .getByRole('radio', { name: 'No' })
        .check();
      await page.getByRole('button', { name: 'Send the report' }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('Thank you, your report was sent');
      const reference = String(await page.locator('#reference').textContent());
      expect(reference).toMatch(/^HB-/);
      expect(await page.content()).not.toContain('Leamington');
      expect(await axeViolations(page)).toEqual([]);

      const { row, report } = await storedReport(reference);
      expect(row).toMatchObject({ channel: 'report', state: 'queued', language: 'en' });
      expect(report).toMatchObject({
        situation: 'Workers are not allowed to leave the farm (fictional).',
        where: 'A farm near Leamington (fictional)',
        contact: { phone: '+1 519 555 0110' },
        safeToContact: { how: 'sms', leaveMessage: false },
      });
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('in French: sent anonymously, the reference shown, axe-clean; Quick exit replaces the page', async () => {
    const { context, page, problems } = await openPage('fr');
    try {
      expect(await page.locator('html').getAttribute('lang')).toBe('fr-CA');
      expect(await axeViolations(page)).toEqual([]);
      await page.getByLabel('Que se passe-t-il?').fill('Une personne semble retenue dans un motel (fictif).');
      await page.getByRole('button', { name: 'Envoyer le signalement' }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('Merci, votre signalement a été envoyé');
      const reference = String(await page.locator('#reference').textContent());
      expect(await axeViolations(page)).toEqual([]);
      const { row, report } = await storedReport(reference);
      expect(row).toMatchObject({ channel: 'report', language: 'fr', contactSealed: null });
      expect(report?.situation).toBe('Une personne semble retenue dans un motel (fictif).');

      await page.getByRole('link', { name: 'Envoyer un autre signalement' }).click();
      await page.getByLabel('Que se passe-t-il?').fill('brouillon (fictif)');
      const historyBefore = await page.evaluate(() => history.length);
      await page.getByRole('link', { name: 'Sortie rapide' }).click();
      await page.waitForURL('https://www.google.ca/');
      expect(await page.evaluate(() => history.length)).toBe(historyBefore);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
