import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarbourApp } from '../../src/server/app.js';
import { caseTask, screening, users } from '../../src/server/db/schema.js';
import { testSignal } from '../../src/server/modules/cases/cases.helpers.test-support.js';
import { encrypt } from '../../src/server/platform/crypto.js';
import type { Db } from '../../src/server/platform/db.js';
import { TEST_KEY } from '../helpers/app.js';
import { axeViolations } from '../helpers/browser.js';
import { type ConsoleE2e, signIn, startConsole } from '../helpers/console-e2e.js';
import { createUser, sessionFor, type TestUser } from '../helpers/factories.js';

// "My tasks" in a real browser against a real Harbour: an advocate with an overdue call-back whose safety plan no
// longer lists its number, and tasks due later, sees them grouped, never sees the number, marks one done, meets a
// supervisor's reassignment as a conflict (409) with who did it, and an advocate with nothing due sees the empty
// state. axe finds nothing, in English and in French.

const ZONE = 'America/Toronto';
const SAFE_NUMBER = '+15550100188';

let harbour: HarbourApp;
let browser: Browser;
let base: string;
let e2e: ConsoleE2e | undefined;
let db: Db;

beforeAll(async () => {
  e2e = await startConsole();
  ({ harbour, db, base, browser } = e2e);
});
afterAll(async () => {
  await e2e?.close();
});

