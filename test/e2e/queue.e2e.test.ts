import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HarbourApp } from '../../src/server/app.js';
import { presence, signal } from '../../src/server/db/schema.js';
import type { Db } from '../../src/server/platform/db.js';
import { axeViolations } from '../helpers/browser.js';
import { type ConsoleE2e, signIn, startConsole } from '../helpers/console-e2e.js';
import { createUser, sessionFor } from '../helpers/factories.js';

// The live queue in a real browser: an advocate takes a real visitor chat (the visitor is a `ws` client on
// /chat/ws), messages go both ways, the conversation ends and is wrapped up (with a conflicting save by
// someone else); the supervisor's wallboard. axe finds nothing on each screen, in English and in French.

let harbour: HarbourApp;
let browser: Browser;
let base: string;
let e2e: ConsoleE2e | undefined;
let db: Db;

beforeAll(async () => {
  // Routing offers a signal to whoever is available: on the worker's shared database that includes other
  // tests' advocates, so this file has a database of its own.
  e2e = await startConsole();
  ({ harbour, db, base, browser } = e2e);
});
afterAll(async () => {
  await e2e?.close();
});
// Each test starts with nobody available, whatever an earlier one left behind.
beforeEach(async () => {
  await db.update(presence).set({ status: 'offline' });
});

type Frame = Record<string, unknown> & { type: string };

