import { randomUUID } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import Fastify from 'fastify';
import { type ParsedMail, simpleParser } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY, testConfig } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import type { Config } from '../../config.js';
import {
  attachment,
  channelDelivery,
  channelReceipt,
  emailMessage,
  signal,
  signalEvent,
  signalMessage,
} from '../../db/schema.js';
import { createBus } from '../../platform/bus.js';
import { decrypt } from '../../platform/crypto.js';
import { loggerOptions } from '../../platform/logger.js';
import { createMailer } from '../../platform/mail.js';
import { createSignalsService } from '../queue/signals.service.js';
import { openAttachmentBytes, openAttachmentName } from './attachments.js';
import type { ChannelsDeps } from './channels.module.js';
import { contactHash, openAddress } from './contact.js';
import { createEmailSender } from './email.sender.js';
import { createEmailListener } from './email.server.js';

// ---- helpers: a capturing relay, the deps, a raw SMTP client ----

const HOTLINE = 'help@hotline.harbour.example';
const HOTLINE_FR = 'aide@hotline.harbour.example';

/** A synthetic sender address of its own for each test. */
const person = () => `person-${randomUUID().slice(0, 8)}@mail.example`;
const mid = () => `test.${randomUUID()}@mail.example`;

/** A real SMTP server on loopback keeping what it receives (the relay replies go to). */
function startCapture(): Promise<{
  server: SMTPServer;
  port: number;
  mails: Array<{ parsed: ParsedMail; from: string; to: string[] }>;
}> {
  const mails: Array<{ parsed: ParsedMail; from: string; to: string[] }> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          mails.push({
            parsed,
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          });
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

/** Deps as the app builds them, on the worker's test database, with a log captured in `lines`. */
async function emailDeps(
  relayPort: number,
  email: Partial<NonNullable<Config['email']>> = {},
): Promise<{ deps: ChannelsDeps; lines: string[]; close(): Promise<void> }> {
  const db = (await testDatabase()).db;
  const lines: string[] = [];
  const logHost = Fastify({ logger: loggerOptions('info', { write: (s: string) => void lines.push(s) }) });
  const config = testConfig({
    email: {
      smtpPort: 0,
      smtpHost: '127.0.0.1',
      addresses: [HOTLINE, HOTLINE_FR],
      maxBytes: 200_000,
      relayUrl: `smtp://127.0.0.1:${relayPort}?ignoreTLS=true`,
      ...email,
    },
  });
  const bus = await createBus(db);
  const mailer = createMailer({
    smtpUrl: config.email?.relayUrl,
    from: config.mailFrom,
    dataDir: config.dataDir,
  });
  const deps: ChannelsDeps = {
    db,
    config,
    bus,
    signals: createSignalsService({ db, encryptionKey: TEST_KEY }),
    mailer,
    log: logHost.log,
    twilio: undefined,
  };
  return {
    deps,
    lines,
    async close() {
      mailer.close();
      await bus.close();
      await logHost.close();
    },
  };
}

/** A raw SMTP client: one command at a time, each answered by the server's full (multi-line) reply. */
async function rawSmtp(port: number): Promise<{
  greeting: string;
  cmd(line: string): Promise<string>;
  /** DATA, then the message (dot-stuffed here) and the final dot; returns the reply to the message. */
  send(raw: Buffer | string): Promise<string>;
  close(): void;
}> {
  const socket = net.connect(port, '127.0.0.1');
  let buffer = '';
  let closed = false;
  const waiters: Array<(reply: string) => void> = [];
  const drain = () => {
    for (;;) {
      if (waiters.length === 0) return;
      if (closed && buffer === '') {
        waiters.shift()?.('(closed)');
        continue;
      }
      const m = /^(?:\d{3}-[^\r\n]*\r\n)*\d{3}(?: [^\r\n]*)?\r\n/.exec(buffer);
      if (!m) return;
      buffer = buffer.slice(m[0].length);
      waiters.shift()?.(m[0].trimEnd());
    }
  };
  socket.on('data', (d) => {
    buffer += d.toString('latin1');
    drain();
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    drain();
  });
  const next = () =>
    new Promise<string>((resolve) => {
      waiters.push(resolve);
      drain();
    });
  const greeting = await next();
  const cmd = (line: string) => {
    socket.write(`${line}\r\n`);
    return next();
  };
  return {
    greeting,
    cmd,
    async send(raw) {
      const go = await cmd('DATA');
      if (!go.startsWith('354')) return go;
      const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8');
      const text = bytes
        .toString('latin1')
        .replace(/\r?\n/g, '\r\n')
        .replace(/(^|\r\n)\./g, '$1..');
      socket.write(Buffer.from(`${text}${text.endsWith('\r\n') ? '' : '\r\n'}.\r\n`, 'latin1'));
      return next();
    },
    close: () => socket.destroy(),
  };
}

/** EHLO, MAIL FROM, RCPT TO (each must succeed), then the message: the reply to the message. */
async function rawDeliver(port: number, from: string, to: string[], raw: Buffer | string): Promise<string> {
  const s = await rawSmtp(port);
  try {
    await s.cmd('EHLO client.mail.example');
    const mf = await s.cmd(`MAIL FROM:<${from}>`);
    if (!mf.startsWith('250')) return mf;
    for (const r of to) {
      const rr = await s.cmd(`RCPT TO:<${r}>`);
      if (!rr.startsWith('250')) return rr;
    }
    return await s.send(raw);
  } finally {
    s.close();
  }
}

/** A plain text message. */
function rawMail(h: Record<string, string>, body: string): string {
  return `${Object.entries(h)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n${body}`;
}

// ---- the tests ----

let relay: Awaited<ReturnType<typeof startCapture>>;
let env: Awaited<ReturnType<typeof emailDeps>>;
let listener: ReturnType<typeof createEmailListener>;
let port: number;
/** Every address, subject and text a test used: none may reach the log. */
const secrets: string[] = [];

beforeAll(async () => {
  relay = await startCapture();
  env = await emailDeps(relay.port);
  listener = createEmailListener(env.deps);
  await listener.start();
  port = listener.port() as number;
});
afterAll(async () => {
  await listener?.stop();
  await env?.close();
  await new Promise<void>((r) => relay.server.close(() => r()));
});

const db = () => env.deps.db;

/** nodemailer, as a person's mail provider would deliver to the hotline. */
async function deliver(mail: SendMailOptions) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    return await transport.sendMail(mail);
  } finally {
    transport.close();
  }
}

