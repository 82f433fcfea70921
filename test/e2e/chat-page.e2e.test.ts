import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarbourApp } from '../../src/server/app.js';
import { signal, signalMessage } from '../../src/server/db/schema.js';
import { createSignalsService } from '../../src/server/modules/queue/signals.service.js';
import { TEST_KEY, testApp } from '../helpers/app.js';
import { axeViolations, launchChromium } from '../helpers/browser.js';
import { testDatabase } from '../helpers/db.js';

// The visitor's chat page (GET /chat) in a real browser: accessible in EN and FR, no CSP violation, a message
// sent and acknowledged, an advocate's reply announced in the live log, and Quick exit ending the chat and
// replacing the page with a neutral site.

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
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  // The neutral site of Quick exit, without leaving the test machine.
  await context.route('https://www.google.ca/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Google</title><p>neutral</p>' }),
  );
  await page.goto(`${base}/chat${lang === 'fr' ? '?lang=fr' : ''}`);
  return { context, page, problems };
}

describe('visitor chat page in a real browser', () => {
  it('chats in English: start, send (acknowledged), a reply announced, read; no axe or CSP problems', async () => {
    const db = (await testDatabase()).db;
    const signals = createSignalsService({ db, encryptionKey: TEST_KEY });
    const { context, page, problems } = await openPage('en');
    try {
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Start the chat' }).click();
      await expect.poll(() => page.locator('#reference').textContent()).toMatch(/HB-/);
      const reference = String(await page.locator('#reference').textContent()).match(/HB-[A-Z0-9-]+/)?.[0];
      const [row] = await db
        .select()
        .from(signal)
        .where(eq(signal.reference, String(reference)));
      expect(row?.channel).toBe('chat');

      await page.getByLabel('Your message').fill('I need help for a friend (fictional).');
      await page.getByRole('button', { name: 'Send' }).click();
      const mine = page.locator('#messages li.visitor');
      await expect.poll(() => mine.getAttribute('data-seq')).toBe('1');
      const stored = await db.select().from(signalMessage).where(eq(signalMessage.signalId, row!.id));
      expect(stored).toHaveLength(1);

      await signals.appendMessage({
        signalId: row!.id,
        sender: 'staff',
        clientId: 'e2e-1',
        text: 'Hello, you can talk safely here (fictional).',
      });
      const reply = page.getByRole('log').locator('li.advocate');
      await expect.poll(() => reply.textContent()).toContain('Hello, you can talk safely here (fictional).');
      expect(await reply.textContent()).toContain('Advocate');
      await expect.poll(async () => (await signals.getSignal(row!.id))?.visitorReadSeq).toBe(2);
      expect(await axeViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('in French, Quick exit ends the chat as quick_close and replaces the page', async () => {
    const db = (await testDatabase()).db;
    const { context, page, problems } = await openPage('fr');
    try {
      expect(await page.locator('html').getAttribute('lang')).toBe('fr-CA');
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('button', { name: 'Commencer la conversation' }).click();
      await expect.poll(() => page.locator('#reference').textContent()).toMatch(/HB-/);
      const reference = String(await page.locator('#reference').textContent()).match(/HB-[A-Z0-9-]+/)?.[0];
      const historyBefore = await page.evaluate(() => history.length);
      await page.getByRole('link', { name: 'Sortie rapide' }).click();
      await page.waitForURL('https://www.google.ca/');
      // Replaced, not pushed: Back does not return to the chat.
      expect(await page.evaluate(() => history.length)).toBe(historyBefore);
      await expect
        .poll(async () => {
          const [row] = await db
            .select()
            .from(signal)
            .where(eq(signal.reference, String(reference)));
          return row?.endReason;
        })
        .toBe('quick_close');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