/** A visitor on the public chat socket, keeping every frame it receives. */
async function visitor(language: 'en' | 'fr') {
  const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/chat/ws`, { origin: base });
  const frames: Frame[] = [];
  socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const next = async (match: (f: Frame) => boolean, what: string, timeoutMs = 15_000): Promise<Frame> => {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      const found = frames.find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(
      `visitor: no ${what} within ${timeoutMs} ms (got ${frames.map((f) => f.type).join(', ')})`,
    );
  };
  const send = (frame: Record<string, unknown>) => socket.send(JSON.stringify(frame));
  send({ type: 'start', language });
  const started = await next((f) => f.type === 'started', 'started frame');
  return { socket, frames, next, send, reference: String(started.reference) };
}

/** Picks an option of a React Aria select by its visible label. */
/**
 * Sets the presence radio and waits until it shows as chosen. A press that lands while the languages just ticked
 * are still being saved can be undone by that save's refetch; the advocate would press again, and so does this.
 */
async function choosePresence(page: Page, name: string) {
  const radio = page.getByRole('radio', { name });
  for (let attempt = 0; attempt < 5; attempt++) {
    await radio.click({ force: true });
    try {
      await expect.poll(() => radio.isChecked(), { timeout: 3000 }).toBe(true);
      return;
    } catch {
      // pressed again below
    }
  }
  throw new Error(`the presence "${name}" could not be chosen`);
}

async function choose(page: Page, label: string, option: string) {
  await page.getByRole('button', { name: new RegExp(label) }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

describe('live queue in a real browser', () => {
  it('a late answer to an earlier presence save does not undo the press that followed it', {
    timeout: 60_000,
  }, async () => {
    const advocate = await createUser(db, { role: 'advocate', mfa: true });
    const context = await browser.newContext({ locale: 'en-CA' });
    const page = await context.newPage();
    await signIn(page, base, advocate);
    await page.goto(`${base}/console/queue`);
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    // The first save (the language) reaches the server at once, but its answer comes back late.
    let first = true;
    await page.route('**/api/presence', async (route) => {
      if (route.request().method() !== 'PUT' || !first) return route.continue();
      first = false;
      const response = await route.fetch();
      await new Promise((r) => setTimeout(r, 1000));
      await route.fulfill({ response });
    });
    await page.getByRole('checkbox', { name: 'French' }).click({ force: true });
    const available = page.getByRole('radio', { name: 'Available' });
    await available.click({ force: true });
    // Watch the choice through the late answer: it never flips back.
    const seen: boolean[] = [];
    for (let i = 0; i < 20; i++) {
      seen.push(await available.isChecked());
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen.every(Boolean), JSON.stringify(seen)).toBe(true);
    expect(first).toBe(false);
    await context.close();
  });

  it('lets an advocate take a visitor chat, talk both ways, end it and wrap it up, in EN and FR', {
    timeout: 150_000,
  }, async () => {
    const advocate = await createUser(db, { role: 'advocate', mfa: true });
    const context = await browser.newContext({ locale: 'en-CA' });
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    await signIn(page, base, advocate);
    await page.getByRole('link', { name: 'Queue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();

    // Take English chats, then become available.
    await page.getByRole('checkbox', { name: 'English' }).check({ force: true });
    await choosePresence(page, 'Available');
    await page.getByText('No offer for you right now.').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // A visitor starts a chat: the offer shows its channel, language, wait and countdown.
    const chat = await visitor('en');
    const accept = page.getByRole('button', { name: 'Accept: Chat, English' });
    await accept.waitFor({ timeout: 45_000 });
    const offers = page.getByRole('region', { name: /^Offers/ });
    expect(await offers.textContent()).toMatch(/Waited \d+ s/);
    expect(await offers.textContent()).toMatch(/\d+ seconds? left to answer/);
    expect(await axeViolations(page)).toEqual([]);
    await accept.click();

    // The conversation opens with focus on its heading.
    const heading = page.getByRole('heading', { level: 2, name: `Chat ${chat.reference}` });
    await heading.waitFor();
    await expect.poll(() => heading.evaluate((el) => el === document.activeElement)).toBe(true);
    await chat.next((f) => f.type === 'status' && f.state === 'connected', 'connected status');

    // Visitor → advocate.
    chat.send({ type: 'message', id: 'v-1', text: 'I need help for a friend (fictional).' });
    await chat.next((f) => f.type === 'ack' && f.id === 'v-1', 'ack');
    const transcript = page.getByRole('log', { name: 'Transcript' });
    const fromVisitor = transcript
      .getByRole('listitem')
      .filter({ hasText: 'I need help for a friend (fictional).' });
    await fromVisitor.waitFor();
    expect(await fromVisitor.textContent()).toContain('Visitor');
    // Shown to the advocate means read: the visitor is told.
    await chat.next((f) => f.type === 'read' && Number(f.seq) >= 1, 'read mark from the advocate');

    // The visitor types: the advocate sees it.
    chat.send({ type: 'typing', on: true });
    await page.getByText('The visitor is typing…').waitFor();

    // Advocate → visitor: Enter sends, Shift+Enter makes a new line.
    const composer = page.getByRole('textbox', { name: 'Message to the visitor' });
    await composer.fill('You are safe to talk here.');
    await chat.next((f) => f.type === 'typing' && f.on === true, 'advocate typing');
    await composer.press('Shift+Enter');
    await composer.pressSequentially('Take your time.');
    await composer.press('Enter');
    const reply = await chat.next(
      (f) => f.type === 'message' && f.from === 'advocate' && String(f.text).includes('Take your time.'),
      'advocate message',
    );
    expect(reply.text).toBe('You are safe to talk here.\nTake your time.');
    expect(await composer.inputValue()).toBe('');
    const mine = transcript.getByRole('listitem').filter({ hasText: 'Take your time.' });
    expect(await mine.textContent()).toContain('You');
    await mine.filter({ hasText: /Sent|Read/ }).waitFor();

    // The visitor reads it: the advocate sees "Read".
    chat.send({ type: 'read', seq: Number(reply.seq) });
    await mine.filter({ hasText: 'Read' }).waitFor();

    // A canned response in English goes into the composer, then out.
    await page.getByRole('button', { name: 'Insert a response' }).click();
    const menu = page.getByRole('menu', { name: 'Insert a response' });
    await menu.waitFor();
    await menu.getByRole('menuitem').first().click();
    await expect.poll(() => composer.inputValue()).not.toBe('');
    const canned = await composer.inputValue();
    await composer.press('Enter');
    await chat.next((f) => f.type === 'message' && f.text === canned, 'canned response');
    expect(await axeViolations(page)).toEqual([]);

    // A second visitor while the first is still talking: several conversations at once; this one goes to a
    // supervisor with a reason, and leaves my list.
    const supervisor = await createUser(db, { role: 'supervisor' });
    const supervisorSession = await sessionFor(db, supervisor);
    const busy = await harbour.app.inject({
      method: 'PUT',
      url: '/api/presence',
      headers: { ...supervisorSession.headers, 'content-type': 'application/json' },
      payload: { status: 'busy', languages: ['en'] },
    });
    expect(busy.statusCode).toBe(200);
    const second = await visitor('en');
    await accept.waitFor({ timeout: 45_000 });
    await accept.click();
    await page.getByRole('heading', { level: 2, name: `Chat ${second.reference}` }).waitFor();
    const mineList = page.getByRole('region', { name: /^My conversations/ });
    await expect.poll(() => mineList.getByRole('link').count()).toBe(2);
    await page.getByRole('button', { name: 'Transfer' }).click();
    const transfer = page.getByRole('dialog', { name: `Transfer ${second.reference}` });
    await transfer
      .getByRole('textbox', { name: 'Reason' })
      .fill('Needs a supervisor’s decision (fictional).');
    expect(await axeViolations(page)).toEqual([]);
    await transfer.getByRole('button', { name: 'Transfer' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${second.reference} was transferred.` })
      .waitFor();
    await expect.poll(() => mineList.getByRole('link').count()).toBe(1);
    const [moved] = await db.select().from(signal).where(eq(signal.reference, second.reference));
    expect(moved?.assignedUserId).toBe(supervisor.id);
    second.socket.close();

    // Back to the first conversation, from the list.
    await mineList.getByRole('link', { name: new RegExp(chat.reference) }).click();
    await page.getByRole('heading', { level: 2, name: `Chat ${chat.reference}` }).waitFor();

    // Now in French: the same screen, the same conversation, no violations either.
    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByRole('heading', { level: 1, name: 'File d’attente' }).waitFor();
    await page.getByRole('heading', { level: 2, name: `Clavardage ${chat.reference}` }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // End the conversation: the visitor is told; the wrap-up takes focus.
    await page.getByRole('button', { name: 'Terminer la conversation' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Terminer la conversation' }).click();
    await chat.next((f) => f.type === 'ended', 'ended frame');
    const wrapUp = page.getByRole('heading', { name: 'Bilan' });
    await wrapUp.waitFor();
    await expect.poll(() => wrapUp.evaluate((el) => el === document.activeElement)).toBe(true);

    await choose(page, 'Qui a communiqué avec nous', 'Victime potentielle');
    await choose(page, 'Province ou territoire', 'Ontario');
    await choose(page, 'Comment la personne a connu la ligne', 'Médias sociaux');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Enregistrer le bilan' }).click();
    await page.getByRole('status').filter({ hasText: 'Bilan enregistré.' }).waitFor();
    const [saved] = await db.select().from(signal).where(eq(signal.reference, chat.reference));
    expect(saved?.callerType).toBe('potential_victim');
    expect(saved?.region).toBe('ON');
    expect(saved?.wrapUpLanguage).toBe('en');
    expect(saved?.heardAbout).toBe('social_media');

    // Someone else corrects the region meanwhile; my next save is refused and shows their change.
    const other = await sessionFor(db, advocate);
    const res = await harbour.app.inject({
      method: 'PUT',
      url: `/api/signals/${saved!.id}/wrap-up`,
      headers: { ...other.headers, 'if-match': String(saved!.version), 'content-type': 'application/json' },
      payload: { caller_type: 'potential_victim', region: 'QC', language: 'en', heard_about: 'social_media' },
    });
    expect(res.statusCode).toBe(200);
    await choose(page, 'Comment la personne a connu la ligne', 'Police');
    await page.getByRole('button', { name: 'Enregistrer le bilan' }).click();
    const conflict = page.getByRole('alert').filter({ hasText: 'Quelqu’un d’autre a enregistré ce bilan' });
    await conflict.waitFor();
    expect(await conflict.textContent()).toMatch(/Province ou territoire[\s\S]*Québec[\s\S]*Ontario/);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Enregistrer mes réponses' }).click();
    await page.getByRole('status').filter({ hasText: 'Bilan enregistré.' }).waitFor();
    const [final] = await db.select().from(signal).where(eq(signal.reference, chat.reference));
    expect(final?.heardAbout).toBe('police');
    expect(final?.region).toBe('ON');

    // Off shift: no other test's visitor is offered to this advocate.
    await page.getByRole('radio', { name: 'Hors ligne' }).check({ force: true });
    await expect.poll(() => page.getByRole('radio', { name: 'Hors ligne' }).isChecked()).toBe(true);
    chat.socket.close();
    expect(cspErrors).toEqual([]);
    await context.close();
  });

  it('tells the advocate when the visitor leaves with the quick exit, keeping focus in a sensible place', {
    timeout: 120_000,
  }, async () => {
    // Signs in from an English browser; the console follows the profile's French.
    const advocate = await createUser(db, { role: 'advocate', mfa: true, locale: 'fr-CA' });
    const context = await browser.newContext({ locale: 'en-CA' });
    const page = await context.newPage();
    await signIn(page, base, advocate);
    await page.goto(`${base}/console/queue`);
    await page.getByRole('heading', { level: 1, name: 'File d’attente' }).waitFor();
    await page.getByRole('checkbox', { name: 'Français' }).check({ force: true });
    await choosePresence(page, 'Disponible');

    const chat = await visitor('fr');
    const accept = page.getByRole('button', { name: /^Accepter\s:\sClavardage, Français/ });
    await accept.waitFor({ timeout: 45_000 });
    await accept.click();
    await page.getByRole('heading', { level: 2, name: `Clavardage ${chat.reference}` }).waitFor();
    const composer = page.getByRole('textbox', { name: 'Message au visiteur' });
    await composer.fill('Je suis là (fictif).');
    expect(await axeViolations(page)).toEqual([]);

    chat.send({ type: 'quick_close' });
    await page
      .getByRole('status')
      .filter({ hasText: 'Le visiteur est parti avec le bouton de sortie rapide.' })
      .waitFor();
    const wrapUp = page.getByRole('heading', { name: 'Bilan' });
    await expect.poll(() => wrapUp.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await composer.count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('radio', { name: 'Hors ligne' }).check({ force: true });
    await expect.poll(() => page.getByRole('radio', { name: 'Hors ligne' }).isChecked()).toBe(true);
    chat.socket.close();
    await context.close();
  });

  it('shows a report from the online form for review, then records it', { timeout: 120_000 }, async () => {
    const advocate = await createUser(db, { role: 'advocate', mfa: true });
    const context = await browser.newContext({ locale: 'en-CA' });
    const page = await context.newPage();
    await signIn(page, base, advocate);
    // Keyboard: g then q opens the queue.
    await page.keyboard.press('g');
    await page.keyboard.press('q');
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    await page.getByRole('checkbox', { name: 'English' }).check({ force: true });
    await choosePresence(page, 'Available');

    const situation = `A neighbour works long hours and never leaves the house alone ${Date.now()} (fictional).`;
    const posted = await harbour.app.inject({
      method: 'POST',
      url: '/api/public/reports',
      payload: { situation, where: 'Winnipeg (fictional)', language: 'en' },
    });
    expect(posted.statusCode).toBe(201);
    const reference = (JSON.parse(posted.body) as { reference: string }).reference;

    // Away from the queue, the navigation still says an offer waits.
    await page.getByRole('link', { name: 'Home' }).click();
    await page.getByRole('link', { name: 'Queue 1 offer waiting for you' }).waitFor({ timeout: 45_000 });
    await page.getByRole('link', { name: /^Queue/ }).click();
    const accept = page.getByRole('button', { name: 'Accept: Online report, English' });
    await accept.waitFor({ timeout: 45_000 });
    await page.getByRole('status').filter({ hasText: 'New offer: Online report, English' }).waitFor();
    await accept.click();
    await page.getByRole('heading', { level: 2, name: `Online report ${reference}` }).waitFor();
    const review = page.getByRole('region', { name: 'Report to review' });
    expect(await review.textContent()).toContain(situation);
    expect(await review.textContent()).toContain('Winnipeg (fictional)');
    expect(await review.textContent()).toContain('Anonymous');
    expect(await page.getByRole('textbox', { name: 'Message to the visitor' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'End review' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'End review' }).click();
    await page.getByRole('heading', { level: 2, name: `Online report ${reference}` }).waitFor();
    await choose(page, 'Who reached out', 'Community member');
    await choose(page, 'Province or territory', 'Manitoba');
    await choose(page, 'How they heard of the hotline', 'Poster or advertisement');
    await page.getByRole('button', { name: 'Save the wrap-up' }).click();
    await page.getByRole('status').filter({ hasText: 'Wrap-up saved.' }).waitFor();
    const [saved] = await db.select().from(signal).where(eq(signal.reference, reference));
    expect(saved?.state).toBe('ended');
    expect(saved?.region).toBe('MB');
    expect(saved?.callerType).toBe('community_member');

    await page.getByRole('radio', { name: 'Offline' }).check({ force: true });
    await expect.poll(() => page.getByRole('radio', { name: 'Offline' }).isChecked()).toBe(true);
    await context.close();
  });

  it('shows the supervisor a live wallboard, without axe violations in EN and FR', {
    timeout: 60_000,
  }, async () => {
    const supervisor = await createUser(db, { role: 'supervisor', mfa: true });
    const context = await browser.newContext({ locale: 'en-CA' });
    const page = await context.newPage();
    // The staff socket goes through a switch the test can turn off, to see the console reconnect.
    let refuse = false;
    const live: { close: () => Promise<void> }[] = [];
    await page.routeWebSocket(/\/api\/ws$/, (ws) => {
      if (refuse) return ws.close({ code: 1011, reason: 'test: server away' });
      ws.connectToServer();
      live.push(ws);
    });
    await signIn(page, base, supervisor);
    await page.getByRole('link', { name: 'Wallboard' }).click();
    await page.getByRole('heading', { level: 1, name: 'Wallboard' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Right now' }).waitFor();
    const figures = await page.locator('.wallboard').textContent();
    expect(figures).toContain('Longest wait');
    expect(figures).toContain('Calls answered within 20 s');
    expect(figures).toContain('Chats answered within 60 s');
    expect(figures).toContain('Available');
    expect(await axeViolations(page)).toEqual([]);

    // A visitor arrives: the waiting figure follows without a reload.
    const before = Number(await page.locator('.figure-value').first().textContent());
    const chat = await visitor('fr');
    await expect
      .poll(async () => Number(await page.locator('.figure-value').first().textContent()), {
        timeout: 15_000,
      })
      .toBeGreaterThan(before);

    // The socket drops: a discreet line says so, and goes away once it is back.
    refuse = true;
    for (const ws of live.splice(0)) await ws.close();
    const reconnecting = page.getByRole('status').filter({ hasText: 'Live updates paused — reconnecting…' });
    await reconnecting.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    refuse = false;
    await reconnecting.waitFor({ state: 'detached', timeout: 15_000 });

    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tableau de bord en direct' }).waitFor();
    expect(await page.locator('.wallboard').textContent()).toContain('Attente la plus longue');
    expect(await axeViolations(page)).toEqual([]);
    chat.send({ type: 'end' });
    chat.socket.close();
    await context.close();
  });
});