/** A call through the API as `user` (the data the advocate finds on the page). */
async function asUser(
  user: TestUser,
  method: 'POST' | 'PATCH',
  url: string,
  payload: object,
  version?: number,
) {
  const session = await sessionFor(db, user);
  const res = await harbour.app.inject({
    method,
    url,
    headers: { ...session.headers, ...(version === undefined ? {} : { 'if-match': String(version) }) },
    payload,
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json() as { id: string; reference: string; version: number };
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
// Safe all week (noon to midnight spans midnight and belongs to the day it starts), so any past time is allowed.
const PLAN = {
  safe_times: [
    { days: DAYS, from: '00:00', to: '12:00' },
    { days: DAYS, from: '12:00', to: '00:00' },
  ],
  time_zone: ZONE,
  contact_number_safe: false,
  safe_numbers: [{ label: 'Friend (fictional)', number: SAFE_NUMBER }],
  voicemail_allowed: true,
};

describe('my tasks in a real browser', () => {
  it('groups overdue and later tasks, warns on an unsafe call-back, marks one done, shows a conflict, EN and FR', {
    timeout: 180_000,
  }, async () => {
    const advocate = await createUser(db, { role: 'advocate', mfa: true });
    const supervisor = await createUser(db, { role: 'supervisor' });
    const s = await testSignal(db);
    const created = await asUser(advocate, 'POST', '/api/cases', {
      signal_id: s.id,
      keywords: ['fictional'],
    });
    await db
      .insert(screening)
      .values({ signalId: s.id, safetyPlanSealed: encrypt(TEST_KEY, JSON.stringify(PLAN), s.id) });
    const hour = 3_600_000;
    await asUser(advocate, 'POST', `/api/cases/${created.id}/tasks`, {
      kind: 'call_back',
      signal_id: s.id,
      call_number_ref: 'safe:0',
      title: 'Check in (fictional)',
      due_at: new Date(Date.now() - 3 * hour).toISOString(),
    });
    const shelter = await asUser(advocate, 'POST', `/api/cases/${created.id}/tasks`, {
      kind: 'task',
      title: 'Find a shelter (fictional)',
      due_at: new Date(Date.now() + 72 * hour).toISOString(),
    });
    const list = await asUser(advocate, 'POST', `/api/cases/${created.id}/tasks`, {
      kind: 'task',
      title: 'Send the list (fictional)',
      due_at: new Date(Date.now() + 96 * hour).toISOString(),
    });
    // Afterwards the plan drops the safe number: the call-back is no longer safe.
    await db
      .update(screening)
      .set({
        safetyPlanSealed: encrypt(TEST_KEY, JSON.stringify({ ...PLAN, safe_numbers: [] }), s.id),
      })
      .where(eq(screening.signalId, s.id));

    const context = await browser.newContext({ locale: 'en-CA', timezoneId: ZONE });
    const page = await context.newPage();
    await signIn(page, base, advocate);
    await page.getByRole('navigation').getByRole('link', { name: 'My tasks' }).click();
    await page.getByRole('heading', { level: 1, name: 'My tasks' }).waitFor();

    const overdue = page.getByRole('region', { name: 'Overdue (1)' });
    const item = overdue.getByRole('listitem', { name: 'Check in (fictional)' });
    await item.waitFor();
    expect(await item.textContent()).toContain('Call-back');
    expect(await item.textContent()).toContain('Not a safe time/number now — see the safety plan.');
    expect(await item.textContent()).toContain('No voicemail');
    expect(await item.textContent()).toMatch(/Due .+\(3 h.* ago\)/);
    const caseLink = item.getByRole('link', { name: `Case ${created.reference}` });
    expect(await caseLink.getAttribute('href')).toBe(`/console/cases/${created.id}`);
    const later = page.getByRole('region', { name: 'Later (2)' });
    expect(await later.getByRole('listitem').allTextContents()).toEqual([
      expect.stringContaining('Find a shelter (fictional)'),
      expect.stringContaining('Send the list (fictional)'),
    ]);
    expect(await later.textContent()).toContain('in 3 days');
    expect(await page.getByRole('region', { name: /^Due today/ }).count()).toBe(0);
    // The number to call is never on the screen.
    expect(await page.locator('main').textContent()).not.toContain(SAFE_NUMBER);
    expect(await axeViolations(page)).toEqual([]);

    // Mark one done: said in a status message, gone from the list, stored.
    await later.getByRole('button', { name: 'Mark done: Find a shelter (fictional)' }).click();
    await page.getByRole('status').filter({ hasText: 'Marked done: Find a shelter (fictional).' }).waitFor();
    await page.getByRole('region', { name: 'Later (1)' }).waitFor();
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).evaluate((el) => el === document.activeElement))
      .toBe(true);
    const [stored] = await db.select().from(caseTask).where(eq(caseTask.id, shelter.id));
    expect(stored?.doneAt).not.toBeNull();
    expect(stored?.doneBy).toBe(advocate.id);

    // Meanwhile a supervisor reassigns the other one: my "Mark done" meets their change (409), says who and what.
    await asUser(
      supervisor,
      'PATCH',
      `/api/cases/${created.id}/tasks/${list.id}`,
      { assignee_id: supervisor.id },
      1,
    );
    await page.getByRole('button', { name: 'Mark done: Send the list (fictional)' }).click();
    const conflict = page.locator('.conflict-notice');
    await conflict.waitFor();
    const name = (await db.select().from(users).where(eq(users.id, supervisor.id)))[0]!.displayName;
    expect(await conflict.textContent()).toContain('Someone else saved this meanwhile.');
    expect(await conflict.textContent()).toContain(`Changed by ${name}.`);
    expect(await conflict.textContent()).toContain('Task: Send the list (fictional)');
    expect(await conflict.textContent()).toContain(`It is now assigned to ${name}.`);
    await expect.poll(() => conflict.evaluate((el) => el === document.activeElement)).toBe(true);
    const [theirs] = await db.select().from(caseTask).where(eq(caseTask.id, list.id));
    expect(theirs?.doneAt).toBeNull();
    // The list refreshes: the task is theirs now.
    await page.getByRole('region', { name: /^Later/ }).waitFor({ state: 'detached' });
    expect(await axeViolations(page)).toEqual([]);
    await conflict.getByRole('button', { name: 'Load their version' }).click();
    await conflict.waitFor({ state: 'detached' });
    expect(await page.getByRole('listitem', { name: 'Check in (fictional)' }).count()).toBe(1);

    // In French.
    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByRole('heading', { level: 1, name: 'Mes tâches' }).waitFor();
    const enRetard = page.getByRole('region', { name: 'En retard (1)' });
    await enRetard
      .getByText('Moment ou numéro non sûr maintenant — consultez le plan de sécurité.')
      .waitFor();
    expect(await enRetard.textContent()).toContain('Rappel');
    expect(await enRetard.textContent()).toContain(`Dossier ${created.reference}`);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('nothing due: the empty state, in EN and FR', { timeout: 90_000 }, async () => {
    const advocate = await createUser(db, { role: 'advocate', mfa: true });
    const context = await browser.newContext({ locale: 'en-CA', timezoneId: ZONE });
    const page = await context.newPage();
    await signIn(page, base, advocate);
    await page.goto(`${base}/console/tasks`);
    await page.getByText('Nothing due — new tasks you are assigned appear here.').waitFor();
    expect(await page.locator('main').getByRole('region').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Français' }).click();
    await page
      .getByText(
        'Rien à faire pour l’instant — les nouvelles tâches qui vous sont confiées s’afficheront ici.',
      )
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
