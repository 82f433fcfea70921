import { eq } from 'drizzle-orm';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarbourApp } from '../../src/server/app.js';
import { caseTask, team, teamMember, users } from '../../src/server/db/schema.js';
import type { Db } from '../../src/server/platform/db.js';
import { axeViolations } from '../helpers/browser.js';
import { type ConsoleE2e, signIn, startConsole } from '../helpers/console-e2e.js';
import { createUser, sessionFor, type TestUser } from '../helpers/factories.js';

// Giving a task to a colleague, in a real browser against a real Harbour (docs/api/cases.md "Assignees"): the
// "Assign to" list offers only the people who open the case without break-glass (on a restricted case, its team),
// a task goes to a colleague, is reassigned, and another person's reassignment meanwhile shows as a conflict
// (409) with who made it. axe finds nothing, in English and in French. Its own database: the list is exact.

const ZONE = 'America/Toronto';

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

const nameOf = async (user: TestUser) =>
  (await db.select().from(users).where(eq(users.id, user.id)))[0]!.displayName;

async function api(user: TestUser, method: 'POST' | 'PATCH', url: string, payload: object, ifMatch?: number) {
  const session = await sessionFor(db, user);
  const res = await harbour.app.inject({
    method,
    url,
    headers: { ...session.headers, ...(ifMatch !== undefined ? { 'if-match': String(ifMatch) } : {}) },
    payload,
  });
  return { status: res.statusCode, body: res.json() };
}

/** Tomorrow's date on the wall clock of `zone` (YYYY-MM-DD). */
const tomorrowIn = (zone: string) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(Date.now() + 86_400_000));

/** The option names of a React Aria select (its button is named by its label and value) inside `scope`. */
async function optionsOf(page: Page, scope: Locator, label: RegExp): Promise<string[]> {
  await scope.getByRole('button', { name: label }).click();
  const list = page.getByRole('listbox');
  await list.waitFor();
  const names = await list.getByRole('option').allTextContents();
  await page.keyboard.press('Escape');
  await list.waitFor({ state: 'detached' });
  return names;
}