async function threadOf(messageId: string) {
  const [row] = await db().select().from(emailMessage).where(eq(emailMessage.messageId, messageId));
  return row;
}
async function signalRow(id: string) {
  const [row] = await db().select().from(signal).where(eq(signal.id, id));
  return row;
}
async function messagesOf(id: string) {
  const rows = await db()
    .select()
    .from(signalMessage)
    .where(eq(signalMessage.signalId, id))
    .orderBy(signalMessage.seq);
  return rows.map((m) => ({
    seq: m.seq,
    sender: m.sender,
    text: decrypt(TEST_KEY, m.bodySealed, id).toString('utf8'),
  }));
}
async function signalsOf(address: string) {
  return db()
    .select()
    .from(signal)
    .where(eq(signal.contactHash, contactHash(TEST_KEY, address)))
    .orderBy(signal.arrivedAt);
}

describe('e-mail in: conversations', () => {
  it('a new e-mail is a queued e-mail signal: sealed address, hotline address, sealed subject, text as message 1', async () => {
    const from = person();
    const id = mid();
    const subject = 'Need help with my employer (fictional)';
    const text = 'Hello, my boss keeps my passport. This is a test message (fictional).';
    secrets.push(from, subject, text);
    const info = await deliver({ from, to: HOTLINE, subject, text, messageId: `<${id}>` });
    expect(info.response).toMatch(/^250/);
    const thread = await threadOf(id);
    expect(thread).toMatchObject({ direction: 'in', seq: 1 });
    const row = await signalRow(thread!.signalId);
    expect(row).toMatchObject({
      channel: 'email',
      state: 'queued',
      language: 'en',
      hotlineAddress: HOTLINE,
      contactHash: contactHash(TEST_KEY, from),
      lastSeq: 1,
    });
    expect(openAddress(TEST_KEY, row!.id, row!.addressSealed!)).toBe(from);
    expect(decrypt(TEST_KEY, thread!.subjectSealed!, row!.id).toString('utf8')).toBe(subject);
    expect(await messagesOf(row!.id)).toEqual([{ seq: 1, sender: 'visitor', text }]);
    const receipts = await db().select().from(channelReceipt).where(eq(channelReceipt.signalId, row!.id));
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ provider: 'smtp' });
    expect(receipts[0]!.key).toMatch(/^mail:[0-9a-f]{64}$/);
  });

  it('language: Content-Language first, else French words, else English; the address it came to is kept', async () => {
    const fr = person();
    const frId = mid();
    await deliver({
      from: fr,
      to: HOTLINE_FR,
      subject: "Besoin d'aide",
      text: "Bonjour, j'ai besoin d'aide, mon patron garde mon passeport (fictif).",
      messageId: `<${frId}>`,
    });
    const frRow = await signalRow((await threadOf(frId))!.signalId);
    expect(frRow).toMatchObject({ language: 'fr', hotlineAddress: HOTLINE_FR });

    const es = person();
    const esId = mid();
    await deliver({
      from: es,
      to: HOTLINE,
      subject: 'Ayuda (ficticio)',
      text: 'Hola, necesito ayuda (ficticio).',
      messageId: `<${esId}>`,
      headers: { 'Content-Language': 'es-MX' },
    });
    const esRow = await signalRow((await threadOf(esId))!.signalId);
    expect(esRow).toMatchObject({ language: 'other', interpreterLanguage: 'es-mx' });
  });

  it('an answer (In-Reply-To, or only References) joins the open conversation, without the quoted text', async () => {
    const from = person();
    const first = mid();
    await deliver({
      from,
      to: HOTLINE,
      subject: 'Question (fictional)',
      text: 'First (fictional).',
      messageId: `<${first}>`,
    });
    const signalId = (await threadOf(first))!.signalId;

    const second = mid();
    await deliver({
      from,
      to: HOTLINE,
      subject: 'Re: Question (fictional)',
      text: 'Second (fictional).\n\nOn Mon, 1 Dec 2026 at 10:00, Harbour <help@hotline.harbour.example> wrote:\n> First (fictional).\n',
      messageId: `<${second}>`,
      inReplyTo: `<${first}>`,
      references: [`<${first}>`],
    });
    const third = mid();
    await deliver({
      from,
      to: HOTLINE,
      subject: 'Re: Question (fictional)',
      text: 'Third (fictional).',
      messageId: `<${third}>`,
      references: [`<unknown.${randomUUID()}@mail.example>`, `<${second}>`],
    });
    expect((await threadOf(second))?.signalId).toBe(signalId);
    expect((await threadOf(third))?.signalId).toBe(signalId);
    expect(await messagesOf(signalId)).toEqual([
      { seq: 1, sender: 'visitor', text: 'First (fictional).' },
      { seq: 2, sender: 'visitor', text: 'Second (fictional).' },
      { seq: 3, sender: 'visitor', text: 'Third (fictional).' },
    ]);
    expect(await signalsOf(from)).toHaveLength(1);
  });

  it("someone else quoting a conversation's Message-ID does not get into it: a signal of their own", async () => {
    const victim = person();
    const first = mid();
    await deliver({
      from: victim,
      to: HOTLINE,
      subject: 'Mine (fictional)',
      text: 'Mine (fictional).',
      messageId: `<${first}>`,
    });
    const signalId = (await threadOf(first))!.signalId;
    const other = person();
    const intrusion = mid();
    await deliver({
      from: other,
      to: HOTLINE,
      subject: 'Re: Mine',
      text: 'Intruding (fictional).',
      messageId: `<${intrusion}>`,
      inReplyTo: `<${first}>`,
    });
    const theirs = (await threadOf(intrusion))!.signalId;
    expect(theirs).not.toBe(signalId);
    expect(await messagesOf(signalId)).toHaveLength(1);
    const events = await db().select().from(signalEvent).where(eq(signalEvent.signalId, theirs));
    expect(events.map((e) => e.type)).not.toContain('follow_up');
  });

  it('an answer to an ended conversation starts a new signal with a follow_up event naming the old reference', async () => {
    const from = person();
    const first = mid();
    await deliver({
      from,
      to: HOTLINE,
      subject: 'Plus tôt (fictif)',
      text: "Bonjour, j'ai besoin d'aide (fictif).",
      messageId: `<${first}>`,
    });
    const old = (await threadOf(first))!.signalId;
    await env.deps.signals.endSignal(old, 'completed');
    const later = mid();
    await deliver({
      from,
      to: HOTLINE,
      subject: 'Re: Earlier (fictional)',
      text: 'Ok.',
      messageId: `<${later}>`,
      inReplyTo: `<${first}>`,
    });
    const fresh = (await threadOf(later))!.signalId;
    expect(fresh).not.toBe(old);
    // It stays in the queue of the conversation it follows (French), though 'Ok.' alone says nothing.
    expect(await signalRow(fresh)).toMatchObject({ state: 'queued', channel: 'email', language: 'fr' });
    const events = await db()
      .select()
      .from(signalEvent)
      .where(and(eq(signalEvent.signalId, fresh), eq(signalEvent.type, 'follow_up')));
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toEqual({ of: (await signalRow(old))!.reference });
    expect(await messagesOf(old)).toHaveLength(1);
  });

  it('the same Message-ID twice (a relay retry) is stored once and answered 250 both times', async () => {
    const from = person();
    const id = mid();
    const mail = {
      from,
      to: HOTLINE,
      subject: 'Once (fictional)',
      text: 'Once (fictional).',
      messageId: `<${id}>`,
    };
    expect((await deliver(mail)).response).toMatch(/^250/);
    expect((await deliver(mail)).response).toMatch(/^250/);
    const rows = await signalsOf(from);
    expect(rows).toHaveLength(1);
    expect(await messagesOf(rows[0]!.id)).toHaveLength(1);
    // And a retry of an answer appended to that open conversation.
    const answer = {
      from,
      to: HOTLINE,
      subject: 'Re: Once',
      text: 'Answer (fictional).',
      messageId: `<${mid()}>`,
      inReplyTo: `<${id}>`,
    };
    await deliver(answer);
    await deliver(answer);
    expect(await messagesOf(rows[0]!.id)).toHaveLength(2);
  });

  it('a burst of mails on parallel connections is stored completely (a few parsed at a time)', async () => {
    const senders = Array.from({ length: 12 }, () => person());
    const infos = await Promise.all(
      senders.map((from, i) =>
        deliver({
          from,
          to: HOTLINE,
          subject: `Burst ${i}`,
          text: `Burst ${i} (fictional).`,
          messageId: `<${mid()}>`,
        }),
      ),
    );
    expect(infos.every((info) => /^250/.test(info.response))).toBe(true);
    for (const from of senders) expect(await signalsOf(from)).toHaveLength(1);
  });

  it('HTML-only mail is stored as text (tags, scripts and styles gone, never HTML)', async () => {
    const from = person();
    const id = mid();
    await deliver({
      from,
      to: HOTLINE,
      subject: 'Html (fictional)',
      html: '<html><head><style>p{color:red}</style><script>alert("x")</script></head><body><p>Hello <b>there</b> (fictional)</p><p>Second line</p></body></html>',
      messageId: `<${id}>`,
    });
    const signalId = (await threadOf(id))!.signalId;
    const [m] = await messagesOf(signalId);
    expect(m!.text).toContain('Hello there (fictional)');
    expect(m!.text).toContain('Second line');
    expect(m!.text).not.toMatch(/<|alert|color:red/);
  });

  it('attachments: an allowed file is sealed (bytes and name), a refused type keeps only its type and is noted without its name', async () => {
    const from = person();
    const id = mid();
    const pdf = Buffer.from('%PDF-1.4\n% fictional test document\n');
    await deliver({
      from,
      to: HOTLINE,
      subject: 'Files (fictional)',
      text: 'See attached (fictional).',
      messageId: `<${id}>`,
      attachments: [
        { filename: 'pay-stub-fictional.pdf', content: pdf, contentType: 'application/pdf' },
        {
          filename: 'secret-archive-name.zip',
          content: Buffer.from('PK\u0003\u0004fictional'),
          contentType: 'application/zip',
        },
      ],
    });
    secrets.push('pay-stub-fictional', 'secret-archive-name');
    const signalId = (await threadOf(id))!.signalId;
    const files = await db().select().from(attachment).where(eq(attachment.signalId, signalId));
    expect(files).toHaveLength(2);
    const kept = files.find((f) => f.state === 'stored')!;
    expect(kept).toMatchObject({ contentType: 'application/pdf', seq: 1, sizeBytes: pdf.length });
    expect(openAttachmentBytes(TEST_KEY, kept).equals(pdf)).toBe(true);
    expect(openAttachmentName(TEST_KEY, kept)).toBe('pay-stub-fictional.pdf');
    expect(kept.dataSealed).not.toContain('PDF');
    const refusedFile = files.find((f) => f.state !== 'stored')!;
    expect(refusedFile).toMatchObject({
      state: 'refused_type',
      contentType: 'application/zip',
      dataSealed: null,
      sha256: null,
    });
    const messages = await messagesOf(signalId);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatchObject({ seq: 1, sender: 'visitor', text: 'See attached (fictional).' });
    expect(messages[1]).toMatchObject({ seq: 2, sender: 'system' });
    expect(messages[1]!.text).toContain('application/zip');
    expect(messages[1]!.text).not.toContain('secret-archive-name');
    // The note is for the advocate: it is not sent to the person (no outbox row).
    expect(await db().select().from(channelDelivery).where(eq(channelDelivery.signalId, signalId))).toEqual(
      [],
    );
  });
});

