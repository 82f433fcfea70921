import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwilioStandin } from '../../src/cli/twilio-standin.js';
import {
  auditLog,
  callParty,
  channelDelivery,
  emailMessage,
  phoneCall,
  type SignalRow,
  signal,
  voiceEndpoint,
} from '../../src/server/db/schema.js';
import { storeAttachment } from '../../src/server/modules/channels/attachments.js';
import { contactHash } from '../../src/server/modules/channels/contact.js';
import { createSignalsService } from '../../src/server/modules/queue/signals.service.js';
import { publish } from '../../src/server/platform/bus.js';
import { encrypt } from '../../src/server/platform/crypto.js';
import type { Db } from '../../src/server/platform/db.js';
import { TEST_KEY } from '../helpers/app.js';
import { axeViolations } from '../helpers/browser.js';
import { type ConsoleE2e, signIn, startConsole } from '../helpers/console-e2e.js';
import { createUser, type TestUser } from '../helpers/factories.js';
import { HOTLINE_EN, HOTLINE_FR, twilioTestSetup } from '../helpers/twilio.js';

// Phone, SMS, WhatsApp and e-mail in the advocate's console (issue 5), in a real browser against a real Harbour
// (REST calls to Twilio go to the local stand-in). The signals are written straight into the database, assigned
// to the signed-in advocate, so nothing here depends on the webhooks. axe finds nothing, in English and French.

let standin: TwilioStandin;
let browser: Browser;
let base: string;
let e2e: ConsoleE2e | undefined;
let db: Db;
let signals: ReturnType<typeof createSignalsService>;

beforeAll(async () => {
  const twilio = await twilioTestSetup();
  standin = twilio.standin;
  e2e = await startConsole(twilio.overrides);
  ({ db, base, browser } = e2e);
  signals = createSignalsService({ db, encryptionKey: TEST_KEY });
});
afterAll(async () => {
  await e2e?.close();
  await standin?.close();
});

/** A fictional 555-01xx number, different for each contact. */
const fictionalNumber = () => `+1555010${String(1000 + Math.floor(Math.random() * 8999)).slice(-4)}`;

/**
 * A signal of `channel` that the advocate has already answered: arrived through the signal store (sealed
 * address, contact hash, hotline number), then made active and assigned, as an accepted offer leaves it.
 */
async function activeSignal(
  advocate: TestUser,
  channel: 'phone' | 'sms' | 'whatsapp' | 'email',
  options: {
    address: string;
    hotline?: string;
    campaign?: string | null;
    first?: string;
    windowEndsAt?: Date | null;
    language?: 'en' | 'fr' | 'other';
    interpreterLanguage?: string | null;
    answeredSecondsAgo?: number;
  },
): Promise<SignalRow> {
  const row = await signals.arrive({
    channel,
    language: options.language ?? 'en',
    interpreterLanguage: options.interpreterLanguage ?? null,
    state: 'queued',
    contactHash: contactHash(TEST_KEY, options.address),
    address: options.address,
    hotlineAddress: options.hotline ?? HOTLINE_EN,
    campaign: options.campaign ?? null,
    windowEndsAt: options.windowEndsAt ?? null,
    ...(options.first
      ? { firstMessage: { clientId: `SM${randomBytes(16).toString('hex')}`, text: options.first } }
      : {}),
  });
  const answeredAt = new Date(Date.now() - (options.answeredSecondsAgo ?? 5) * 1000);
  const [updated] = await db
    .update(signal)
    .set({ state: 'active', assignedUserId: advocate.id, firstOfferedAt: answeredAt, answeredAt })
    .where(eq(signal.id, row.id))
    .returning();
  // As an accepted offer does: the staff socket learns who the signal now belongs to (it caches that).
  await publish(db, { topic: 'signal', id: row.id, state: 'active' });
  return updated!;
}

