import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedDatabase, onPostgres } from '../helpers/db.js';
import { harbour, type ServerProcess, startServerProcess } from '../helpers/processes.js';
import { StaffSession } from '../helpers/staff-http.js';
import { type ChatFrame, Visitor } from '../helpers/visitor.js';

/**
 * The live queue as real processes: a server killed with SIGKILL in the middle of live chats loses no
 * acknowledged message, and (on PostgreSQL) two server processes share one queue through LISTEN/NOTIFY.
 */
describe('live queue across real processes', { timeout: 180_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hb-queue-'));
  let iso: Awaited<ReturnType<typeof isolatedDatabase>> | undefined;
  let env: Record<string, string | undefined>;
  const servers: ServerProcess[] = [];
  const visitors: Visitor[] = [];

  beforeAll(async () => {
    env = {
      HARBOUR_DATA_DIR: dataDir,
      NODE_ENV: 'development',
      HARBOUR_DEMO: 'true',
      DATABASE_URL: undefined,
    };
    if (onPostgres()) {
      iso = await isolatedDatabase();
      env.DATABASE_URL = iso.url;
    }
  });
  afterAll(async () => {
    for (const v of visitors) await v.close();
    for (const s of servers) await s.stop();
    await iso?.drop();
  });

  const start = async (extra: Record<string, string> = {}) => {
    const s = await startServerProcess({ ...env, ...extra });
    servers.push(s);
    return s;
  };
  const connect = async (url: string) => {
    const v = await Visitor.connect(url);
    visitors.push(v);
    return v;
  };

  it('SIGKILL mid-chat: after a restart every acknowledged message is there exactly once, and the chat resumes', async () => {
    let server = await start();
    const visitor = await connect(server.url);
    visitor.send({ type: 'start', language: 'fr' });
    const started = await visitor.next((f) => f.type === 'started');
    const token = String(started.token);
    expect(started.reference).toMatch(/^HB-/);

    const acked = new Map<string, number>();
    for (let i = 1; i <= 5; i++)
      acked.set(`kill-${i}`, await visitor.say(`kill-${i}`, `message ${i} (fictional)`));
    // Three more leave without waiting for their acks, and the server dies at once.
    for (let i = 6; i <= 8; i++)
      visitor.send({ type: 'message', id: `kill-${i}`, text: `message ${i} (fictional)` });
    server.child.kill('SIGKILL');
    await new Promise((r) => server.child.once('exit', r));
    servers.splice(servers.indexOf(server), 1);
    for (const f of visitor.frames) if (f.type === 'ack') acked.set(String(f.id), Number(f.seq));

    server = await start();
    const again = await connect(server.url);
    again.send({ type: 'resume', token, after: 0 });
    await again.next((f) => f.type === 'resumed');
    // Whatever was acknowledged is replayed, once, with the seq it was acknowledged with.
    for (const [id, seq] of acked) {
      await again.next((f) => f.type === 'message' && Number(f.seq) === seq);
      expect(again.frames.filter((f) => f.type === 'message' && Number(f.seq) === seq)).toHaveLength(1);
      expect(id).toMatch(/^kill-/);
    }
    // The client resends what it has no ack for (same ids): each is stored exactly once.
    for (let i = 6; i <= 8; i++) {
      const id = `kill-${i}`;
      const seq = await again.say(id, `message ${i} (fictional)`);
      if (acked.has(id)) expect(seq).toBe(acked.get(id));
      acked.set(id, seq);
    }
    const seqs = [...acked.values()].sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(8);
    // And the conversation goes on.
    const ninth = await again.say('kill-9', 'still here (fictional)');
    expect(ninth).toBeGreaterThan(seqs[seqs.length - 1]!);

    // A fresh resume replays exactly the nine visitor messages, in order, no duplicates.
    const third = await connect(server.url);
    third.send({ type: 'resume', token, after: 0 });
    await third.next((f) => f.type === 'resumed');
    await third.next((f) => f.type === 'message' && Number(f.seq) === ninth);
    const replayed = third.frames.filter((f): f is ChatFrame => f.type === 'message' && f.from === 'visitor');
    expect(replayed.map((f) => Number(f.seq))).toEqual([...seqs, ninth]);
  });

  it.runIf(onPostgres())(
    'two processes share one queue: a visitor on A reaches the advocate on B, both ways',
    async () => {
      const a = await start();
      const b = await start();
      const advocate = await StaffSession.signIn(b.url);
      expect(
        (await advocate.call('PUT', '/api/presence', { status: 'available', languages: ['en', 'fr'] }))
          .status,
      ).toBe(200);

      const visitor = await connect(a.url);
      visitor.send({ type: 'start', language: 'en' });
      await visitor.next((f) => f.type === 'started');
      await visitor.say('two-1', 'hello from process A (fictional)');

      // Whichever process routes it, the offer reaches the advocate on B (earlier tests' chats are ended here).
      const reference = String(visitor.frames.find((f) => f.type === 'started')?.reference);
      let signalId: string | undefined;
      for (let i = 0; i < 200 && !signalId; i++) {
        const q = (await advocate.call('GET', '/api/queue')).body as { offers?: { id: string }[] };
        const offer = q.offers?.[0];
        if (!offer) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        const accepted = await advocate.call('POST', `/api/offers/${offer.id}/accept`, {});
        expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
        const id = (accepted.body as { signalId: string }).signalId;
        const detail = (await advocate.call('GET', `/api/signals/${id}`)).body as {
          signal: { reference: string };
        };
        if (detail.signal.reference === reference) signalId = id;
        else expect((await advocate.call('POST', `/api/signals/${id}/end`, {})).status).toBeLessThan(300);
      }
      expect(signalId).toBeDefined();
      await visitor.next((f) => f.type === 'status' && f.state === 'connected');

      // B → A: the advocate's message reaches the visitor on the other process.
      const sent = await advocate.call('POST', `/api/signals/${signalId}/messages`, {
        id: 'adv-1',
        text: 'Hello, you are safe to talk here (fictional)',
      });
      expect(sent.status).toBeLessThan(300);
      const got = await visitor.next((f) => f.type === 'message' && f.from !== 'visitor');
      expect(got.text).toBe('Hello, you are safe to talk here (fictional)');

      // A → B: the visitor's reply is in the transcript B reads.
      await visitor.say('two-2', 'thank you (fictional)');
      const transcript = (await advocate.call('GET', `/api/signals/${signalId}`)).body as {
        signal: { messages: { text: string }[] };
      };
      expect(transcript.signal.messages.map((m) => m.text)).toEqual([
        'hello from process A (fictional)',
        'Hello, you are safe to talk here (fictional)',
        'thank you (fictional)',
      ]);
    },
  );

  it('`harbour simulate chat|form` sends real traffic to a running server', async () => {
    const server = servers[0] ?? (await start());
    const form = await harbour(['simulate', 'form', '--url', server.url, '--count', '6', '--contact'], env);
    expect(form.stderr).toBe('');
    expect(form.stdout).toMatch(/Reports: 6\/6 accepted/);
    expect(form.code).toBe(0);
    const chat = await harbour(
      ['simulate', 'chat', '--url', server.url, '--conversations', '3', '--messages', '2', '--interval', '0'],
      env,
    );
    expect(chat.stdout).toMatch(/Chats: 3\/3 started, 6 messages acknowledged/);
    expect(chat.stdout).toMatch(/References: (HB-\S+ ?){3}/);
    expect(chat.code).toBe(0);
    const bad = await harbour(['simulate', 'chat', '--url', 'javascript:alert(1)'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--url must be an http(s) URL');
  });
});