describe('e-mail in: automatic mail is dropped (250, nothing stored)', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['Auto-Submitted: auto-replied', { 'Auto-Submitted': 'auto-replied' }],
    ['X-Autoreply', { 'X-Autoreply': 'yes' }],
    ['X-Autorespond', { 'X-Autorespond': 'yes' }],
    ['Precedence: bulk', { Precedence: 'bulk' }],
    ['Precedence: auto_reply', { Precedence: 'auto_reply' }],
    ['List-Id', { 'List-Id': '<news.list.example>' }],
  ];
  it.each(cases)('%s', async (_name, headers) => {
    const from = person();
    const id = mid();
    const info = await deliver({
      from,
      to: HOTLINE,
      subject: 'Out of office (fictional)',
      text: 'Away (fictional).',
      messageId: `<${id}>`,
      headers,
    });
    expect(info.response).toMatch(/^250/);
    expect(await threadOf(id)).toBeUndefined();
    expect(await signalsOf(from)).toEqual([]);
  });

  it('Auto-Submitted: no is a person: stored', async () => {
    const from = person();
    const id = mid();
    await deliver({
      from,
      to: HOTLINE,
      subject: 'Hi',
      text: 'Hi (fictional).',
      messageId: `<${id}>`,
      headers: { 'Auto-Submitted': 'no' },
    });
    expect(await threadOf(id)).toBeDefined();
  });

  it('a bounce (null sender, multipart/report) and our own Message-ID coming back', async () => {
    const from = person();
    const bounceId = mid();
    const bounce = rawMail(
      {
        From: 'MAILER-DAEMON@mail.example',
        To: HOTLINE,
        Subject: 'Undelivered',
        'Message-ID': `<${bounceId}>`,
      },
      'Delivery failed (fictional).',
    );
    expect(await rawDeliver(port, '', [HOTLINE], bounce)).toMatch(/^250/);
    expect(await threadOf(bounceId)).toBeUndefined();

    const reportId = mid();
    const report = rawMail(
      {
        From: from,
        To: HOTLINE,
        Subject: 'Delivery Status Notification',
        'Message-ID': `<${reportId}>`,
        'MIME-Version': '1.0',
        'Content-Type': 'multipart/report; report-type=delivery-status; boundary="b1"',
      },
      '--b1\r\nContent-Type: text/plain\r\n\r\nFailed (fictional).\r\n--b1\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b1--\r\n',
    );
    expect(await rawDeliver(port, from, [HOTLINE], report)).toMatch(/^250/);
    expect(await threadOf(reportId)).toBeUndefined();

    const ownId = `harbour.${randomUUID()}@hotline.harbour.example`;
    const own = rawMail(
      { From: from, To: HOTLINE, Subject: 'Re: x', 'Message-ID': `<${ownId}>` },
      'Loop (fictional).',
    );
    expect(await rawDeliver(port, from, [HOTLINE], own)).toMatch(/^250/);
    expect(await threadOf(ownId)).toBeUndefined();
    const selfId = mid();
    const self = rawMail(
      { From: HOTLINE_FR, To: HOTLINE, Subject: 'Self', 'Message-ID': `<${selfId}>` },
      'Self (fictional).',
    );
    expect(await rawDeliver(port, from, [HOTLINE], self)).toMatch(/^250/);
    expect(await threadOf(selfId)).toBeUndefined();
    expect(await signalsOf(from)).toEqual([]);
  });
});

