import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, testConfig } from '../../../../test/helpers/app.js';
import { isolatedDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor, type TestSession } from '../../../../test/helpers/factories.js';
import { buildApp, type HarbourApp } from '../../app.js';
import { changeProposal, organization, service, serviceCapacity, unit } from '../../db/schema.js';
import { createSurveyService } from './survey.service.js';

/** A real SMTP server on loopback that keeps what it receives. */
function startSmtp(): Promise<{
  server: SMTPServer;
  port: number;
  mails: Array<{ to: string; text: string; subject: string }>;
}> {
  const mails: Array<{ to: string; text: string; subject: string }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((m) => {
          const to = Array.isArray(m.to) ? m.to[0]?.text : m.to?.text;
          mails.push({ to: to ?? '', text: m.text ?? '', subject: m.subject ?? '' });
          callback();
        })
        .catch(callback);
    },
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.server.address() as AddressInfo).port, mails }),
    );
  });
}

let iso: Awaited<ReturnType<typeof isolatedDatabase>>;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let harbour: HarbourApp;
let manager: TestSession;

beforeAll(async () => {
  iso = await isolatedDatabase();
  smtp = await startSmtp();
  harbour = await buildApp({
    config: testConfig({
      smtpUrl: `smtp://127.0.0.1:${smtp.port}?ignoreTLS=true`,
      publicUrl: 'http://harbour.test',
    }),
    db: iso.database.db,
  });
  manager = await sessionFor(
    iso.database.db,
    await createUser(iso.database.db, { role: 'directory_manager' }),
  );
});
afterAll(async () => {
  await harbour.app.close();
  await new Promise<void>((r) => smtp.server.close(() => r()));
  await iso.drop();
});

async function partnerWithShelter(name: string, email: string | null) {
  const db = iso.database.db;
  const [org] = await db.insert(organization).values({ name, email }).returning();
  const [svc] = await db
    .insert(service)
    .values({ organizationId: org!.id, name: `${name} shelter` })
    .returning();
  const [bed] = await db
    .insert(unit)
    .values({ name: 'bed', identifier: `bed-${name}` })
    .returning();
  await db.insert(serviceCapacity).values({ serviceId: svc!.id, unitId: bed!.id, available: 2, maximum: 8 });
  return { orgId: org!.id, serviceId: svc!.id };
}

