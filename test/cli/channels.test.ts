import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedDatabase, onPostgres } from '../helpers/db.js';
import {
  freePort,
  harbour,
  type ServerProcess,
  startHarbour,
  startServerProcess,
} from '../helpers/processes.js';
import { StaffSession } from '../helpers/staff-http.js';
import { HOTLINE_EN, signatureFor, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN } from '../helpers/twilio.js';

interface SignalDetail {
  id: string;
  channel: string;
  state: string;
  endReason: string | null;
  answeredAt: string | null;
  messages: { seq: number; sender: string; clientId: string; text: string }[];
  events: { type: string; data: unknown }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(150);
  }
}

/** The open signals of a channel (the supervisor's queue: waiting and offered) whose transcript holds `text`. */
async function signalsWith(supervisor: StaffSession, channel: string, text: string): Promise<SignalDetail[]> {
  const queue = await supervisor.call('GET', '/api/queue');
  expect(queue.status).toBe(200);
  const ids = new Set<string>([
    ...(queue.body.waiting as { id: string; channel: string }[])
      .filter((w) => w.channel === channel)
      .map((w) => w.id),
    ...(queue.body.offers as { signalId: string; channel: string }[])
      .filter((o) => o.channel === channel)
      .map((o) => o.signalId),
  ]);
  const found: SignalDetail[] = [];
  for (const id of ids) {
    const detail = await supervisor.call('GET', `/api/signals/${id}`);
    const signal = detail.body.signal as SignalDetail;
    if (signal.messages.some((m) => m.text === text)) found.push(signal);
  }
  return found;
}

const uniqueText = (what: string) => `${what} ${randomBytes(4).toString('hex')} (fictional)`;
const PUBLIC_URL = 'http://harbour.test';
const HOTLINE_EMAIL = 'help@hotline.harbour.example';

/**
 * Phone, SMS, WhatsApp and e-mail as real processes (docs/api/channels.md): the server process is configured
 * with a Twilio account whose REST calls go to the port where `harbour simulate` runs its stand-in, and an SMTP
 * listener; the simulator (another process) plays Twilio and a mail client. Staff act through the HTTP API.
 */