async function choose(page: Page, scope: Locator, label: RegExp, option: string) {
  await scope.getByRole('button', { name: label }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

describe('assigning tasks in a real browser', () => {
  it('a task for a colleague, reassigned, a reassignment meanwhile shown as a conflict; EN and FR', {
    timeout: 180_000,
  }, async () => {
    const advocate = await createUser(db, { role: 'advocate', mfa: true });
    const colleague = await createUser(db, { role: 'advocate' });
    const supervisor = await createUser(db, { role: 'supervisor' });
    const outsider = await createUser(db, { role: 'advocate' });
    await createUser(db, { role: 'advocate', disabled: true });
    await createUser(db, { role: 'partner' });
    const advocateName = await nameOf(advocate);
    const colleagueName = await nameOf(colleague);
    const supervisorName = await nameOf(supervisor);
    const outsiderName = await nameOf(outsider);
    // A case restricted to a team without the outsider.
    const [t] = await db.insert(team).values({ name: 'Assign Team (fictional)' }).returning();
    await db
      .insert(teamMember)
      .values([advocate, colleague, supervisor].map((u) => ({ teamId: t!.id, userId: u.id })));
    const created = await api(advocate, 'POST', '/api/cases', {
      keywords: ['assign e2e, fictional'],
      restricted_team_id: t!.id,
    });
    expect(created.status).toBe(201);
    const c = created.body;

    const context = await browser.newContext({ locale: 'en-CA', timezoneId: ZONE });
    const page = await context.newPage();
    await signIn(page, base, advocate);
    await page.goto(`${base}/console/cases/${c.id}`);
    await page.getByRole('heading', { level: 1, name: `Case ${c.reference}` }).waitFor();
    const tasks = page.getByRole('region', { name: 'Tasks and call-backs' });

    // "Assign to": me by default; only the team's active advocates and supervisors, by name.
    await tasks.getByRole('button', { name: /Assign to/ }).waitFor();
    await expect
      .poll(() => optionsOf(page, tasks, /Assign to/))
      .toEqual(
        [
          { name: advocateName, label: `Me: ${advocateName} (Advocate)` },
          { name: colleagueName, label: `${colleagueName} (Advocate)` },
          { name: supervisorName, label: `${supervisorName} (Supervisor)` },
        ]
          .sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1))
          .map((o) => o.label),
      );
    expect(await tasks.getByRole('button', { name: /Assign to/ }).textContent()).toContain(
      `Me: ${advocateName}`,
    );
    expect(await tasks.textContent()).not.toContain(outsiderName);

    // A task for the colleague.
    await tasks.getByRole('textbox', { name: 'What to do' }).fill('Call the shelter (fictional)');
    await tasks.getByRole('textbox', { name: 'Due date' }).fill(tomorrowIn(ZONE));
    await tasks.getByRole('textbox', { name: 'Time' }).fill('10:00');
    await choose(page, tasks, /Assign to/, `${colleagueName} (Advocate)`);
    expect(await axeViolations(page)).toEqual([]);
    await tasks.getByRole('button', { name: 'Add task' }).click();
    const item = tasks.getByRole('listitem').filter({ hasText: 'Call the shelter (fictional)' });
    await item.getByText(`· assigned to ${colleagueName}`).waitFor();
    const [row] = await db.select().from(caseTask).where(eq(caseTask.caseId, c.id));
    expect(row).toMatchObject({ assigneeId: colleague.id, createdBy: advocate.id, version: 1 });
    // The form is back to "me".
    expect(
      await tasks
        .getByRole('button', { name: /Assign to/ })
        .last()
        .textContent(),
    ).toContain(`Me: ${advocateName}`);

    // Reassign it to the supervisor; focus comes back to the button, the change is announced.
    await item.getByRole('button', { name: 'Reassign: Call the shelter (fictional)' }).click();
    const reassign = item.getByRole('group', { name: 'Reassign: Call the shelter (fictional)' });
    await reassign.waitFor();
    await expect
      .poll(() =>
        reassign.getByRole('button', { name: /Assign to/ }).evaluate((el) => el === document.activeElement),
      )
      .toBe(true);
    await choose(page, reassign, /Assign to/, `${supervisorName} (Supervisor)`);
    expect(await axeViolations(page)).toEqual([]);
    await reassign.getByRole('button', { name: 'Save' }).click();
    await item
      .getByRole('status')
      .filter({ hasText: `Reassigned to ${supervisorName}.` })
      .waitFor();
    await item.getByText(`· assigned to ${supervisorName}`).waitFor();
    await expect
      .poll(() =>
        item
          .getByRole('button', { name: 'Reassign: Call the shelter (fictional)' })
          .evaluate((el) => el === document.activeElement),
      )
      .toBe(true);
    const [moved] = await db.select().from(caseTask).where(eq(caseTask.id, row!.id));
    expect(moved).toMatchObject({ assigneeId: supervisor.id, version: 2 });

    // Meanwhile the colleague gives it back to themselves: my reassignment is a 409 that says who and what.
    const theirs = await api(
      colleague,
      'PATCH',
      `/api/cases/${c.id}/tasks/${row!.id}`,
      { assignee_id: colleague.id },
      2,
    );
    expect(theirs.status).toBe(200);
    await item.getByRole('button', { name: 'Reassign: Call the shelter (fictional)' }).click();
    await choose(page, item, /Assign to/, `Me: ${advocateName} (Advocate)`);
    await item.getByRole('button', { name: 'Save' }).click();
    const conflict = item.locator('.conflict-notice');
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain(`Changed by ${colleagueName}.`);
    expect(await conflict.textContent()).toContain(`It is now assigned to ${colleagueName}.`);
    await expect.poll(() => conflict.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    const [between] = await db.select().from(caseTask).where(eq(caseTask.id, row!.id));
    expect(between).toMatchObject({ assigneeId: colleague.id, version: 3 });
    await conflict.getByRole('button', { name: 'Load their version' }).click();
    await item.getByText(`· assigned to ${colleagueName}`).waitFor();
    // Cancel closes the choice and gives focus back to the button that opened it.
    await item.getByRole('button', { name: 'Cancel' }).click();
    const again = item.getByRole('button', { name: 'Reassign: Call the shelter (fictional)' });
    await expect.poll(() => again.evaluate((el) => el === document.activeElement)).toBe(true);

    // The same in French.
    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByRole('heading', { level: 1, name: `Dossier ${c.reference}` }).waitFor();
    const taches = page.getByRole('region', { name: 'Tâches et rappels' });
    await taches.getByRole('status').filter({ hasText: 'Ajouté.' }).waitFor();
    await taches.getByRole('button', { name: /Assigner à/ }).waitFor();
    expect(await taches.getByRole('button', { name: /Assigner à/ }).textContent()).toContain(
      `Moi : ${advocateName}`,
    );
    const frItem = taches.getByRole('listitem').filter({ hasText: 'Call the shelter (fictional)' });
    await frItem.getByRole('button', { name: 'Réassigner : Call the shelter (fictional)' }).click();
    await frItem.getByRole('group', { name: 'Réassigner : Call the shelter (fictional)' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