describe('status surveys', () => {
  it('e-mails every active partner a personal link; answers become proposals for review', async () => {
    const a = await partnerWithShelter('Maison Test A (fictional)', 'intake-a@partner.test');
    await partnerWithShelter('No E-mail House (fictional)', null);
    const start = await harbour.app.inject({
      method: 'POST',
      url: '/api/directory/surveys',
      headers: manager.headers,
      payload: { title: 'Pandemic check', message: 'Are you open this week?', closesInDays: 14 },
    });
    expect(start.statusCode, start.body).toBe(201);
    const surveyId = json<{ survey: { id: string }; recipients: number }>(start).survey.id;
    expect(json<{ recipients: number }>(start).recipients).toBe(1);

    await expect.poll(() => smtp.mails.length, { timeout: 60_000 }).toBe(1);
    const mail = smtp.mails[0]!;
    expect(mail.to).toBe('intake-a@partner.test');
    expect(mail.text).toContain('Are you open this week?');
    expect(mail.text).toContain('Veuillez confirmer');
    const link = /http:\/\/harbour\.test(\/survey\?t=[A-Za-z0-9_-]+)/.exec(mail.text)![1]!;

    const page = await harbour.app.inject({ method: 'GET', url: `${link}&lang=fr` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Maison Test A (fictional)');
    expect(page.body).toContain('lang="fr-CA"');

    // A browser that is also signed in to the console (no CSRF header on a plain form post) must still get through.
    const answer = await harbour.app.inject({
      method: 'POST',
      url: link,
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: manager.headers.cookie! },
      payload: new URLSearchParams({
        [`status:${a.serviceId}`]: 'temporarily closed',
        [`available:${a.serviceId}`]: '0',
        corrections: 'New intake line from Monday',
      }).toString(),
    });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.body).toMatch(/will review your answers/);

    const proposals = await iso.database.db
      .select()
      .from(changeProposal)
      .where(eq(changeProposal.organizationId, a.orgId));
    expect(proposals.map((p) => [p.resourceType, p.status, p.changes])).toEqual(
      expect.arrayContaining([
        ['service', 'pending', { status: 'temporarily closed' }],
        ['capacity', 'pending', { available: 0, maximum: 8 }],
      ]),
    );
    // Nothing changed in the listing itself until a manager approves.
    const [svc] = await iso.database.db.select().from(service).where(eq(service.id, a.serviceId));
    expect(svc?.status).toBe('active');

    const again = await harbour.app.inject({
      method: 'POST',
      url: link,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `status:${a.serviceId}=defunct`,
    });
    expect(again.body).toMatch(/already been answered/);

    const detail = json<{
      recipients: Array<{
        sentAt: string | null;
        respondedAt: string | null;
        response: { corrections: string };
      }>;
    }>(
      await harbour.app.inject({
        method: 'GET',
        url: `/api/directory/surveys/${surveyId}`,
        headers: manager.headers,
      }),
    );
    expect(detail.recipients[0]).toMatchObject({ response: { corrections: 'New intake line from Monday' } });
    expect(detail.recipients[0]!.sentAt).toBeTruthy();
    expect(detail.recipients[0]!.respondedAt).toBeTruthy();
  });

  it('shows managers the answered services by name (with translations), not by id', async () => {
    const db = iso.database.db;
    const a = await partnerWithShelter(`Maison Noms ${Date.now()} (fictional)`, 'names@partner.test');
    try {
      await db
        .update(service)
        .set({
          name: 'Emergency beds (fictional)',
          translations: { fr: { name: 'Lits d’urgence (fictif)' } },
        })
        .where(eq(service.id, a.serviceId));
      await db
        .update(organization)
        .set({ translations: { fr: { name: 'Maison des noms (fictif)' }, en: { description: 'x' } } })
        .where(eq(organization.id, a.orgId));
      const [gone] = await db
        .insert(service)
        .values({ organizationId: a.orgId, name: 'Closing soon (fictional)' })
        .returning();
      // The partner already proposed the closure from the console: the survey does not file it a second time.
      await db.insert(changeProposal).values({
        organizationId: a.orgId,
        resourceType: 'service',
        resourceId: a.serviceId,
        changes: { status: 'temporarily closed' },
      });

      const sent: Array<{ to: string; text: string }> = [];
      const surveys = createSurveyService({
        db,
        mailer: { kind: 'smtp', send: async (m) => void sent.push(m), close: () => {} },
        publicUrl: 'http://harbour.test',
        production: false,
      });
      const { survey, delivery } = await surveys.start(
        { title: 'Names check', message: 'Still open?', closesInDays: 7 },
        { id: null, label: 'test' },
      );
      await delivery;
      const mail = sent.find((m) => m.to === 'names@partner.test')!;
      const token = /\/survey\?t=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
      await surveys.respond(token, {
        services: [
          { id: a.serviceId, status: 'temporarily closed', available: 1 },
          { id: gone!.id, status: 'defunct' },
        ],
        corrections: 'New hours',
      });
      await db.delete(service).where(eq(service.id, gone!.id));

      const res = await harbour.app.inject({
        method: 'GET',
        url: `/api/directory/surveys/${survey.id}`,
        headers: manager.headers,
      });
      expect(res.statusCode, res.body).toBe(200);
      const mine = json<{ recipients: Array<Record<string, unknown>> }>(res).recipients.find(
        (r) => r.organizationId === a.orgId,
      );
      expect(mine).toMatchObject({
        organizationNameTranslations: { fr: 'Maison des noms (fictif)' },
        response: {
          services: [
            {
              id: a.serviceId,
              status: 'temporarily closed',
              available: 1,
              name: 'Emergency beds (fictional)',
              nameTranslations: { fr: 'Lits d’urgence (fictif)' },
            },
            { id: gone!.id, status: 'defunct', name: null, nameTranslations: {} },
          ],
          corrections: 'New hours',
        },
      });
      // Strict shapes: nothing but what the screen needs (never the link's token hash).
      expect(Object.keys(mine!).sort()).toEqual(
        [
          'email',
          'id',
          'organizationId',
          'organizationName',
          'organizationNameTranslations',
          'respondedAt',
          'response',
          'sendError',
          'sentAt',
        ].sort(),
      );
      expect(res.body).not.toContain('tokenHash');
      const list = json<{ surveys: Array<Record<string, unknown>> }>(
        await harbour.app.inject({ method: 'GET', url: '/api/directory/surveys', headers: manager.headers }),
      ).surveys.find((x) => x.id === survey.id);
      expect(list).toMatchObject({ title: 'Names check', sent: expect.any(Number), responded: 1 });
      expect(Object.keys(list!).sort()).toEqual([
        'closesAt',
        'createdAt',
        'createdBy',
        'failed',
        'id',
        'message',
        'responded',
        'sent',
        'title',
        'total',
      ]);

      const closures = await db
        .select()
        .from(changeProposal)
        .where(eq(changeProposal.resourceId, a.serviceId));
      expect(closures.map((p) => p.changes)).toEqual(
        expect.arrayContaining([{ status: 'temporarily closed' }, { available: 1, maximum: 8 }]),
      );
      expect(closures.filter((p) => JSON.stringify(p.changes).includes('temporarily closed'))).toHaveLength(
        1,
      );
    } finally {
      // This partner must not become a recipient of other tests' surveys.
      await db.delete(organization).where(eq(organization.id, a.orgId));
    }
  });

  it('answers bad links and hostile forms with a page, never a 5xx', async () => {
    for (const url of ['/survey', '/survey?t=nope', `/survey?t=${'a'.repeat(64)}`, "/survey?t=' or 1=1--"]) {
      const res = await harbour.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.body).toMatch(/not valid any more/);
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    }
    const post = await harbour.app.inject({
      method: 'POST',
      url: '/survey?t=nope',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'status:x=%00%F0%9F%8F%A0&available:y=-5',
    });
    expect(post.statusCode).toBe(404);
  });

  it('writes mail to the outbox folder when no SMTP server is configured (development)', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'harbour-outbox-'));
    const local = await buildApp({ config: testConfig({ dataDir }), db: iso.database.db });
    try {
      await partnerWithShelter('Outbox House (fictional)', 'outbox@partner.test');
      const res = await local.app.inject({
        method: 'POST',
        url: '/api/directory/surveys',
        headers: manager.headers,
        payload: { title: 'Check', message: 'Still open?', closesInDays: 7 },
      });
      expect(res.statusCode).toBe(201);
      const outbox = path.join(dataDir, 'outbox');
      const written = () =>
        existsSync(outbox)
          ? readdirSync(outbox)
              .map((f) => readFileSync(path.join(outbox, f), 'utf8'))
              .join('\n')
          : '';
      // Delivery runs after the response: wait for this partner's message.
      await expect.poll(written, { timeout: 60_000 }).toContain('outbox@partner.test');
    } finally {
      await local.app.close();
    }
  });
});