describe('e-mail in: hostile and broken input', () => {
  it('offers neither AUTH nor STARTTLS, and refuses AUTH', async () => {
    const s = await rawSmtp(port);
    const ehlo = await s.cmd('EHLO client.mail.example');
    expect(ehlo).toMatch(/^250/);
    expect(ehlo).not.toMatch(/AUTH|STARTTLS/);
    expect(ehlo).toMatch(/SIZE 200000/);
    expect(await s.cmd('AUTH PLAIN AGZvbwBiYXI=')).toMatch(/^5\d\d/);
    expect(await s.cmd('STARTTLS')).toMatch(/^5\d\d/);
    s.close();
  });

  it('never relays: RCPT TO another address is 550, nothing stored', async () => {
    const from = person();
    const s = await rawSmtp(port);
    await s.cmd('EHLO client.mail.example');
    expect(await s.cmd(`MAIL FROM:<${from}>`)).toMatch(/^250/);
    expect(await s.cmd('RCPT TO:<someone@elsewhere.example>')).toMatch(/^550/);
    expect(await s.cmd('RCPT TO:<help@hotline.harbour.example.elsewhere.example>')).toMatch(/^550/);
    expect(await s.cmd('DATA')).toMatch(/^503/);
    s.close();
    await expect(
      deliver({ from, to: 'someone@elsewhere.example', subject: 'x', text: 'x' }),
    ).rejects.toMatchObject({
      responseCode: 550,
    });
    expect(await signalsOf(from)).toEqual([]);
  });

  it('too big: refused at MAIL FROM when declared (SIZE), else 552 after the data; nothing stored', async () => {
    const from = person();
    const s = await rawSmtp(port);
    await s.cmd('EHLO client.mail.example');
    expect(await s.cmd(`MAIL FROM:<${from}> SIZE=999999`)).toMatch(/^552/);
    s.close();
    const id = mid();
    const big = rawMail(
      { From: from, To: HOTLINE, Subject: 'Big', 'Message-ID': `<${id}>` },
      `${'x'.repeat(76)}\r\n`.repeat(4000),
    );
    expect(await rawDeliver(port, from, [HOTLINE], big)).toMatch(/^552/);
    await expect(
      deliver({
        from,
        to: HOTLINE,
        subject: 'Big',
        text: 'x',
        attachments: [{ filename: 'a.pdf', content: Buffer.alloc(300_000, 65) }],
      }),
    ).rejects.toMatchObject({ responseCode: 552 });
    expect(await threadOf(id)).toBeUndefined();
    expect(await signalsOf(from)).toEqual([]);
  });

  it('a mail loop (more than 30 Received headers) is 554; 30 are fine', async () => {
    const from = person();
    const loopId = mid();
    const received = (n: number) =>
      Object.fromEntries(
        Array.from({ length: n }, (_, i) => [
          `Received${' '.repeat(i)}`,
          `from relay${i}.mail.example by mx.mail.example; Mon, 1 Dec 2026 10:00:00 +0000`,
        ]),
      );
    const loop = rawMail(
      { ...received(31), From: from, To: HOTLINE, Subject: 'Loop', 'Message-ID': `<${loopId}>` },
      'Loop (fictional).',
    );
    expect(await rawDeliver(port, from, [HOTLINE], loop)).toMatch(/^554/);
    expect(await threadOf(loopId)).toBeUndefined();
    const okId = mid();
    const ok = rawMail(
      { ...received(30), From: from, To: HOTLINE, Subject: 'Hops', 'Message-ID': `<${okId}>` },
      'Hops (fictional).',
    );
    expect(await rawDeliver(port, from, [HOTLINE], ok)).toMatch(/^250/);
    expect(await threadOf(okId)).toBeDefined();
  });

  it('huge headers are 552, an empty message 554, garbage bytes are stored as safe text; the server keeps serving', async () => {
    const from = person();
    // A listener whose message limit is above the header limit (256 KB): 3,000 fields of 100 bytes.
    const hugeId = mid();
    const huge = rawMail(
      {
        From: from,
        To: HOTLINE,
        'Message-ID': `<${hugeId}>`,
        ...Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`X-Filler-${i}`, 'z'.repeat(86)])),
      },
      'Body (fictional).',
    );
    const wideEnv = await emailDeps(relay.port, { maxBytes: 1_000_000 });
    const wide = createEmailListener(wideEnv.deps);
    await wide.start();
    try {
      expect(await rawDeliver(wide.port()!, from, [HOTLINE], huge)).toMatch(/^552/);
    } finally {
      await wide.stop();
      await wideEnv.close();
    }
    expect(await threadOf(hugeId)).toBeUndefined();

    expect(await rawDeliver(port, from, [HOTLINE], '')).toMatch(/^554/);
    expect(await rawDeliver(port, from, [HOTLINE], rawMail({ From: from, To: HOTLINE }, ''))).toMatch(/^554/);

    const garbageId = mid();
    const garbage = Buffer.concat([
      Buffer.from(
        `From: ${from}\r\nTo: ${HOTLINE}\r\nMessage-ID: <${garbageId}>\r\nSubject: \xff\xfe\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n`,
        'latin1',
      ),
      Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0x00, 0x01, 0x41, 0x42, 0x0d, 0x0a]),
    ]);
    expect(await rawDeliver(port, from, [HOTLINE], garbage)).toMatch(/^250/);
    const signalId = (await threadOf(garbageId))!.signalId;
    const [m] = await messagesOf(signalId);
    expect(m!.text).toContain('AB');
    expect(m!.text.includes('\u0000') || m!.text.includes('\u0001')).toBe(false);

    const brokenId = mid();
    const broken = rawMail(
      {
        From: from,
        To: HOTLINE,
        'Message-ID': `<${brokenId}>`,
        'MIME-Version': '1.0',
        'Content-Type': 'multipart/mixed; boundary="never-closed"',
      },
      '--never-closed\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64 (fictional)\r\n--never-closed\r\nContent-Type: application/pdf\r\n\r\n',
    );
    // Broken MIME is stored as what can be read: the text as safe text, the empty part as a failed file (noted).
    expect(await rawDeliver(port, from, [HOTLINE], broken)).toMatch(/^250/);
    const brokenSignal = (await threadOf(brokenId))!.signalId;
    const brokenFiles = await db().select().from(attachment).where(eq(attachment.signalId, brokenSignal));
    expect(brokenFiles).toMatchObject([
      { state: 'failed', contentType: 'application/pdf', dataSealed: null },
    ]);
    const brokenMessages = await messagesOf(brokenSignal);
    expect(brokenMessages.map((m) => m.sender)).toEqual(['visitor', 'system']);
    expect(brokenMessages[1]!.text).toContain('could not be read');

    const s = await rawSmtp(port);
    expect(await s.cmd('EHLO still.mail.example')).toMatch(/^250/);
    expect(await s.cmd('NOOP')).toMatch(/^250/);
    s.close();
  });
});

