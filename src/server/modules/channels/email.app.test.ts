import { randomUUID } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor, type TestSession } from '../../../../test/helpers/factories.js';
import type { HarbourApp } from '../../app.js';
import { emailMessage } from '../../db/schema.js';

/** The SMTP listener as the app runs it: started when the app is ready, stopped when it closes. */

const HOTLINE = 'help@hotline.harbour.example';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let harbour: HarbourApp;
let port: number;
let supervisor: TestSession;
const lines: string[] = [];

beforeAll(async () => {
  port = await freePort();
  harbour = await testApp(
    {
      logLevel: 'info',
      email: { smtpPort: port, smtpHost: '127.0.0.1', addresses: [HOTLINE], maxBytes: 1_000_000 },
    },
    { write: (s) => void lines.push(s) },
  );
  const db = (await testDatabase()).db;
  supervisor = await sessionFor(db, await createUser(db, { role: 'supervisor' }));
});
afterAll(async () => {
  await harbour?.app.close();
});

describe('e-mail through the app', () => {
  it('a mail to the hotline becomes a waiting e-mail signal in the queue, without its subject or address', async () => {
    const from = `person-${randomUUID().slice(0, 8)}@mail.example`;
    const id = `test.${randomUUID()}@mail.example`;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    const info = await transport.sendMail({
      from,
      to: HOTLINE,
      subject: 'Subject kept sealed (fictional)',
      text: 'Please help (fictional).',
      messageId: `<${id}>`,
    });
    transport.close();
    expect(info.response).toMatch(/^250/);
    const db = (await testDatabase()).db;
    const [thread] = await db.select().from(emailMessage).where(eq(emailMessage.messageId, id));
    expect(thread).toBeDefined();

    const res = await harbour.app.inject({ method: 'GET', url: '/api/queue', headers: supervisor.headers });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toContain(thread!.signalId);
    expect(res.body).not.toContain('Subject kept sealed');
    expect(res.body).not.toContain(from);
    const body = json<{ waiting: Array<{ id: string; channel: string }> }>(res);
    expect(body.waiting.find((s) => s.id === thread!.signalId)?.channel).toBe('email');
    const log = lines.join('\n');
    expect(log).toContain('SMTP listener started');
    expect(log).not.toContain(from);
    expect(log).not.toContain('fictional');
  });

  it('stops listening when the app closes', async () => {
    await harbour.app.close();
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