describe('channels across real processes', { timeout: 240_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hb-channels-'));
  let iso: Awaited<ReturnType<typeof isolatedDatabase>> | undefined;
  let env: Record<string, string | undefined>;
  const servers: ServerProcess[] = [];
  let server: ServerProcess;

  beforeAll(async () => {
    env = {
      HARBOUR_DATA_DIR: dataDir,
      NODE_ENV: 'development',
      HARBOUR_DEMO: 'true',
      DATABASE_URL: undefined,
      HARBOUR_PUBLIC_URL: PUBLIC_URL,
      HARBOUR_PUBLIC_RATE_LIMIT: '100000',
      HARBOUR_OFFER_TIMEOUT_S: '60',
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      TWILIO_API_BASE_URL: `http://127.0.0.1:${await freePort()}`,
      TWILIO_NUMBERS: `${HOTLINE_EN}=en:main,+15550100002=fr:campagne-test`,
      TWILIO_WHATSAPP_FROM: 'whatsapp:+15550100003',
      SMTP_PORT: String(await freePort()),
      HARBOUR_EMAIL_ADDRESS: HOTLINE_EMAIL,
    };
    if (onPostgres()) {
      iso = await isolatedDatabase();
      env.DATABASE_URL = iso.url;
    }
    server = await start();
  }, 180_000); // a first start loads the demo data: slow on a busy machine
  afterAll(async () => {
    for (const s of servers) await s.stop();
    await iso?.drop();
  }, 60_000);

  async function start() {
    const s = await startServerProcess(env);
    servers.push(s);
    return s;
  }
  const supervisor = () => StaffSession.signIn(server.url, 'supervisor@demo.harbour.example');

  it('`harbour simulate sms|whatsapp`: a signed webhook becomes a queued signal; Harbour’s reply goes out through the stand-in and is acknowledged', async () => {
    const text = uniqueText('Simulated SMS: my employer keeps my passport');
    const sms = await harbour(
      ['simulate', 'sms', '--url', server.url, '--from', '+16135550142', '--message', text, '--wait', '30'],
      env,
    );
    expect(sms.stderr).toBe('');
    expect(sms.stdout).toMatch(/SMS: 1\/1 messages accepted/);
    // Nobody is available: the person still gets a reply (the unavailable text or the acknowledgement).
    expect(sms.stdout).toMatch(/reply from Harbour: "[^"]+/);
    expect(sms.stdout).toMatch(/reply delivered/);
    expect(sms.stdout).toMatch(/1 replies from Harbour acknowledged/);
    expect(sms.code).toBe(0);

    const sup = await supervisor();
    const [signal, ...others] = await eventually('the SMS signal', async () => {
      const found = await signalsWith(sup, 'sms', text);
      return found.length ? found : undefined;
    });
    expect(others).toHaveLength(0);
    expect(signal!.state).toBe('queued');
    expect(signal!.messages.filter((m) => m.sender === 'visitor').map((m) => m.text)).toEqual([text]);
    // The reply Harbour sent was acknowledged by the simulator's status callbacks.
    const channel = await sup.call('GET', `/api/signals/${signal!.id}/channel`);
    expect(channel.status).toBe(200);
    expect(channel.body.channel.kind).toBe('sms');
    expect(channel.body.channel.deliveries.map((d: { status: string }) => d.status)).toContain('delivered');

    // The same number again (--from with --count): the open conversation gets the messages, in order.
    const more = uniqueText('Simulated SMS: more');
    const again = await harbour(
      [
        'simulate',
        'sms',
        '--url',
        server.url,
        '--from',
        '+16135550142',
        '--count',
        '2',
        '--message',
        more,
        '--wait',
        '1',
      ],
      env,
    );
    expect(again.stdout).toMatch(/SMS: 2\/2 messages accepted/);
    expect(again.code).toBe(0);
    const continued = (await sup.call('GET', `/api/signals/${signal!.id}`)).body.signal as SignalDetail;
    expect(continued.messages.filter((m) => m.sender === 'visitor').map((m) => m.text)).toEqual([
      text,
      `${more} (1/2)`,
      `${more} (2/2)`,
    ]);

    const wa = uniqueText('Simulated WhatsApp: bonjour, j’ai besoin d’aide');
    const whatsapp = await harbour(
      ['simulate', 'whatsapp', '--url', server.url, '--language', 'fr', '--message', wa, '--wait', '30'],
      env,
    );
    expect(whatsapp.stderr).toBe('');
    expect(whatsapp.stdout).toMatch(/WhatsApp: 1\/1 messages accepted/);
    expect(whatsapp.stdout).toMatch(/reply read/);
    expect(whatsapp.code).toBe(0);
    const [chat] = await eventually('the WhatsApp signal', async () => {
      const found = await signalsWith(sup, 'whatsapp', wa);
      return found.length ? found : undefined;
    });
    const waChannel = await sup.call('GET', `/api/signals/${chat!.id}/channel`);
    expect(waChannel.body.channel.window.open).toBe(true);

    // Out of the way of the next tests' advocate.
    for (const id of [signal!.id, chat!.id])
      expect((await sup.call('POST', `/api/signals/${id}/end`, {})).status).toBe(200);
  });

  it('`harbour simulate call`: ringing → menu → queued; an advocate accepts the offer, the simulator sees the answer; another caller gives up; a forwarded advocate is dialled in and ends the call', async () => {
    const advocate = await StaffSession.signIn(server.url, 'advocate@demo.harbour.example');
    expect(
      (await advocate.call('PUT', '/api/presence', { status: 'available', languages: ['en'] })).status,
    ).toBe(200);
    try {
      const call = startHarbour(
        [
          'simulate',
          'call',
          '--url',
          server.url,
          '--from',
          '+14165550177',
          '--language',
          'en',
          '--abandon-after',
          '90',
          '--talk',
          '1',
        ],
        env,
      );
      await call.waitFor(/pressed 1: queued/);
      const offer = await eventually('the call’s offer', async () => {
        const q = await advocate.call('GET', '/api/queue');
        return (q.body.offers as { id: string; channel: string }[]).find((o) => o.channel === 'phone');
      });
      const accepted = await advocate.call('POST', `/api/offers/${offer.id}/accept`, {});
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
      const signalId = accepted.body.signalId as string;
      await call.waitFor(/answered after [\d.]+ s in the queue/);
      const done = await call.done;
      expect(done.stderr).toBe('');
      expect(done.stdout).toMatch(/the caller joined the conference/);
      expect(done.stdout).toMatch(/Calls: 1 placed, 1 answered, 0 abandoned/);
      expect(done.code).toBe(0);
      const signal = await eventually('the call’s end', async () => {
        const s = (await advocate.call('GET', `/api/signals/${signalId}`)).body.signal as SignalDetail;
        return s.state === 'ended' ? s : undefined;
      });
      expect(signal.channel).toBe('phone');
      expect(signal.answeredAt).not.toBeNull();
      expect(signal.endReason).toBe('completed');
      expect(signal.events.map((e) => e.type)).toContain('menu_choice');

      // A caller who is offered but not answered hangs up after 1 s: abandoned.
      const gaveUp = await harbour(
        ['simulate', 'call', '--url', server.url, '--abandon-after', '1', '--talk', '0'],
        env,
      );
      expect(gaveUp.stderr).toBe('');
      expect(gaveUp.stdout).toMatch(/no answer within 1 s/);
      expect(gaveUp.stdout).toMatch(/Calls: 1 placed, 0 answered, 1 abandoned/);
      expect(gaveUp.code).toBe(0);
      await eventually('the abandoned call’s offer withdrawn', async () => {
        const q = await advocate.call('GET', '/api/queue');
        const phone = [...q.body.offers, ...q.body.waiting].filter(
          (o: { channel: string }) => o.channel === 'phone',
        );
        return phone.length === 0 ? true : undefined;
      });

      // Answering on a forwarded number: Harbour dials the advocate into the conference (the simulator answers
      // for that leg too); the advocate ends the conversation and Harbour hangs the caller up.
      expect(
        (await advocate.call('PUT', '/api/voice/endpoint', { mode: 'forward', number: '+16135550111' }))
          .status,
      ).toBe(200);
      const forwarded = startHarbour(
        ['simulate', 'call', '--url', server.url, '--abandon-after', '90', '--talk', '120'],
        env,
      );
      await forwarded.waitFor(/pressed 1: queued/);
      const offer2 = await eventually('the forwarded call’s offer', async () => {
        const q = await advocate.call('GET', '/api/queue');
        return (q.body.offers as { id: string; channel: string }[]).find((o) => o.channel === 'phone');
      });
      const second = (await advocate.call('POST', `/api/offers/${offer2.id}/accept`, {})).body
        .signalId as string;
      await forwarded.waitFor(/a party Harbour dialled joined the conference/);
      const card = await eventually('the advocate’s leg joined', async () => {
        const c = (await advocate.call('GET', `/api/signals/${second}/call`)).body.call;
        return c?.parties?.some(
          (p: { kind: string; status: string }) => p.kind === 'advocate' && p.status === 'joined',
        )
          ? c
          : undefined;
      });
      expect(card.conference).toBe(true);
      expect((await advocate.call('POST', `/api/signals/${second}/end`, {})).status).toBe(200);
      const ended = await forwarded.done;
      expect(ended.stdout).toMatch(/Harbour hung up the call/);
      expect(ended.stdout).toMatch(/Calls: 1 placed, 1 answered, 0 abandoned/);
      expect(ended.code).toBe(0);
      const after = await eventually('the advocate’s leg left', async () => {
        const c = (await advocate.call('GET', `/api/signals/${second}/call`)).body.call;
        return c?.status === 'completed' && c.parties.every((p: { status: string }) => p.status === 'left')
          ? c
          : undefined;
      });
      expect(after.parties).toHaveLength(1);
    } finally {
      await advocate.call('PUT', '/api/voice/endpoint', { mode: 'browser' });
      await advocate.call('PUT', '/api/presence', { status: 'offline' });
    }
  });

  it('`harbour simulate email`: real SMTP becomes a queued e-mail signal; --reply-to-last threads into it', async () => {
    const text = uniqueText('Simulated e-mail: a friend cannot leave the farm');
    const first = await harbour(
      ['simulate', 'email', '--from', 'person-channels@sender.example', '--message', text],
      env,
    );
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/E-mails: 1\/1 accepted \(250\)/);
    expect(first.code).toBe(0);
    const sup = await supervisor();
    // 250 is answered after the commit: the signal is there at once.
    const [signal, ...others] = await signalsWith(sup, 'email', text);
    expect(others).toHaveLength(0);
    expect(signal?.state).toBe('queued');

    const again = uniqueText('Simulated e-mail: more details');
    const reply = await harbour(['simulate', 'email', '--reply-to-last', '--message', again], env);
    expect(reply.stderr).toBe('');
    expect(reply.code).toBe(0);
    const threaded = (await sup.call('GET', `/api/signals/${signal!.id}`)).body.signal as SignalDetail;
    expect(threaded.messages.filter((m) => m.sender === 'visitor').map((m) => m.text)).toEqual([text, again]);
    expect((await sup.call('POST', `/api/signals/${signal!.id}/end`, {})).status).toBe(200);
  });

  it('SIGKILL right after an SMS webhook was acknowledged: after a restart the message is there once, and a retried webhook is stored once', async () => {
    const text = uniqueText('Simulated SMS before the crash');
    const params = {
      AccountSid: TEST_ACCOUNT_SID,
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      From: '+19025550163',
      To: HOTLINE_EN,
      Body: text,
      NumMedia: '0',
    };
    const post = (base: string) =>
      fetch(`${base}/webhooks/twilio/messaging`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signatureFor(`${PUBLIC_URL}/webhooks/twilio/messaging`, params),
        },
        body: new URLSearchParams(params).toString(),
      });
    const acknowledged = await post(server.url);
    expect(acknowledged.status).toBe(200);
    server.child.kill('SIGKILL');
    await new Promise((r) => server.child.once('exit', r));
    servers.splice(servers.indexOf(server), 1);

    server = await start();
    const sup = await supervisor();
    const once = async () => {
      const found = await signalsWith(sup, 'sms', text);
      expect(found).toHaveLength(1);
      const mine = found[0]!.messages.filter((m) => m.text === text);
      expect(mine).toHaveLength(1);
      expect(mine[0]!.clientId).toBe(params.MessageSid);
      return found[0]!;
    };
    const before = await once();
    // Twilio retries the same webhook (it never saw our answer): a no-op answering like the first time.
    const retried = await post(server.url);
    expect(retried.status).toBe(200);
    const after = await once();
    expect(after.id).toBe(before.id);
    expect(after.messages).toHaveLength(before.messages.length);
    expect((await sup.call('POST', `/api/signals/${before.id}/end`, {})).status).toBe(200);
  });

  it('the simulator fails clearly: Harbour unreachable, a signature Harbour refuses (403), Twilio not configured there (503), the stand-in’s port taken, SMTP closed', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await harbour(['simulate', 'sms', '--url', closed], env);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`Harbour is not reachable at ${closed}`);

    const forged = await harbour(['simulate', 'sms', '--url', server.url], {
      ...env,
      TWILIO_AUTH_TOKEN: 'another-token-0123456789abcdef',
    });
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(/refused the signature .*403 TWILIO_SIGNATURE_INVALID/);

    // A Harbour without Twilio (answers like twilioWebhook does when unconfigured).
    const unconfigured = createServer((req, res) => {
      res.writeHead(req.url === '/healthz' ? 200 : 503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          req.url === '/healthz' ? { ok: true } : { error: { code: 'TWILIO_NOT_CONFIGURED', message: 'x' } },
        ),
      );
    });
    await new Promise<void>((r) => unconfigured.listen(0, '127.0.0.1', r));
    try {
      const port = (unconfigured.address() as AddressInfo).port;
      const r = await harbour(['simulate', 'call', '--url', `http://127.0.0.1:${port}`], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/answered 503 TWILIO_NOT_CONFIGURED.*Twilio is not configured/);
    } finally {
      unconfigured.close();
    }

    // Another simulator already plays Twilio on the stand-in's port.
    const busy = createServer((_req, res) => res.end());
    const standinPort = Number(new URL(String(env.TWILIO_API_BASE_URL)).port);
    await new Promise<void>((r) => busy.listen(standinPort, '127.0.0.1', r));
    try {
      const r = await harbour(['simulate', 'sms', '--url', server.url], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/port \d+ \(TWILIO_API_BASE_URL\) is in use/);
    } finally {
      busy.close();
    }

    const noSmtp = await harbour(['simulate', 'email'], { ...env, SMTP_PORT: String(await freePort()) });
    expect(noSmtp.code).toBe(1);
    expect(noSmtp.stderr).toMatch(/SMTP listener is not reachable/);

    const real = await harbour(['simulate', 'sms', '--url', server.url, '--from', '+16135551234'], env);
    expect(real.code).toBe(2);
    expect(real.stderr).toContain('--from must be a fictional number');
  });
});