describe('e-mail out: replies thread', () => {
  it('From the hotline address written to, To the person, Re: subject, In-Reply-To/References, own Message-ID stored; the answer threads', async () => {
    const from = person();
    const first = mid();
    const subject = 'Question about work (fictional)';
    secrets.push(from, subject);
    await deliver({ from, to: HOTLINE_FR, subject, text: 'First (fictional).', messageId: `<${first}>` });
    const signalId = (await threadOf(first))!.signalId;
    const second = mid();
    await deliver({
      from,
      to: HOTLINE_FR,
      subject: `Re: ${subject}`,
      text: 'Second (fictional).',
      messageId: `<${second}>`,
      inReplyTo: `<${first}>`,
    });
    const row = (await signalRow(signalId))!;
    const sender = createEmailSender(env.deps);
    const deliveryId = randomUUID();
    const before = relay.mails.length;
    const sent = await sender.send({
      signal: row,
      address: from,
      seq: 3,
      text: 'Reply from an advocate (fictional).',
      deliveryId,
    });
    const ownId = `harbour.${deliveryId}@hotline.harbour.example`;
    expect(sent).toEqual({ providerId: ownId, status: 'sent' });
    await expect.poll(() => relay.mails.length, { timeout: 10_000 }).toBe(before + 1);
    const mail = relay.mails.at(-1)!;
    expect(mail.from).toBe(HOTLINE_FR);
    expect(mail.to).toEqual([from]);
    const p = mail.parsed;
    expect(p.from?.value[0]?.address).toBe(HOTLINE_FR);
    expect(p.subject).toBe(`Re: ${subject}`);
    expect(p.messageId).toBe(`<${ownId}>`);
    expect(p.inReplyTo).toBe(`<${second}>`);
    expect(p.references).toEqual([`<${first}>`, `<${second}>`]);
    expect(p.headers.get('auto-submitted')).toBe('no');
    expect(p.text?.trim()).toBe('Reply from an advocate (fictional).');
    expect(await threadOf(ownId)).toMatchObject({ signalId, direction: 'out', seq: 3 });

    // The person answers our reply: it joins the same conversation.
    const third = mid();
    await deliver({
      from,
      to: HOTLINE_FR,
      subject: `Re: Re: ${subject}`,
      text: 'Thanks (fictional).',
      messageId: `<${third}>`,
      inReplyTo: `<${ownId}>`,
      references: [`<${first}>`, `<${second}>`, `<${ownId}>`],
    });
    expect((await threadOf(third))?.signalId).toBe(signalId);

    // A retry of the same delivery keeps its Message-ID (stored once).
    await sender.send({
      signal: row,
      address: from,
      seq: 3,
      text: 'Reply from an advocate (fictional).',
      deliveryId,
    });
    const outs = await db()
      .select()
      .from(emailMessage)
      .where(and(eq(emailMessage.signalId, signalId), eq(emailMessage.direction, 'out')));
    expect(outs).toHaveLength(1);
  });

  it('without a known hotline address: the first configured one, and a neutral subject', async () => {
    const to = person();
    const { signal: chat } = await env.deps.signals.startChat({ language: 'fr' });
    const sender = createEmailSender(env.deps);
    const before = relay.mails.length;
    await sender.send({
      signal: { ...chat, channel: 'email' },
      address: to,
      seq: 1,
      text: 'Bonjour (fictif).',
      deliveryId: randomUUID(),
    });
    await expect.poll(() => relay.mails.length, { timeout: 10_000 }).toBe(before + 1);
    const p = relay.mails.at(-1)!.parsed;
    expect(p.from?.value[0]?.address).toBe(HOTLINE);
    expect(p.subject).toBe('Re: Votre message');
    expect(p.inReplyTo).toBeUndefined();
  });
});

