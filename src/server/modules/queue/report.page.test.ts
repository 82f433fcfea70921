import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { signal } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { QUICK_EXIT_URL } from './chat.page.js';
import { createSignalsService } from './signals.service.js';

let app: FastifyInstance;
let db: Db;
const actor = { id: null, label: 'test' };

beforeAll(async () => {
  ({ app } = await testApp());
  db = (await testDatabase()).db;
});
afterAll(() => app.close());

const form = (fields: Record<string, string>, url = '/report') =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  });

const referenceIn = (html: string) => html.match(/<strong id="reference">(HB-[A-Z0-9-]+)<\/strong>/)?.[1];

async function stored(reference: string | undefined) {
  const [row] = await db
    .select()
    .from(signal)
    .where(eq(signal.reference, String(reference)));
  return row;
}

describe('GET /report (the report form page)', () => {
  it('is server-rendered in English: Quick exit, labelled fields, optional contact, hidden honeypot, no inline code', async () => {
    const res = await app.inject({ method: 'GET', url: '/report' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    const html = res.body;
    expect(html).toContain('<html lang="en-CA">');
    expect(html).toMatch(
      new RegExp(`<a class="quick-exit" id="quick-exit" href="${QUICK_EXIT_URL}"[^>]*>Quick exit</a>`),
    );
    expect(html).toContain('<form id="report" method="post" action="/report?lang=en"');
    expect(html).toMatch(/<label for="situation">What is happening\? <span class="tag">\(required\)<\/span>/);
    expect(html).toMatch(/<textarea id="situation"[^>]* maxlength="10000" required aria-required="true"/);
    expect(html).toContain('10,000 characters left');
    expect(html).toContain('May we contact you? <span class="tag">(optional)</span>');
    expect(html).toContain('an anonymous report is fine');
    expect(html).toContain('call 911');
    for (const id of [
      'where',
      'when',
      'language',
      'contact_name',
      'contact_phone',
      'contact_email',
      'safe_when',
    ])
      expect(html).toContain(`<label for="${id}">`);
    expect(html).toContain('<input type="radio" id="safe_how-sms" name="safe_how" value="sms">');
    // The honeypot: off-screen, hidden from assistive tech, out of the tab order, never autofilled.
    expect(html).toMatch(
      /<div class="hp" aria-hidden="true"><label for="website">[^<]+<\/label><input type="text" id="website" name="website" tabindex="-1" autocomplete="off" value="">/,
    );
    const css = await app.inject({ method: 'GET', url: '/report/report.css' });
    expect(css.body).toMatch(/\.hp\{position:absolute;left:-10000px/);
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts).toEqual([' type="application/json" id="report-strings"', ' src="/report/report.js"']);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toContain('style=');
    const js = await app.inject({ method: 'GET', url: '/report/report.js' });
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(() => new Function(js.body)).not.toThrow();
  });

  it('speaks Canadian French with ?lang=fr (or Accept-Language)', async () => {
    const res = await app.inject({ method: 'GET', url: '/report?lang=fr' });
    expect(res.body).toContain('<html lang="fr-CA">');
    expect(res.body).toContain('Sortie rapide');
    expect(res.body).toContain('Signaler une situation');
    expect(res.body).toContain('Pouvons-nous vous joindre? <span class="tag">(facultatif)</span>');
    expect(res.body).toContain('composez le 911');
    expect(res.body).toContain('action="/report?lang=fr"');
    expect(res.body).toContain('<option value="fr" selected>');
    const header = await app.inject({
      method: 'GET',
      url: '/report',
      headers: { 'accept-language': 'fr-CA' },
    });
    expect(header.body).toContain('Envoyer le signalement');
  });

  it('is linked from the chat page (footer, and the message shown when nobody is available)', async () => {
    const en = await app.inject({ method: 'GET', url: '/chat' });
    expect(en.body).toContain('<p id="report-link" hidden><a href="/report?lang=en">Send a report');
    expect(en.body).toMatch(/<footer class="foot"><p><a href="\/report\?lang=en">/);
    const fr = await app.inject({ method: 'GET', url: '/chat?lang=fr' });
    expect(fr.body).toContain(
      '<a href="/report?lang=fr">Envoyer un signalement avec le formulaire en ligne</a>',
    );
    const js = await app.inject({ method: 'GET', url: '/chat/chat.js' });
    expect(js.body).toContain("el('report-link').hidden");
  });
});

describe('POST /report', () => {
  it('creates a queued report (sealed) and answers the reference and what happens next, echoing nothing', async () => {
    const res = await form({
      situation: 'CanaryPage4471 workers locked in at night (fictional)',
      where: 'CanaryWhere Thunder Bay',
      when: 'every night',
      language: 'fr',
      contact_name: 'Test Person (fictional)',
      contact_phone: '+1 807 555 0142',
      safe_how: 'sms',
      safe_when: 'after 6 p.m.',
      safe_leave_message: 'false',
      website: '',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('Thank you, your report was sent');
    expect(res.body).toContain('What happens next');
    for (const secret of ['Canary', '555', 'Test Person', 'after 6', 'every night'])
      expect(res.body).not.toContain(secret);
    const reference = referenceIn(res.body);
    expect(reference).toMatch(/^HB-/);
    const row = await stored(reference);
    expect(row).toMatchObject({ channel: 'report', state: 'queued', language: 'fr' });
    expect(JSON.stringify(row)).not.toContain('Canary');
    const read = await createSignalsService({ db, encryptionKey: TEST_KEY }).readReport(actor, row!.id);
    expect(read).toMatchObject({
      situation: 'CanaryPage4471 workers locked in at night (fictional)',
      where: 'CanaryWhere Thunder Bay',
      contact: { name: 'Test Person (fictional)', phone: '+1 807 555 0142' },
      safeToContact: { how: 'sms', when: 'after 6 p.m.', leaveMessage: false },
    });
  });

  it('confirms in French', async () => {
    const res = await form({ situation: 'Une voisine ne sort jamais (fictif)' }, '/report?lang=fr');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<html lang="fr-CA">');
    expect(res.body).toContain('Merci, votre signalement a été envoyé');
    expect((await stored(referenceIn(res.body)))?.channel).toBe('report');
  });

  it('re-renders the form with a linked error summary and keeps what was typed (not in the URL)', async () => {
    const res = await form({
      situation: '   ',
      where: 'KeptWhere (fictional)',
      contact_email: 'not-an-address',
      safe_how: 'sms',
    });
    expect(res.statusCode).toBe(400);
    const html = res.body;
    expect(html).toContain('<title>Error: Report a situation</title>');
    expect(html).toMatch(/<div class="error-summary" id="error-summary" role="alert" tabindex="-1"/);
    expect(html).toContain('<li><a href="#situation">Describe what is happening.</a></li>');
    expect(html).toContain(
      '<li><a href="#contact_email">Enter an e-mail address like name@example.com.</a></li>',
    );
    expect(html).toContain('<li><a href="#contact_phone">To be contacted by phone call or text message');
    expect(html).toMatch(
      /<textarea id="situation"[^>]*aria-invalid="true"[^>]*aria-describedby="situation-hint situation-count situation-error"/,
    );
    expect(html).toContain('value="KeptWhere (fictional)"');
    expect(html).toContain('value="not-an-address" aria-invalid="true"');
    expect(html).toContain('id="safe_how-sms" name="safe_how" value="sms" checked');
    expect(html).toContain('action="/report?lang=en"');
    const fr = await form({ situation: '' }, '/report?lang=fr');
    expect(fr.body).toContain('Il y a un problème');
    expect(fr.body).toContain('<a href="#situation">Décrivez ce qui se passe.</a>');
  });

  it('refuses a description over 10,000 characters without storing it', async () => {
    const res = await form({ situation: `CanaryLong${'x'.repeat(10_000)}` });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(
      '<a href="#situation">The description must be 10,000 characters or fewer.</a>',
    );
    expect(res.body).toContain('characters too many');
  });

  it('answers the honeypot with the same confirmation and stores nothing', async () => {
    const res = await form({ situation: 'Buy cheap watches (bot)', website: 'http://spam.example' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Thank you, your report was sent');
    const reference = referenceIn(res.body);
    expect(reference).toMatch(/^HB-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(await stored(reference)).toBeUndefined();
  });

  it('escapes hostile input it keeps, never answers 5xx, and answers pages (not JSON) to unreadable posts', async () => {
    const hostile = `</textarea><script>alert(1)</script>"'><img src=x onerror=alert(1)>\u0000`;
    const res = await form({ situation: hostile, where: hostile, language: '"><script>x</script>' });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('<script>alert');
    expect(res.body).not.toContain('<img src=x');
    expect(res.body).toContain('&#60;/textarea&#62;&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(res.body).toContain('choose one of the options');
    const stored201 = await form({ situation: hostile, safe_how: 'pigeon' });
    expect(stored201.statusCode).toBe(400);
    const controlOnly = await form({ situation: '\u0001\u0002' });
    expect(controlOnly.statusCode).toBeLessThan(500);
    const twice = await app.inject({
      method: 'POST',
      url: '/report',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'situation=a&situation=b',
    });
    expect(twice.statusCode).toBe(400);
    expect(twice.headers['content-type']).toMatch(/text\/html/);
    expect(twice.body).toContain('Nothing was sent');
    const huge = await form({ situation: 'x', where: 'y'.repeat(70 * 1024) });
    expect(huge.statusCode).toBe(413);
    expect(huge.headers['content-type']).toMatch(/text\/html/);
    const plain = await app.inject({
      method: 'POST',
      url: '/report',
      headers: { 'content-type': 'text/plain' },
      payload: 'situation=x',
    });
    expect(plain.statusCode).toBe(415);
    expect(plain.headers['content-type']).toMatch(/text\/html/);
    const ok = await form({ situation: hostile });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).not.toContain('alert');
  });

  it('rate-limits one address with a calm 429 page', async () => {
    const { app: limited } = await testApp({ publicRateLimit: 8 });
    try {
      const codes: number[] = [];
      let last = '';
      for (let i = 0; i < 3; i++) {
        const res = await limited.inject({
          method: 'POST',
          url: '/report?lang=fr',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ situation: `Rate ${i} (fictional)` }).toString(),
        });
        codes.push(res.statusCode);
        last = res.body;
      }
      expect(codes).toEqual([200, 200, 429]);
      expect(last).toContain('<html lang="fr-CA">');
      expect(last).toContain('Veuillez patienter une minute');
      expect(last).toContain('composez le 911');
    } finally {
      await limited.close();
    }
  });
});
