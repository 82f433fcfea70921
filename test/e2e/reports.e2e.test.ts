import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  caseFile,
  casePerson,
  organization,
  referral,
  screening,
  signal,
} from '../../src/server/db/schema.js';
import type { Db } from '../../src/server/platform/db.js';
import { fiscalYearPresets } from '../../src/web/console/reports/period.js';
import { axeViolations } from '../helpers/browser.js';
import { type ConsoleE2e, signIn, startConsole } from '../helpers/console-e2e.js';
import { createUser } from '../helpers/factories.js';

// The Reports page in a real browser against a real Harbour: a supervisor opens it (the current fiscal year), picks
// last fiscal year (both tables fill from fictional data), narrows to a custom period (the counts follow, the
// address keeps the period), and switches to French; declined / unknown / not asked show as their own rows. axe
// finds nothing in either language. An advocate meets the "not available for your role" page.

const ZONE = 'America/Toronto';

let browser: Browser;
let base: string;
let e2e: ConsoleE2e | undefined;
let db: Db;

// Last fiscal year (the second preset) holds the data; May of its first year is the custom period.
// Today in the browser's zone (the page computes its presets there), not in the zone of the machine running Node.
const today = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date());
const last = fiscalYearPresets(today)[1]!;
const MAY = `${last.start}-05`;
const FEB = `${last.start + 1}-02`;

beforeAll(async () => {
  e2e = await startConsole({ timeZone: ZONE });
  ({ db, base, browser } = e2e);
  await seed();
});
afterAll(async () => {
  await e2e?.close();
});

const rnd = () => Math.random().toString(36).slice(2, 6).toUpperCase();

/** Fictional figures: 6 referrals in May + 1 in February; 2 screenings in May + 1 in February; 2 people. */
async function seed() {
  const [org] = await db
    .insert(organization)
    .values({ name: 'Test Shelter (fictional)', jurisdiction: ['ON'] })
    .returning();
  const [c] = await db
    .insert(caseFile)
    .values({ reference: `HC-E${rnd()}-${rnd()}` })
    .returning();
  const needs = [
    'shelter_housing',
    'shelter_housing',
    'shelter_housing',
    'counselling',
    'counselling',
    'case_management',
  ];
  await db.insert(referral).values([
    ...needs.map((need) => ({
      caseId: c!.id,
      need,
      organizationId: org!.id,
      createdAt: new Date(`${MAY}-12T16:00:00Z`),
    })),
    { caseId: c!.id, need: 'legal', organizationId: org!.id, createdAt: new Date(`${FEB}-10T16:00:00Z`) },
  ]);
  const screened = async (
    at: string,
    s: { safety: string | null; classification: string; needs: string[] },
  ) => {
    const [row] = await db
      .insert(signal)
      .values({
        reference: `HB-E${rnd()}-${rnd()}`,
        channel: 'chat',
        language: 'en',
        state: 'ended',
        arrivedAt: new Date(at),
      })
      .returning();
    await db.insert(screening).values({ signalId: row!.id, ...s });
  };
  await screened(`${MAY}-12T16:00:00Z`, {
    safety: 'safe_now',
    classification: 'trafficking',
    needs: ['shelter_housing'],
  });
  await screened(`${MAY}-13T16:00:00Z`, {
    safety: 'declined',
    classification: 'trafficking',
    needs: ['declined'],
  });
  await screened(`${FEB}-10T16:00:00Z`, { safety: null, classification: 'not_trafficking', needs: [] });
  await db.insert(casePerson).values([
    {
      caseId: c!.id,
      role: 'potential_victim',
      gender: 'feminine',
      ageBand: '18_24',
      exploitationTypes: ['sex'],
      createdAt: new Date(`${MAY}-12T16:00:00Z`),
    },
    {
      caseId: c!.id,
      role: 'potential_victim',
      gender: 'unknown',
      exploitationTypes: [],
      createdAt: new Date(`${FEB}-10T16:00:00Z`),
    },
  ]);
}

/** The cells of a table row whose header is `head`, as text. */
async function rowOf(page: Page, table: string, head: string): Promise<string[]> {
  const row = page
    .getByRole('table', { name: table })
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: head, exact: true }) });
  return (await row.getByRole('cell').allInnerTexts()).map((s) => s.trim());
}