describe('e-mail out: bounces', () => {
  it('a delivery report (Action: failed) about our reply marks its delivery undelivered; other automatic mail does not', async () => {
    const from = person();
    const first = mid();
    await deliver({
      from,
      to: HOTLINE,
      subject: 'Bounce (fictional)',
      text: 'Hello (fictional).',
      messageId: `<${first}>`,
    });
    const signalId = (await threadOf(first))!.signalId;
    const deliveryId = randomUUID();
    const ownId = `harbour.${deliveryId}@hotline.harbour.example`;
    await db()
      .insert(channelDelivery)
      .values({ id: deliveryId, signalId, seq: 2, status: 'sent', providerId: ownId });
    const statusOf = async () =>
      (await db().select().from(channelDelivery).where(eq(channelDelivery.id, deliveryId)))[0]!;

    // An out-of-office from the null sender quoting our Message-ID is not a delivery report.
    const away = rawMail(
      { From: 'MAILER-DAEMON@mail.example', To: HOTLINE, Subject: 'Away', 'In-Reply-To': `<${ownId}>` },
      `Away until Monday (fictional). Re: <${ownId}>`,
    );
    expect(await rawDeliver(port, '', [HOTLINE], away)).toMatch(/^250/);
    expect((await statusOf()).status).toBe('sent');

    const report = rawMail(
      {
        From: 'MAILER-DAEMON@mail.example',
        To: HOTLINE,
        Subject: 'Undelivered Mail Returned to Sender',
        'Message-ID': `<${mid()}>`,
        'MIME-Version': '1.0',
        'Content-Type': 'multipart/report; report-type=delivery-status; boundary="dsn"',
      },
      [
        '--dsn',
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered (fictional).',
        '--dsn',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.mail.example',
        '',
        `Final-Recipient: rfc822; ${from}`,
        'Action: failed',
        'Status: 5.1.1',
        '--dsn',
        'Content-Type: text/rfc822-headers',
        '',
        `From: ${HOTLINE}`,
        `Message-ID: <${ownId}>`,
        '--dsn--',
        '',
      ].join('\r\n'),
    );
    expect(await rawDeliver(port, '', [HOTLINE], report)).toMatch(/^250/);
    expect(await statusOf()).toMatchObject({ status: 'undelivered', errorCode: 'EMAIL_BOUNCED' });
    const events = await db()
      .select()
      .from(signalEvent)
      .where(and(eq(signalEvent.signalId, signalId), eq(signalEvent.type, 'delivery')));
    expect(events.map((e) => e.data)).toEqual([{ seq: 2, status: 'undelivered' }]);
    // Nothing else was stored: no message, no new signal.
    expect(await messagesOf(signalId)).toHaveLength(1);
    expect(await signalsOf(from)).toHaveLength(1);
  });
});