/** Waits until the outbox has dealt with a delivery (it sends through the stand-in), then sets its outcome. */
async function settleDelivery(
  signalId: string,
  seq: number,
  status: string,
  errorCode: string | null = null,
) {
  const started = Date.now();
  for (;;) {
    const [row] = await db
      .select()
      .from(channelDelivery)
      .where(and(eq(channelDelivery.signalId, signalId), eq(channelDelivery.seq, seq)));
    if (row && row.status !== 'pending' && row.status !== 'sending') break;
    if (Date.now() - started > 15_000) throw new Error(`delivery ${seq} never left the outbox`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await db
    .update(channelDelivery)
    .set({ status: status as 'sent', errorCode })
    .where(and(eq(channelDelivery.signalId, signalId), eq(channelDelivery.seq, seq)));
}

async function openConversation(page: Page, reference: string) {
  const mine = page.getByRole('region', { name: /^My conversations|^Mes conversations/ });
  await mine.getByRole('link', { name: new RegExp(reference) }).click();
  await page.getByRole('heading', { level: 2, name: new RegExp(reference) }).waitFor();
}

describe('channels in the console (real browser)', () => {
  it('works a text-message conversation: delivery statuses (live), attachments, repeat contact, reveal', {
    timeout: 120_000,
  }, async () => {
    const advocate = await createUser(db, { role: 'advocate', mfa: true });
    const number = fictionalNumber();
    // An earlier, ended contact from the same number: this one is a repeat contact.
    const earlier = await activeSignal(advocate, 'sms', { address: number, first: 'Earlier (fictional).' });
    await signals.endSignal(earlier.id, 'completed');
    const sms = await activeSignal(advocate, 'sms', {
      address: number,
      hotline: HOTLINE_FR,
      campaign: 'campagne-test',
      first: 'Is anyone there? (fictional)',
    });
    const staff1 = await signals.appendMessage({
      signalId: sms.id,
      sender: 'staff',
      clientId: 'c-seed-1',
      text: 'Yes, I am here (fictional).',
      authorUserId: advocate.id,
    });
    const staff2 = await signals.appendMessage({
      signalId: sms.id,
      sender: 'staff',
      clientId: 'c-seed-2',
      text: 'Are you safe right now? (fictional)',
      authorUserId: advocate.id,
    });
    await settleDelivery(sms.id, staff1.seq, 'delivered');
    await settleDelivery(sms.id, staff2.seq, 'failed', '30003');
    const photo = await signals.appendMessage({
      signalId: sms.id,
      sender: 'visitor',
      clientId: `SM${randomBytes(16).toString('hex')}`,
      text: 'Here is the photo (fictional).',
    });
    await storeAttachment(db, TEST_KEY, {
      signalId: sms.id,
      seq: photo.seq,
      contentType: 'text/plain',
      filename: 'note-fictional.txt',
      bytes: Buffer.from('A fictional note.\n'),
    });
    await storeAttachment(db, TEST_KEY, {
      signalId: sms.id,
      seq: photo.seq,
      contentType: 'application/x-msdownload',
      filename: 'setup-fictional.exe',
      sizeBytes: 120_000,
      state: 'refused_type',
    });

    const context = await browser.newContext({ locale: 'en-CA', acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, base, advocate);
    await page.goto(`${base}/console/queue`);
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    const mine = page.getByRole('region', { name: /^My conversations/ });
    await mine.getByRole('link', { name: new RegExp(`Text message ${sms.reference}`) }).waitFor();
    await openConversation(page, sms.reference);
    await page.getByRole('heading', { level: 2, name: `Text message ${sms.reference}` }).waitFor();

    // What the channel adds: the hotline number and campaign used, a repeat contact (a count, no number).
    const facts = page.locator('.channel-facts');
    await facts.getByText(HOTLINE_FR).waitFor();
    expect(await facts.textContent()).toContain('campagne-test');
    expect(await facts.textContent()).toContain('Repeat contact: 1 earlier contact');
    expect(await page.locator('main').textContent()).not.toContain(number);

    // Each outgoing message says what the network said, in words; a failure stands out with its code.
    const transcript = page.getByRole('log', { name: 'Transcript' });
    const delivered = transcript.getByRole('listitem').filter({ hasText: 'Yes, I am here (fictional).' });
    await delivered.filter({ hasText: 'Delivered' }).waitFor();
    const failed = transcript.getByRole('listitem').filter({ hasText: 'Are you safe right now?' });
    await failed.filter({ hasText: 'Not delivered (error 30003)' }).waitFor();

    // A status pushed on the staff socket shows without a reload.
    await db
      .update(channelDelivery)
      .set({ status: 'read' })
      .where(and(eq(channelDelivery.signalId, sms.id), eq(channelDelivery.seq, staff1.seq)));
    await publish(db, { topic: 'delivery', signal: sms.id, seq: staff1.seq, status: 'read' });
    await delivered.filter({ hasText: /Read$/ }).waitFor();

    // Attachments: listed with type and size; a kept one is a download link, a refused one says why.
    const withFiles = transcript.getByRole('listitem').filter({ hasText: 'Here is the photo (fictional).' });
    const link = withFiles.getByRole('link', { name: 'Download note-fictional.txt' });
    await link.waitFor();
    expect(await withFiles.textContent()).toContain('text/plain');
    expect(await withFiles.textContent()).toContain('Not kept: this type of file is not accepted.');
    expect(await withFiles.getByRole('link').count()).toBe(1);
    expect(await page.locator('img, iframe, object, embed, video, audio').count()).toBe(0);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('note-fictional.txt');

    // A reply goes out through the outbox and shows its status.
    const composer = page.getByRole('textbox', { name: 'Message to the visitor' });
    await composer.fill('We can talk by text (fictional).');
    await composer.press('Enter');
    await transcript
      .getByRole('listitem')
      .filter({ hasText: 'We can talk by text (fictional).' })
      .filter({ hasText: /Waiting to be sent|Sending…|Sent|Delivered/ })
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // Reveal the number: only with a reason, shown once, audited.
    await page.getByRole('button', { name: 'Reveal number' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Reveal the person’s number?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('recorded in the audit log');
    await dialog.getByRole('button', { name: 'Reveal the number' }).click();
    await dialog
      .getByText('This field is required', { exact: false })
      .or(dialog.locator('.field-error'))
      .first()
      .waitFor();
    expect(await dialog.getByRole('textbox', { name: 'The person’s number' }).count()).toBe(0);
    await dialog.getByRole('radio', { name: 'The person agreed to be called back' }).check({ force: true });
    await dialog
      .getByRole('textbox', { name: 'Note (optional)' })
      .fill('Callback at an agreed time (fictional).');
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Reveal the number' }).click();
    const shown = dialog.getByRole('textbox', { name: 'The person’s number' });
    await shown.waitFor();
    expect(await shown.inputValue()).toBe(number);
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.locator('body').textContent()).not.toContain(number);
    const audits = await db.select().from(auditLog).where(eq(auditLog.actorId, advocate.id));
    expect(JSON.stringify(audits)).toContain('callback_agreed');
    expect(JSON.stringify(audits)).not.toContain(number);

    // The same screen in French.
    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByRole('heading', { level: 2, name: `Texto ${sms.reference}` }).waitFor();
    await failed.filter({ hasText: 'Non remis (erreur 30003)' }).waitFor();
    expect(await facts.textContent()).toContain('Contact répété\u202f: 1 contact précédent');
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('closes the composer when WhatsApp’s reply window has closed, and shows an e-mail’s subject', {
    timeout: 90_000,
  }, async () => {
    const advocate = await createUser(db, { role: 'advocate', mfa: true, locale: 'fr-CA' });
    const whatsapp = await activeSignal(advocate, 'whatsapp', {
      address: fictionalNumber(),
      first: 'Bonjour (fictif).',
      language: 'fr',
      windowEndsAt: new Date(Date.now() - 60_000),
    });
    const address = `person.${randomBytes(3).toString('hex')}@mail.example`;
    const mail = await activeSignal(advocate, 'email', {
      address,
      hotline: 'help@hotline.harbour.example',
      first: 'I would like some information (fictional).',
    });
    await db.insert(emailMessage).values({
      signalId: mail.id,
      messageId: `fictional.${randomBytes(6).toString('hex')}@mail.example`,
      direction: 'in',
      seq: 1,
      subjectSealed: encrypt(TEST_KEY, 'A question about work abroad (fictional)', mail.id),
    });

    // Signs in from an English browser; the console follows the profile's French.
    const context = await browser.newContext({ locale: 'en-CA' });
    const page = await context.newPage();
    await signIn(page, base, advocate);
    await page.goto(`${base}/console/queue`);
    await page.getByRole('heading', { level: 1, name: 'File d’attente' }).waitFor();
    await openConversation(page, whatsapp.reference);
    await page.getByText('WhatsApp ne permet de répondre que dans les 24 heures', { exact: false }).waitFor();
    const composer = page.getByRole('textbox', { name: 'Message au visiteur' });
    expect(await composer.isDisabled()).toBe(true);
    expect(await page.locator('.channel-facts').textContent()).toContain('Fermée');
    expect(await axeViolations(page)).toEqual([]);

    // The window reopens when the person writes again: the composer follows.
    await db
      .update(signal)
      .set({ windowEndsAt: new Date(Date.now() + 3_600_000) })
      .where(eq(signal.id, whatsapp.id));
    await signals.appendMessage({
      signalId: whatsapp.id,
      sender: 'visitor',
      clientId: `SM${randomBytes(16).toString('hex')}`,
      text: 'Encore moi (fictif).',
    });
    await expect.poll(() => composer.isDisabled(), { timeout: 15_000 }).toBe(false);
    expect(await page.locator('.channel-facts').textContent()).toMatch(/Ouverte jusqu’à/);

    // The window closes on the server before the screen knows: the refused message is explained kindly, kept
    // for editing, and the composer closes with the reason.
    await db
      .update(signal)
      .set({ windowEndsAt: new Date(Date.now() - 1000) })
      .where(eq(signal.id, whatsapp.id));
    await composer.fill('Êtes-vous en sécurité ? (fictif)');
    await composer.press('Enter');
    const refused = page
      .getByRole('log', { name: 'Transcription' })
      .getByRole('listitem')
      .filter({ hasText: 'Êtes-vous en sécurité ? (fictif)' });
    await refused
      .filter({ hasText: 'la fenêtre de réponse de 24 heures de WhatsApp était fermée' })
      .waitFor();
    expect(await refused.getByRole('button', { name: 'Renvoyer' }).count()).toBe(0);
    await expect.poll(() => composer.isDisabled(), { timeout: 15_000 }).toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    await openConversation(page, mail.reference);
    await page.getByRole('heading', { level: 2, name: `Courriel ${mail.reference}` }).waitFor();
    await page.getByText('A question about work abroad (fictional)').waitFor();
    expect(await page.locator('.channel-facts').textContent()).toContain('help@hotline.harbour.example');
    expect(await page.getByRole('button', { name: 'Afficher l’adresse' }).count()).toBe(1);
    expect(await page.locator('body').textContent()).not.toContain(address);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 2, name: `Email ${mail.reference}` }).waitFor();
    expect(await page.locator('.channel-facts').textContent()).toContain('Subject');
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('shows a phone call’s card: status, timer, hold, interpreter; answering in the browser fails kindly', {
    timeout: 120_000,
  }, async () => {
    const advocate = await createUser(db, { role: 'advocate', mfa: true });
    const call = await activeSignal(advocate, 'phone', {
      address: fictionalNumber(),
      language: 'other',
      interpreterLanguage: 'es',
      answeredSecondsAgo: 75,
    });
    const callSid = `CA${randomBytes(16).toString('hex')}`;
    await db.insert(phoneCall).values({
      signalId: call.id,
      callSid,
      conferenceSid: `CF${randomBytes(16).toString('hex')}`,
      status: 'in-progress',
      menuDigit: '3',
    });
    await db.insert(callParty).values({
      signalId: call.id,
      kind: 'interpreter',
      userId: advocate.id,
      language: 'es',
      callSid: `CA${randomBytes(16).toString('hex')}`,
      status: 'joined',
      startedAt: new Date(Date.now() - 30_000),
    });

    // The advocate's own leg (a forwarded phone or the browser), which "Mute" acts on.
    await db.insert(callParty).values({
      signalId: call.id,
      kind: 'advocate',
      userId: advocate.id,
      callSid: `CA${randomBytes(16).toString('hex')}`,
      status: 'joined',
      startedAt: new Date(Date.now() - 70_000),
    });

    const context = await browser.newContext({ locale: 'en-CA' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const voiceRequests: string[] = [];
    page.on('request', (r) => {
      if (/twilio-voice|\/api\/voice\/token/.test(r.url())) voiceRequests.push(r.url());
    });
    await signIn(page, base, advocate);
    await page.goto(`${base}/console/queue`);
    await page.getByRole('heading', { level: 1, name: 'Queue' }).waitFor();
    await page
      .getByRole('region', { name: /^My conversations/ })
      .getByText('Phone')
      .waitFor();
    // The Voice SDK is not part of the console until a call needs it.
    expect(voiceRequests).toEqual([]);
    await openConversation(page, call.reference);
    await page.getByRole('heading', { level: 2, name: `Phone ${call.reference}` }).waitFor();

    // The number they called, a first contact (no earlier one), and the audited reveal: never the number itself.
    const facts = page.locator('.channel-facts');
    await facts.getByText(HOTLINE_EN).waitFor();
    expect(await facts.textContent()).toContain('None: first contact from this person');
    await facts.getByRole('button', { name: 'Reveal number' }).waitFor();
    const card = page.getByRole('region', { name: 'Call' });
    await card.waitFor();
    expect(await card.textContent()).toContain('Connected');
    expect(await card.textContent()).toContain('Calls are never recorded.');
    // The clock runs (1:15 and up) but is no live region: nothing reads it out each second.
    const timer = card.getByRole('timer');
    await expect.poll(async () => (await timer.textContent()) ?? '').toMatch(/^1:[1-5]\d$/);
    expect(await timer.getAttribute('aria-live')).toBeNull();
    const interpreter = card.getByRole('listitem').filter({ hasText: 'Interpreter: Spanish' });
    expect(await interpreter.textContent()).toContain('On the call');

    // Answering in the browser: this Harbour has no Voice SDK keys → a clear message, no crash.
    // The token comes from Harbour, the SDK is loaded (only now), and it cannot reach Twilio from here (nor
    // could it through this CSP): the card says so and offers to try again, without a crash.
    const unreachable = card.getByText('The browser could not reach the phone service.', { exact: false });
    await unreachable.waitFor();
    expect(voiceRequests.some((u) => u.includes('/api/voice/token'))).toBe(true);
    expect(voiceRequests.some((u) => /\/assets\/twilio-voice-[^/]*\.js$/.test(u))).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await card.getByRole('button', { name: 'Try again' }).click();
    await unreachable.waitFor();

    // Hold, then resume: Harbour asks Twilio (the stand-in) and the card follows.
    await card.getByRole('button', { name: 'Hold' }).click();
    await card.locator('.badge', { hasText: 'On hold' }).waitFor();
    await card.getByRole('status').filter({ hasText: 'The caller is on hold.' }).waitFor();
    await expect
      .poll(async () => (await db.select().from(phoneCall).where(eq(phoneCall.signalId, call.id)))[0]?.onHold)
      .toBe(true);
    await card.getByRole('button', { name: 'Resume' }).click();
    await card.getByRole('button', { name: 'Hold' }).waitFor();
    await card.getByRole('button', { name: 'Mute' }).click();
    await card.locator('.badge', { hasText: 'You are muted' }).waitFor();
    await card.getByRole('button', { name: 'Unmute' }).click();
    await card.getByRole('button', { name: 'Mute' }).waitFor();
    // Socket events of both presses refetch the card: it settles on the last state.
    await expect.poll(() => card.locator('.badge', { hasText: 'You are muted' }).count()).toBe(0);
    await card.getByRole('button', { name: 'Mute' }).waitFor();
    // Each press reached Twilio (the stand-in): hold on/off for the caller, mute on/off for the advocate.
    const legUpdates = standin.requests.filter((r) => /\/Participants\/CA[0-9a-f]+\.json$/.test(r.path));
    expect(legUpdates.map((r) => r.params.Hold ?? r.params.Muted)).toEqual([
      'true',
      'false',
      'true',
      'false',
    ]);

    // Remove the Spanish interpreter, add a Portuguese one (named in the UI language, or typed as a tag).
    await interpreter.getByRole('button', { name: 'Remove the interpreter: Spanish' }).click();
    await interpreter.filter({ hasText: 'Left' }).waitFor();
    // Its button went with it: focus moved to the list's heading, not lost.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.textContent ?? ''))
      .toBe('Also on the call');
    await card.getByRole('button', { name: 'Add interpreter' }).click();
    const dialog = page.getByRole('dialog', { name: `Add an interpreter to ${call.reference}` });
    const language = dialog.getByRole('combobox', { name: 'Language' });
    await language.fill('not a language!');
    await dialog.getByRole('button', { name: 'Call the interpreter' }).click();
    await dialog
      .getByText('Choose a language from the list, or type a valid language tag', { exact: false })
      .waitFor();
    await language.fill('Portug');
    await page.getByRole('option', { name: 'Portuguese (pt)' }).click();
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Call the interpreter' }).click();
    await dialog.waitFor({ state: 'detached' });
    const portuguese = card.getByRole('listitem').filter({ hasText: 'Interpreter: Portuguese' });
    await portuguese.filter({ hasText: 'Calling…' }).waitFor();
    // The interpreter answers (Twilio's conference callback): the `call` event on the staff socket refreshes
    // the card, no reload.
    await db
      .update(callParty)
      .set({ status: 'joined', startedAt: new Date() })
      .where(and(eq(callParty.signalId, call.id), eq(callParty.language, 'pt')));
    await publish(db, { topic: 'call', signal: call.id });
    await portuguese.filter({ hasText: 'On the call' }).waitFor({ timeout: 10_000 });
    const parties = await db.select().from(callParty).where(eq(callParty.signalId, call.id));
    expect(
      parties
        .filter((p) => p.kind === 'interpreter')
        .map((p) => p.language)
        .sort(),
    ).toEqual(['es', 'pt']);

    // How I answer calls: a forwarded number instead (stored sealed, never shown again).
    await page.getByRole('button', { name: 'Change how I answer calls' }).click();
    const settings = page.getByRole('dialog', { name: 'How I answer calls' });
    await settings.getByRole('radio', { name: /On another phone/ }).check({ force: true });
    await settings.getByRole('textbox', { name: 'My phone number' }).fill('+1 555 010 0123');
    expect(await axeViolations(page)).toEqual([]);
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.waitFor({ state: 'detached' });
    await page.getByText('on my forwarded number').waitFor();
    const [endpoint] = await db.select().from(voiceEndpoint).where(eq(voiceEndpoint.userId, advocate.id));
    expect(endpoint?.mode).toBe('forward');
    expect(endpoint?.forwardNumberSealed).not.toContain('0100123');
    await card.getByText('Harbour connects this call to your forwarded number.').waitFor();

    // French, then end the call: the wrap-up follows.
    await page.getByRole('button', { name: 'Français' }).click();
    await page.getByRole('heading', { level: 2, name: `Téléphone ${call.reference}` }).waitFor();
    await page
      .getByRole('region', { name: 'Appel' })
      .getByText('Les appels ne sont jamais enregistrés.')
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Raccrocher' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Raccrocher' }).click();
    await page.getByRole('heading', { name: 'Bilan' }).waitFor();
    const [ended] = await db.select().from(signal).where(eq(signal.id, call.id));
    expect(ended?.state).toBe('ended');
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
