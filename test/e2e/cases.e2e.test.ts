import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarbourApp } from '../../src/server/app.js';
import {
  caseAccessGrant,
  caseNote,
  screening,
  signal,
  team,
  teamMember,
  users,
} from '../../src/server/db/schema.js';
import { contactHash } from '../../src/server/modules/channels/contact.js';
import { createSignalsService } from '../../src/server/modules/queue/signals.service.js';
import { publish } from '../../src/server/platform/bus.js';
import type { Db } from '../../src/server/platform/db.js';
import { TEST_KEY } from '../helpers/app.js';
import { axeViolations } from '../helpers/browser.js';
import { type ConsoleE2e, signIn, startConsole } from '../helpers/console-e2e.js';
import { createUser, sessionFor, type TestUser } from '../helpers/factories.js';

// Screening and cases in the console (issue 6), in a real browser against a real Harbour: an advocate screens a
// text conversation (not safe to talk → a safety plan), creates a case from it, records a person with "declined"
// and an age range, adds a note that looks like markup (shown as text), and call-backs inside and outside the
// plan's safe time; someone from another team meets the break-glass dialog on a restricted case. axe finds
// nothing, in English and in French.

const ZONE = 'America/Toronto';

let harbour: HarbourApp;
let browser: Browser;
let base: string;
let e2e: ConsoleE2e | undefined;
let db: Db;
let signals: ReturnType<typeof createSignalsService>;

beforeAll(async () => {
  e2e = await startConsole();
  ({ harbour, db, base, browser } = e2e);
  signals = createSignalsService({ db, encryptionKey: TEST_KEY });
});
afterAll(async () => {
  await e2e?.close();
});

const fictionalNumber = () => `+1555010${String(1000 + Math.floor(Math.random() * 8999)).slice(-4)}`;

/** A text conversation the advocate has answered (as an accepted offer leaves it). */
async function activeSms(advocate: TestUser, address: string) {
  const row = await signals.arrive({
    channel: 'sms',
    language: 'en',
    interpreterLanguage: null,
    state: 'queued',
    contactHash: contactHash(TEST_KEY, address),
    address,
    hotlineAddress: '+15550100000',
    campaign: null,
    windowEndsAt: null,
    firstMessage: { clientId: `SM${randomBytes(16).toString('hex')}`, text: 'I need to talk (fictional).' },
  });
  const answeredAt = new Date(Date.now() - 5000);
  const [updated] = await db
    .update(signal)
    .set({ state: 'active', assignedUserId: advocate.id, firstOfferedAt: answeredAt, answeredAt })
    .where(eq(signal.id, row.id))
    .returning();
  await publish(db, { topic: 'signal', id: row.id, state: 'active' });
  return updated!;
}

/** Tomorrow's date on the wall clock of `zone` (YYYY-MM-DD). */
function tomorrowIn(zone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(Date.now() + 86_400_000));
  return parts;
}