describe('e-mail in: failures', () => {
  it('an internal failure answers 451 (the relay retries) and stores nothing; the retry then succeeds', async () => {
    const failing = await emailDeps(relay.port);
    let fail = true;
    const real = failing.deps.signals;
    failing.deps.signals = {
      ...real,
      arrive: async (input) => {
        if (fail) {
          return real.arrive({
            ...input,
            within: async (tx, row) => {
              await input.within?.(tx, row);
              throw new Error('simulated database failure');
            },
          });
        }
        return real.arrive(input);
      },
    };
    const l = createEmailListener(failing.deps);
    await l.start();
    try {
      const from = person();
      const id = mid();
      const raw = rawMail(
        { From: from, To: HOTLINE, Subject: 'Retry (fictional)', 'Message-ID': `<${id}>` },
        'Retry (fictional).',
      );
      expect(await rawDeliver(l.port()!, from, [HOTLINE], raw)).toMatch(/^451/);
      expect(await threadOf(id)).toBeUndefined();
      expect(await signalsOf(from)).toEqual([]);
      fail = false;
      expect(await rawDeliver(l.port()!, from, [HOTLINE], raw)).toMatch(/^250/);
      expect(await signalsOf(from)).toHaveLength(1);
      expect(failing.lines.join('\n')).toContain('e-mail could not be stored');
      expect(failing.lines.join('\n')).not.toContain('simulated database failure');
    } finally {
      await l.stop();
      await failing.close();
    }
  });

  it('is off without SMTP_PORT, and reports the real port when started on 0', async () => {
    const off = await emailDeps(relay.port, { smtpPort: undefined });
    const l = createEmailListener(off.deps);
    await l.start();
    expect(l.port()).toBeUndefined();
    await l.stop();
    await off.close();
    expect(port).toBeGreaterThan(0);
  });
});

describe('e-mail: the log', () => {
  it('holds counts and reasons, never an address, subject, text or file name', async () => {
    expect(env.lines.length).toBeGreaterThan(5);
    const log = env.lines.join('\n');
    expect(log).toContain('e-mail stored');
    expect(log).toContain('automatic e-mail dropped');
    expect(log).toContain('e-mail refused');
    for (const secret of secrets) expect(log).not.toContain(secret);
    expect(log).not.toMatch(/@mail\.example|fictional/);
  });
});
