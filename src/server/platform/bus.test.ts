import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, testDatabase } from '../../../test/helpers/db.js';
import { type Bus, type BusEvent, createBus, parseBusPayload, publish } from './bus.js';
import type { Db } from './db.js';

let db: Db;
let bus: Bus;

/** Collects the events about one signal id, so other tests' traffic on the shared channel is ignored. */
function collect(id: string) {
  const seen: BusEvent[] = [];
  const off = bus.subscribe((e) => {
    if ('signal' in e && e.signal === id) seen.push(e);
    if (e.topic === 'signal' && e.id === id) seen.push(e);
  });
  return { seen, off };
}

async function waitFor(check: () => boolean, ms = 2000) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

beforeAll(async () => {
  db = (await testDatabase()).db;
  bus = await createBus(db);
});
afterAll(async () => {
  await bus.close();
});

describe('bus', () => {
  it('delivers an event published in a transaction only after the commit', async () => {
    const id = randomUUID();
    const { seen, off } = collect(id);
    await db.transaction(async (tx) => {
      await publish(tx, { topic: 'message', signal: id, seq: 1, sender: 'visitor' });
      // Give a notification every chance to leak out before the commit.
      await new Promise((r) => setTimeout(r, 50));
      expect(seen).toEqual([]);
    });
    await waitFor(() => seen.length === 1);
    expect(seen[0]).toEqual({ topic: 'message', signal: id, seq: 1, sender: 'visitor' });
    off();
  });

  it('never delivers an event of a rolled-back transaction', async () => {
    const id = randomUUID();
    const after = randomUUID();
    const rolled = collect(id);
    const marker = collect(after);
    await expect(
      db.transaction(async (tx) => {
        await publish(tx, { topic: 'signal', id, state: 'queued' });
        throw new Error('rollback (test)');
      }),
    ).rejects.toThrow('rollback (test)');
    // A later committed event arrives; the rolled-back one never did.
    await publish(db, { topic: 'signal', id: after, state: 'queued' });
    await waitFor(() => marker.seen.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(rolled.seen).toEqual([]);
    rolled.off();
    marker.off();
  });

  it('delivers to every bus on the database (two listeners, one writer)', async () => {
    const second = await createBus(db);
    try {
      const id = randomUUID();
      const got: BusEvent[] = [];
      second.subscribe((e) => {
        if (e.topic === 'typing' && e.signal === id) got.push(e);
      });
      const mine = collect(id);
      await publish(db, { topic: 'typing', signal: id, who: 'staff', on: true });
      await waitFor(() => got.length === 1 && mine.seen.length === 1);
      mine.off();
    } finally {
      await second.close();
    }
  });

  it('ignores payloads that are not bus events', () => {
    expect(parseBusPayload('not json')).toBeUndefined();
    expect(parseBusPayload('{"topic":"resync"}')).toBeUndefined();
    expect(parseBusPayload('{"topic":"message","signal":"x","seq":1}')?.topic).toBe('message');
  });

  it.skipIf(!onPostgres())(
    'reconnects after losing its connection and asks subscribers to re-read',
    async () => {
      const name = `harbour-bus-test-${randomUUID().slice(0, 8)}`;
      const own = await createBus(db, { applicationName: name, reconnectMs: 20 });
      try {
        const seen: BusEvent[] = [];
        const id = randomUUID();
        own.subscribe((e) => {
          if (e.topic === 'resync' || (e.topic === 'signal' && e.id === id)) seen.push(e);
        });
        await db.execute(
          sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${name}`,
        );
        await waitFor(() => seen.some((e) => e.topic === 'resync'), 5000);
        expect(own.connected()).toBe(true);
        await publish(db, { topic: 'signal', id, state: 'queued' });
        await waitFor(() => seen.some((e) => e.topic === 'signal'));
      } finally {
        await own.close();
      }
    },
  );
});