/** Picks an option of a React Aria select (its button is named by value and label) inside `scope`. */
async function choose(page: Page, scope: Locator, label: RegExp, option: string) {
  await scope.getByRole('button', { name: label }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

describe('screening and cases in a real browser', () => {
  it('screens a conversation, opens a case, records a person, a note and call-backs, in EN and FR', {
    timeout: 180_000,
  }, async () => {
    const advocate = await createUser(db, { role: 'advocate', mfa: true });
    const number = fictionalNumber();
    const sms = await activeSms(advocate, number);
    const context = await browser.newContext({ locale: 'en-CA', timezoneId: ZONE });
    const page = await context.newPage();
    const alerts: string[] = [];
    page.on('dialog', async (d) => {
      alerts.push(d.message());
      await d.dismiss();
    });
    await signIn(page, base, advocate);
    await page.goto(`${base}/console/queue?c=${sms.id}`);
    await page.getByRole('heading', { level: 2, name: `Text message ${sms.reference}` }).waitFor();

    // Safety first: not safe to talk now → the safety plan.
    const screen = page.getByRole('region', { name: 'Screening' });
    await screen.getByRole('radio', { name: 'Not safe to talk now' }).check({ force: true });
    await screen.getByRole('group', { name: 'Safety plan' }).waitFor();
    await screen.getByRole('button', { name: 'Add a safe time' }).click();
    const days = screen.getByRole('group', { name: 'Days (safe time 1)' });
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'])
      await days.getByRole('checkbox', { name: day }).check({ force: true });
    // A wrong time is caught before saving, in an error summary that points at the field.
    await screen.getByRole('textbox', { name: 'From (safe time 1)' }).fill('9h');
    await screen.getByRole('textbox', { name: 'To (safe time 1)' }).fill('17:00');
    await screen.getByRole('radio', { name: 'Indicators (early stage)' }).check({ force: true });
    await screen.getByRole('button', { name: 'Save screening' }).click();
    const summary = screen.locator('.error-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toContain('Safe time 1');
    await expect.poll(() => summary.evaluate((el) => el === document.activeElement)).toBe(true);
    await screen.getByRole('textbox', { name: 'From (safe time 1)' }).fill('09:00');
    await screen
      .getByRole('radiogroup', { name: 'Is the number they used safe to call back?' })
      .getByRole('radio', { name: 'Yes' })
      .check({ force: true });
    await screen
      .getByRole('radiogroup', { name: 'May we leave a voicemail?' })
      .getByRole('radio', { name: 'Declined to say' })
      .check({ force: true });
    await screen.getByRole('textbox', { name: 'Code word' }).fill('blue umbrella (fictional)');
    expect(await axeViolations(page)).toEqual([]);
    await screen.getByRole('button', { name: 'Save screening' }).click();
    await screen.getByText('Screening saved.').waitFor();
    const [stored] = await db.select().from(screening).where(eq(screening.signalId, sms.id));
    expect(stored?.safety).toBe('unsafe');
    expect(stored?.classification).toBe('indicators_early_stage');
    expect(JSON.stringify(stored)).not.toContain('blue umbrella');
    // The number the person used is never on the screen.
    expect(await page.locator('main').textContent()).not.toContain(number);

    // Create a case from the conversation.
    const panel = page.getByRole('region', { name: 'Case' });
    await panel.getByRole('button', { name: 'Create a case' }).click();
    await panel.getByRole('textbox', { name: 'Keywords' }).fill('nail salon, fictional');
    await panel.getByRole('button', { name: 'Create the case' }).click();
    const caseLink = panel.getByRole('link', { name: /^Case HC-/ });
    await caseLink.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    const reference = ((await caseLink.textContent()) ?? '').replace('Case ', '').trim();
    await caseLink.click();
    await page.getByRole('heading', { level: 1, name: `Case ${reference}` }).waitFor();
    expect(await page.getByRole('region', { name: 'Contacts' }).textContent()).toContain(sms.reference);

    // A person: gender declined, an age range instead of an age.
    await page.getByRole('button', { name: 'Add a person' }).click();
    const personDialog = page.getByRole('dialog', { name: 'Add a person' });
    await personDialog.waitFor();
    await choose(page, personDialog, /Role/, 'Potential victim');
    await personDialog
      .getByRole('radiogroup', { name: 'Gender' })
      .getByRole('radio', { name: 'Declined to say' })
      .check({ force: true });
    await personDialog
      .getByRole('radiogroup', { name: 'Age range' })
      .getByRole('radio', { name: '25 to 34' })
      .check({ force: true });
    // Markers are exclusive in a list: choosing "Unknown" clears the codes.
    const control = personDialog.getByRole('group', { name: 'Means of control' });
    await control.getByRole('checkbox', { name: 'Debt bondage' }).check({ force: true });
    await control.getByRole('checkbox', { name: 'Unknown' }).check({ force: true });
    expect(await control.getByRole('checkbox', { name: 'Debt bondage' }).isChecked()).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    await personDialog.getByRole('button', { name: 'Save person' }).click();
    await personDialog.waitFor({ state: 'detached' });
    const people = page.getByRole('region', { name: 'People' });
    const card = people.getByRole('listitem').filter({ hasText: 'Potential victim' });
    await card.waitFor();
    expect(await card.textContent()).toContain('GenderDeclined to say');
    expect(await card.textContent()).toContain('Age25 to 34');
    expect(await card.textContent()).toContain('Means of controlUnknown');

    // A note that looks like markup is stored and shown as typed, never run.
    const hostile = '<img src=x onerror=alert(1)>';
    await page.getByRole('textbox', { name: 'New note' }).fill(hostile);
    await page.getByRole('button', { name: 'Add note' }).click();
    const timeline = page.getByRole('region', { name: 'Notes and timeline' });
    const note = timeline.locator('.note-body').filter({ hasText: hostile });
    await note.waitFor();
    expect(await note.textContent()).toBe(hostile);
    expect(await page.locator('main img').count()).toBe(0);
    expect(alerts).toEqual([]);
    const notes = await db.select().from(caseNote);
    expect(JSON.stringify(notes)).not.toContain('onerror');

    // Call-backs: inside the plan's safe time it is saved; outside, the refusal says why.
    const tasks = page.getByRole('region', { name: 'Tasks and call-backs' });
    await tasks.getByRole('radio', { name: 'Call-back' }).check({ force: true });
    await tasks.getByText('Safe times to call (America/Toronto):').waitFor();
    await choose(page, tasks, /Number to call/, 'The number they contacted us from');
    await tasks.getByRole('textbox', { name: 'What to do' }).fill('Check in (fictional)');
    await tasks.getByRole('textbox', { name: 'Due date' }).fill(tomorrowIn(ZONE));
    await tasks.getByRole('textbox', { name: 'Time' }).fill('10:00');
    await tasks.getByRole('button', { name: 'Add call-back' }).click();
    await tasks.getByRole('listitem').filter({ hasText: 'Check in (fictional)' }).waitFor();
    expect(await tasks.textContent()).toContain('No voicemail');

    await tasks.getByRole('textbox', { name: 'What to do' }).fill('Late call (fictional)');
    await tasks.getByRole('textbox', { name: 'Due date' }).fill(tomorrowIn(ZONE));
    await tasks.getByRole('textbox', { name: 'Time' }).fill('22:00');
    await tasks.getByRole('button', { name: 'Add call-back' }).click();
    const refused = tasks.locator('.callback-error');
    await refused.waitFor();
    expect(await refused.textContent()).toContain('This call-back was not saved.');
    expect(await refused.textContent()).toContain('outside the safe times');
    expect(await tasks.getByRole('listitem').filter({ hasText: 'Late call (fictional)' }).count()).toBe(0);
    expect(await page.locator('main').textContent()).not.toContain(number);
    expect(await axeViolations(page)).toEqual([]);

    // The same case in French.
    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByRole('heading', { level: 1, name: `Dossier ${reference}` }).waitFor();
    await page
      .getByRole('region', { name: 'Personnes' })
      .getByText('Préfère ne pas répondre')
      .first()
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // And the conversation with its screening.
    await page.goto(`${base}/console/queue?c=${sms.id}`);
    await page.getByRole('heading', { level: 2, name: `Texto ${sms.reference}` }).waitFor();
    await page
      .getByRole('region', { name: 'Dépistage' })
      .getByRole('group', { name: 'Plan de sécurité' })
      .waitFor();
    await page
      .getByRole('region', { name: 'Dossier' })
      .getByRole('link', { name: `Dossier ${reference}` })
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('shows the emergency prompt, and another person’s save (409) with who made it, then loads their version', {
    timeout: 120_000,
  }, async () => {
    const advocate = await createUser(db, { role: 'advocate', mfa: true });
    const supervisor = await createUser(db, { role: 'supervisor' });
    const sms = await activeSms(advocate, fictionalNumber());
    const context = await browser.newContext({ locale: 'en-CA', timezoneId: ZONE });
    const page = await context.newPage();
    await signIn(page, base, advocate);
    await page.goto(`${base}/console/queue?c=${sms.id}`);
    await page.getByRole('heading', { level: 2, name: `Text message ${sms.reference}` }).waitFor();
    const screen = page.getByRole('region', { name: 'Screening' });
    await screen.getByRole('radio', { name: 'In immediate danger' }).waitFor();

    // Meanwhile a supervisor records a classification.
    const session = await sessionFor(db, supervisor);
    const theirs = await harbour.app.inject({
      method: 'PUT',
      url: `/api/signals/${sms.id}/screening`,
      headers: { ...session.headers, 'if-match': '0' },
      payload: { classification: 'trafficking' },
    });
    expect(theirs.statusCode).toBe(200);

    // Immediate danger: the emergency prompt, prominent, with 911.
    await screen.getByRole('radio', { name: 'In immediate danger' }).check({ force: true });
    const prompt = screen.locator('.emergency-prompt');
    await prompt.waitFor();
    expect(await prompt.textContent()).toContain('911');
    expect(await prompt.getAttribute('role')).toBe('alert');
    await screen.getByRole('radio', { name: 'Other crisis' }).check({ force: true });
    await screen.getByRole('button', { name: 'Save screening' }).click();

    // 409: who saved, what they saved; nothing of mine was written.
    const conflict = screen
      .locator('.notice-warning')
      .filter({ hasText: 'Someone else saved this meanwhile.' });
    await conflict.waitFor();
    const name = (await db.select().from(users).where(eq(users.id, supervisor.id)))[0]!.displayName;
    expect(await conflict.textContent()).toContain(`Changed by ${name}.`);
    expect(await conflict.textContent()).toContain('Now: Trafficking');
    await expect.poll(() => conflict.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    const [between] = await db.select().from(screening).where(eq(screening.signalId, sms.id));
    expect(between?.safety).toBeNull();
    expect(between?.emergencyPromptedAt).toBeNull();

    // Load theirs: their classification is shown; my safety answer is theirs too (none).
    await conflict.getByRole('button', { name: 'Load their version' }).click();
    await expect
      .poll(() => screen.getByRole('radio', { name: 'Trafficking', exact: true }).isChecked())
      .toBe(true);
    expect(await screen.getByRole('radio', { name: 'In immediate danger' }).isChecked()).toBe(false);
    await screen.getByRole('radio', { name: 'In immediate danger' }).check({ force: true });
    await screen.getByRole('button', { name: 'Save screening' }).click();
    await screen.getByText('Screening saved.').waitFor();
    const [after] = await db.select().from(screening).where(eq(screening.signalId, sms.id));
    expect(after?.safety).toBe('immediate_danger');
    expect(after?.classification).toBe('trafficking');
    expect(after?.emergencyPromptedAt).not.toBeNull();
    expect(await prompt.textContent()).toContain('The emergency prompt is recorded on this contact.');

    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByRole('region', { name: 'Dépistage' }).locator('.emergency-prompt').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('asks for a protocol waiver when a case with a minor closes before child protection is done', {
    timeout: 90_000,
  }, async () => {
    const advocate = await createUser(db, { role: 'advocate', mfa: true });
    const session = await sessionFor(db, advocate);
    const created = await harbour.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: session.headers,
      payload: { keywords: ['fictional'] },
    });
    const detail = created.json() as { id: string; reference: string };
    const person = await harbour.app.inject({
      method: 'POST',
      url: `/api/cases/${detail.id}/people`,
      headers: session.headers,
      payload: { role: 'potential_victim', age_band: '16_17', gender: 'unknown' },
    });
    expect(person.statusCode).toBe(201);

    const context = await browser.newContext({ locale: 'en-CA', timezoneId: ZONE });
    const page = await context.newPage();
    await signIn(page, base, advocate);
    await page.goto(`${base}/console/cases/${detail.id}`);
    await page.getByRole('heading', { level: 1, name: `Case ${detail.reference}` }).waitFor();
    expect(await page.locator('.case-header').textContent()).toContain('Minor involved');
    await page.getByRole('button', { name: 'Close case…' }).click();
    const dialog = page.getByRole('alertdialog', { name: `Close case ${detail.reference}?` });
    await dialog.waitFor();
    await dialog.getByRole('radio', { name: 'Lost contact' }).check({ force: true });
    await dialog.getByRole('button', { name: 'Close the case' }).click();
    // Refused (409 CASE_PROTOCOL_PENDING): the reason is asked for, in words.
    await dialog.getByText('child-protection protocol must be completed', { exact: false }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Close the case' }).click();
    await dialog.getByText('Write why the case closes without completing the protocol.').waitFor();
    await dialog
      .getByRole('textbox', { name: 'Reason for closing without completing the protocol' })
      .fill('Person moved out of province; local agency informed by phone (fictional).');
    await dialog.getByRole('button', { name: 'Close the case' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('.case-header').getByText('Closed', { exact: true }).first().waitFor();
    await page
      .getByText('Person moved out of province; local agency informed by phone (fictional).')
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByRole('heading', { level: 1, name: `Dossier ${detail.reference}` }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('shows a case changed meanwhile (409): who changed it and what, then loads it', {
    timeout: 90_000,
  }, async () => {
    const advocate = await createUser(db, { role: 'advocate', mfa: true });
    const colleague = await createUser(db, { role: 'supervisor' });
    const mine = await sessionFor(db, advocate);
    const sms = await activeSms(advocate, fictionalNumber());
    const created = await harbour.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: mine.headers,
      payload: { title: 'First title (fictional)', signal_id: sms.id },
    });
    expect(created.statusCode).toBe(201);
    const detail = created.json() as { id: string; reference: string; version: number };

    const context = await browser.newContext({ locale: 'en-CA', timezoneId: ZONE });
    const page = await context.newPage();
    await signIn(page, base, advocate);
    await page.goto(`${base}/console/cases/${detail.id}`);
    await page.getByRole('heading', { level: 1, name: `Case ${detail.reference}` }).waitFor();
    await page.getByText('First title (fictional)').waitFor();

    const theirs = await sessionFor(db, colleague);
    const patched = await harbour.app.inject({
      method: 'PATCH',
      url: `/api/cases/${detail.id}`,
      headers: { ...theirs.headers, 'if-match': String(detail.version) },
      payload: { title: 'Their title (fictional)' },
    });
    expect(patched.statusCode).toBe(200);

    await page.getByRole('button', { name: 'Edit details' }).click();
    const dialog = page.getByRole('dialog', { name: 'Case details' });
    await dialog.getByRole('textbox', { name: 'Keywords' }).fill('my keyword');
    await dialog.getByRole('button', { name: 'Save details' }).click();
    const conflict = dialog.locator('.conflict-notice');
    await conflict.waitFor();
    const name = (await db.select().from(users).where(eq(users.id, colleague.id)))[0]!.displayName;
    expect(await conflict.textContent()).toContain(`Changed by ${name}.`);
    expect(await conflict.textContent()).toContain('Now: Their title (fictional)');
    expect(await axeViolations(page)).toEqual([]);
    await conflict.getByRole('button', { name: 'Load their version' }).click();
    expect(await dialog.getByRole('textbox', { name: 'Title (optional)' }).inputValue()).toBe(
      'Their title (fictional)',
    );
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.case-header').getByText('Their title (fictional)').waitFor();

    // A contact attached by mistake is detached after a confirmation.
    const contacts = page.getByRole('region', { name: 'Contacts' });
    await contacts.getByRole('button', { name: `Detach ${sms.reference}` }).click();
    const confirm = page.getByRole('alertdialog', {
      name: `Detach contact ${sms.reference} from this case?`,
    });
    await confirm.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await confirm.getByRole('button', { name: 'Detach the contact' }).click();
    await contacts.getByText('No contact is attached to this case.').waitFor();
    await context.close();
  });

  it('shows the break-glass dialog to someone outside the team of a restricted case', {
    timeout: 90_000,
  }, async () => {
    const owner = await createUser(db, { role: 'advocate', mfa: true });
    const outsider = await createUser(db, { role: 'advocate', mfa: true });
    const [unit] = await db
      .insert(team)
      .values({ name: `Team (fictional) ${randomBytes(3).toString('hex')}` })
      .returning();
    await db.insert(teamMember).values({ teamId: unit!.id, userId: owner.id });
    const session = await sessionFor(db, owner);
    const created = await harbour.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: session.headers,
      payload: { keywords: ['fictional'], restricted_team_id: unit!.id },
    });
    expect(created.statusCode).toBe(201);
    const restricted = created.json() as { id: string; reference: string };

    const context = await browser.newContext({ locale: 'en-CA', timezoneId: ZONE });
    const page = await context.newPage();
    await signIn(page, base, outsider);
    // The list never shows it; an exact reference says it exists and offers to open it with a reason.
    await page.goto(`${base}/console/cases?reference=${restricted.reference}`);
    await page.getByRole('heading', { level: 1, name: 'Cases' }).waitFor();
    await page.getByText(`Case ${restricted.reference} exists but is restricted to a team.`).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // Straight to the case: 403 CASE_RESTRICTED → the dialog, focus inside it.
    await page.goto(`${base}/console/cases/${restricted.id}`);
    const dialog = page.getByRole('alertdialog', { name: `Open restricted case ${restricted.reference}?` });
    await dialog.waitFor();
    await expect.poll(() => dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    await dialog.getByRole('button', { name: 'Open the case' }).click();
    await dialog.getByText('Choose a reason to open this case.').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // Keyboard only: arrows move between reasons, Enter presses the button.
    await dialog.getByRole('radio', { name: 'Imminent danger' }).focus();
    await page.keyboard.press('ArrowDown');
    await expect
      .poll(() => dialog.getByRole('radio', { name: 'Covering for the team' }).isChecked())
      .toBe(true);
    await dialog.getByRole('textbox', { name: 'Note (optional)' }).fill('Night shift cover (fictional)');
    await dialog.getByRole('button', { name: 'Open the case' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: `Case ${restricted.reference}` }).waitFor();
    await page.getByText('You opened this restricted case with a reason.', { exact: false }).waitFor();
    const grants = await db.select().from(caseAccessGrant).where(eq(caseAccessGrant.userId, outsider.id));
    expect(grants).toHaveLength(1);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByRole('heading', { level: 1, name: `Dossier ${restricted.reference}` }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
