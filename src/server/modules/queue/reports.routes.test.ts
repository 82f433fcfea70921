import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, TEST_KEY, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { signal } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { createSignalsService } from './signals.service.js';

let app: FastifyInstance;
let db: Db;
const actor = { id: null, label: 'test' };

beforeAll(async () => {
  ({ app } = await testApp());
  db = (await testDatabase()).db;
});
afterAll(() => app.close());

const signals = () => createSignalsService({ db, encryptionKey: TEST_KEY });
const post = (payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/api/public/reports', headers, payload: payload as string });

async function stored(reference: string) {
  const [row] = await db.select().from(signal).where(eq(signal.reference, reference));
  return row;
}

describe('POST /api/public/reports', () => {
  it('accepts an anonymous JSON report: 201 with a reference only, queued as a report', async () => {
    const res = await post({
      situation: 'Workers kept at a farm, passports taken (fictional)',
      where: 'Kelowna, BC',
    });
    expect(res.statusCode).toBe(201);
    expect(Object.keys(json(res))).toEqual(['reference']);
    expect(res.body).not.toContain('Kelowna');
    const row = await stored(json<{ reference: string }>(res).reference);
    expect(row).toMatchObject({ channel: 'report', state: 'queued', language: 'en', contactSealed: null });
    expect(row?.reportSealed).not.toContain('Kelowna');
  });

  it('accepts a form post with contact details and safe-to-contact choices, sealed at rest', async () => {
    const body = new URLSearchParams({
      situation: 'CanaryForm8812 a neighbour is never allowed out (fictional)',
      language: 'fr',
      contact_name: 'Test Person (fictional)',
      contact_phone: '+1 819 555 0199',
      safe_how: 'sms',
      safe_when: 'après 18 h',
      safe_leave_message: 'on',
    }).toString();
    const res = await post(body, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.statusCode).toBe(201);
    expect(res.body).not.toContain('Canary');
    const row = await stored(json<{ reference: string }>(res).reference);
    expect(row).toMatchObject({ channel: 'report', language: 'fr' });
    expect(JSON.stringify(row)).not.toContain('Canary');
    expect(JSON.stringify(row)).not.toContain('555');
    const read = await signals().readReport(actor, row!.id);
    expect(read).toMatchObject({
      situation: 'CanaryForm8812 a neighbour is never allowed out (fictional)',
      contact: { name: 'Test Person (fictional)', phone: '+1 819 555 0199' },
      safeToContact: { how: 'sms', when: 'après 18 h', leaveMessage: true },
    });
  });

  it('accepts nested contact details in JSON', async () => {
    const res = await post({
      situation: 'Nested (fictional)',
      contact: { email: 'someone@example.test' },
      safe_to_contact: { how: 'email', leave_message: false },
    });
    expect(res.statusCode).toBe(201);
    const row = await stored(json<{ reference: string }>(res).reference);
    expect(await signals().readReport(actor, row!.id)).toMatchObject({
      contact: { email: 'someone@example.test' },
      safeToContact: { how: 'email', leaveMessage: false },
    });
  });

  it('answers the honeypot exactly like a success and stores nothing', async () => {
    const res = await post({ situation: 'Buy cheap watches (bot)', website: 'http://spam.example' });
    expect(res.statusCode).toBe(201);
    const { reference } = json<{ reference: string }>(res);
    expect(reference).toMatch(/^HB-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(await stored(reference)).toBeUndefined();
    const form = await post(new URLSearchParams({ situation: 'x', website: 'y' }).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.statusCode).toBe(201);
    expect(await stored(json<{ reference: string }>(form).reference)).toBeUndefined();
  });

  it('refuses missing, blank and oversize reports without echoing them', async () => {
    const missing = await post({ where: 'CanaryWhere' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).not.toContain('Canary');
    const blank = await post({ situation: '   ' });
    expect(blank.statusCode).toBe(400);
    expect(json<{ error: { code: string } }>(blank).error.code).toBe('REPORT_INVALID');
    const long = await post({ situation: `CanaryLong${'x'.repeat(10_000)}` });
    expect(long.statusCode).toBe(400);
    expect(long.body).not.toContain('Canary');
    const huge = await post({ situation: 'x', where: 'y'.repeat(70 * 1024) });
    expect(huge.statusCode).toBe(413);
    const badHow = await post({ situation: 'x', safe_to_contact: { how: 'pigeon' } });
    expect(badHow.statusCode).toBe(400);
    const text = await post('situation=x', { 'content-type': 'text/plain' });
    expect(text.statusCode).toBe(415);
  });

  it('stores hostile text as text and answers only the reference', async () => {
    const hostile = `<script>alert(1)</script>"'\u0000; drop table signal; -- ${'🙂'.repeat(100)}`;
    const res = await post({
      situation: hostile,
      where: '<img src=x onerror=alert(1)>',
      language: '../../etc',
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).not.toContain('script');
    const row = await stored(json<{ reference: string }>(res).reference);
    expect(row).toMatchObject({ language: 'other', interpreterLanguage: null });
    const read = await signals().readReport(actor, row!.id);
    expect(read?.situation).toBe(hostile.replace('\u0000', ''));
  });

  it('rate-limits one address', async () => {
    const { app: limited } = await testApp({ publicRateLimit: 8 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await limited.inject({
          method: 'POST',
          url: '/api/public/reports',
          payload: { situation: `Rate ${i} (fictional)` },
        });
        codes.push(res.statusCode);
      }
      expect(codes).toEqual([201, 201, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});