describe('the Reports page in a real browser', () => {
  it('shows referral needs and screening answers for a fiscal year or a custom period, in EN and FR', {
    timeout: 180_000,
  }, async () => {
    const supervisor = await createUser(db, { role: 'supervisor', mfa: true });
    const context = await browser.newContext({ locale: 'en-CA', timezoneId: ZONE });
    const page = await context.newPage();
    await signIn(page, base, supervisor);
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Referral needs' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Screening answers' }).waitFor();
    // The current fiscal year by default: nothing seeded there.
    const current = fiscalYearPresets(today)[0]!;
    await expect
      .poll(() =>
        page
          .getByRole('link', { name: /Fiscal year/ })
          .first()
          .getAttribute('aria-current'),
      )
      .toBe('page');
    await page.getByText('No referral was made in this period.').waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'Figures from' }).textContent()).toContain(
      `April 1, ${current.start}`,
    );
    expect(await axeViolations(page)).toEqual([]);

    // Last fiscal year: both tables fill; the address keeps the period.
    const label = `${last.start}-${String(last.start + 1).slice(2)}`;
    await page.getByRole('link', { name: `Fiscal year ${label}` }).click();
    await page.getByRole('table', { name: 'Referrals by need' }).waitFor();
    expect(new URL(page.url()).search).toBe(`?from=${last.from}&to=${last.to}`);
    expect(await rowOf(page, 'Referrals by need', 'Shelter or housing')).toEqual(['3', '42.9%']);
    expect(await rowOf(page, 'Referrals by need', 'Legal help')).toEqual(['1', '14.3%']);
    expect(await rowOf(page, 'Referrals by need', 'Total')).toEqual(['7', '100.0%']);
    // Sorted by count, largest first.
    const heads = await page
      .getByRole('table', { name: 'Referrals by need' })
      .locator('tbody')
      .getByRole('rowheader')
      .allInnerTexts();
    expect(heads).toEqual(['Shelter or housing', 'Counselling', 'Case management', 'Legal help']);

    const safety = 'Safety: answers in 3 screenings';
    expect(await rowOf(page, safety, 'Safe to talk now')).toEqual(['1', '33.3%']);
    expect(await rowOf(page, safety, 'Declined to say')).toEqual(['1', '33.3%']);
    expect(await rowOf(page, safety, 'Unknown')).toEqual(['0', '0.0%']);
    expect(await rowOf(page, safety, 'Not asked')).toEqual(['1', '33.3%']);
    expect(await rowOf(page, 'Needs: answers in 3 screenings', 'Not asked')).toEqual(['1', '33.3%']);
    const gender = 'Gender of the people recorded in the period, by role';
    expect((await rowOf(page, gender, 'Woman'))[0]).toBe('1');
    expect((await rowOf(page, gender, 'Unknown'))[0]).toBe('1');
    expect((await rowOf(page, gender, 'Declined to say'))[0]).toBe('0');
    expect(await axeViolations(page)).toEqual([]);

    // A custom period: May only.
    await page.getByLabel('From').fill(`${MAY}-01`);
    await page.getByLabel('To (included)').fill(`${MAY}-31`);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('table', { name: 'Safety: answers in 2 screenings' }).waitFor();
    expect(new URL(page.url()).search).toBe(`?from=${MAY}-01&to=${MAY}-31`);
    expect(await rowOf(page, 'Referrals by need', 'Total')).toEqual(['6', '100.0%']);
    expect(await rowOf(page, 'Referrals by need', 'Shelter or housing')).toEqual(['3', '50.0%']);
    expect(await page.locator('.report-presets a[aria-current="page"]').count()).toBe(0);
    // A reversed period is refused on the spot, in words.
    await page.getByLabel('From').fill(`${MAY}-31`);
    await page.getByLabel('To (included)').fill(`${MAY}-01`);
    await page.getByRole('button', { name: 'Show' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'The start date must be on or before the end date.' })
      .waitFor();
    expect(new URL(page.url()).search).toBe(`?from=${MAY}-01&to=${MAY}-31`);

    // In French.
    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByRole('heading', { level: 1, name: 'Rapports' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Besoins des références' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Réponses au dépistage' }).waitFor();
    await page.getByRole('rowheader', { name: 'Préfère ne pas répondre' }).first().waitFor();
    await page.getByRole('link', { name: `Exercice ${last.start}-${last.start + 1}` }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // A bookmarked link with an impossible period says so, and asks for nothing.
    await page.goto(`${base}/console/reports?from=${MAY}-31&to=${MAY}-01`);
    await page.getByRole('alert').filter({ hasText: 'La période indiquée dans l’adresse' }).waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
    await context.close();
  });

  it('is not available to an advocate', { timeout: 60_000 }, async () => {
    const advocate = await createUser(db, { role: 'advocate', mfa: true });
    const context = await browser.newContext({ locale: 'en-CA', timezoneId: ZONE });
    const page = await context.newPage();
    await signIn(page, base, advocate);
    expect(await page.getByRole('link', { name: 'Reports', exact: true }).count()).toBe(0);
    await page.goto(`${base}/console/reports`);
    await page.getByRole('heading', { level: 1, name: 'Not available for your role' }).waitFor();
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
