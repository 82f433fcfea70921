import { afterEach, describe, expect, it } from 'vitest';
import { crossedThreshold, durationParts, offerDeadline, secondsLeft } from './countdown';
import { queueKeys } from './keys';
import {
  lastVisitorSeq,
  mergeTranscript,
  newClientId,
  type Outgoing,
  outboxStore,
  pruneOutbox,
} from './outbox';
import {
  backoffDelay,
  connectLive,
  keysForEvent,
  liveSocketUrl,
  parseLiveEvent,
  type SocketHandlers,
} from './realtime';
import { selectedConversation } from './routes';
import type { TranscriptMessage, WrapUp } from './types';
import { conflictingFields, initialWrapUp, missingFields, sameWrapUp, toInput } from './wrapup';

// Pure rules of the live queue screen: what a pushed event refetches, reconnect back-off, the outbox that
// never loses a message, the offer countdown, and the wrap-up's conflict view.

describe('parseLiveEvent', () => {
  it('reads the events of the staff socket', () => {
    expect(parseLiveEvent('{"type":"queue"}')).toEqual({ type: 'queue' });
    expect(parseLiveEvent('{"type":"message","signal":"s1","seq":4}')).toEqual({
      type: 'message',
      signal: 's1',
      seq: 4,
    });
    expect(parseLiveEvent('{"type":"typing","signalId":"s1","who":"visitor","on":true}')).toEqual({
      type: 'typing',
      signal: 's1',
      who: 'visitor',
      on: true,
    });
    expect(parseLiveEvent('{"type":"read","signal_id":"s1","who":"visitor","seq":3}')).toEqual({
      type: 'read',
      signal: 's1',
      who: 'visitor',
      seq: 3,
    });
    expect(parseLiveEvent('{"type":"offer","id":"o1","user":"u1"}')).toEqual({ type: 'offer', id: 'o1' });
  });

  it('ignores what it does not understand', () => {
    expect(parseLiveEvent('not json')).toBeNull();
    expect(parseLiveEvent('{"type":"surprise"}')).toBeNull();
    expect(parseLiveEvent('{"type":"message"}')).toBeNull();
    expect(parseLiveEvent('[1,2]')).toBeNull();
    expect(parseLiveEvent(42)).toBeNull();
    expect(parseLiveEvent(`{"type":"queue","pad":"${'x'.repeat(9000)}"}`)).toBeNull();
  });
});

describe('keysForEvent', () => {
  it('refetches exactly what the event names', () => {
    expect(keysForEvent({ type: 'offer' })).toEqual([queueKeys.snapshot]);
    expect(keysForEvent({ type: 'message', signal: 's1', seq: 2 })).toEqual([
      queueKeys.signal('s1'),
      queueKeys.snapshot,
      queueKeys.channel('s1'),
    ]);
    expect(keysForEvent({ type: 'read', signal: 's1', who: 'visitor', seq: 2 })).toEqual([
      queueKeys.signal('s1'),
    ]);
    expect(keysForEvent({ type: 'wallboard' })).toEqual([queueKeys.wallboard]);
    expect(keysForEvent({ type: 'presence' })).toEqual([queueKeys.presence, queueKeys.wallboard]);
    expect(keysForEvent({ type: 'typing', signal: 's1', who: 'visitor', on: true })).toEqual([]);
  });

  it('uses keys that prefix-match the queries they mean', () => {
    expect(queueKeys.myPresence.slice(0, queueKeys.presence.length)).toEqual([...queueKeys.presence]);
    expect(queueKeys.signal('x').slice(0, queueKeys.all.length)).toEqual([...queueKeys.all]);
  });
});

describe('backoffDelay', () => {
  it('doubles from half a second up to 30 s, with jitter between half and all of it', () => {
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(0, () => 0)).toBe(250);
    expect(backoffDelay(3, () => 1)).toBe(4000);
    expect(backoffDelay(10, () => 1)).toBe(30_000);
    expect(backoffDelay(1000, () => 1)).toBe(30_000);
    expect(backoffDelay(-1, () => 1)).toBe(500);
  });
});

describe('liveSocketUrl', () => {
  it('follows the page: same host, wss under https', () => {
    expect(liveSocketUrl({ protocol: 'https:', host: 'harbour.example' })).toBe(
      'wss://harbour.example/api/ws',
    );
    expect(liveSocketUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/api/ws');
  });
});

const msg = (
  seq: number,
  sender: TranscriptMessage['sender'],
  clientId: string | null,
  text = `m${seq}`,
) => ({
  seq,
  sender,
  clientId,
  text,
  at: '2026-01-01T12:00:00Z',
});
const out = (
  clientId: string,
  status: Outgoing['status'],
  createdAt: number,
  seq: number | null = null,
): Outgoing => ({
  clientId,
  text: `text ${clientId}`,
  status,
  seq,
  createdAt,
});

describe('mergeTranscript', () => {
  it('shows the server’s messages in order, then mine still on their way, never twice', () => {
    const server = [msg(2, 'staff', 'c-a'), msg(1, 'visitor', 'v-1'), msg(3, 'visitor', 'v-2')];
    const outgoing = [out('c-b', 'failed', 2), out('c-a', 'sent', 1, 2), out('c-c', 'pending', 3)];
    const entries = mergeTranscript(server, outgoing, 0);
    expect(entries.map((e) => [e.seq, e.sender, e.delivery])).toEqual([
      [1, 'visitor', null],
      [2, 'staff', 'sent'],
      [3, 'visitor', null],
      [null, 'staff', 'failed'],
      [null, 'staff', 'pending'],
    ]);
  });

  it('marks my messages read up to what the visitor has read', () => {
    const server = [msg(1, 'staff', 'c-1'), msg(2, 'staff', 'c-2')];
    expect(mergeTranscript(server, [], 1).map((e) => e.delivery)).toEqual(['read', 'sent']);
  });

  it('recognises a sent message by its seq even before the server reports its client id', () => {
    const server = [msg(5, 'staff', null)];
    expect(mergeTranscript(server, [out('c-x', 'sent', 1, 5)], 0)).toHaveLength(1);
  });
});

describe('pruneOutbox and the outbox store', () => {
  afterEach(() => outboxStore.clear());

  it('keeps pending and failed messages until the server holds them', () => {
    const outgoing = [out('c-a', 'sent', 1, 2), out('c-b', 'failed', 2), out('c-c', 'pending', 3)];
    expect(pruneOutbox(outgoing, [msg(2, 'staff', 'c-a')]).map((o) => o.clientId)).toEqual(['c-b', 'c-c']);
  });

  it('stores per conversation, updates in place, and forgets everything at sign-out', () => {
    outboxStore.add('s1', out('c-1', 'pending', 1));
    outboxStore.add('s2', out('c-2', 'pending', 1));
    outboxStore.update('s1', 'c-1', { status: 'failed' });
    expect(outboxStore.get('s1').map((o) => o.status)).toEqual(['failed']);
    expect(outboxStore.get('s2')).toHaveLength(1);
    outboxStore.setDraft('s1', 'half a sentence');
    expect(outboxStore.draft('s1')).toBe('half a sentence');
    outboxStore.clear();
    expect(outboxStore.get('s1')).toEqual([]);
    expect(outboxStore.draft('s1')).toBe('');
  });

  it('gives every message a distinct client id', () => {
    const ids = new Set(Array.from({ length: 50 }, newClientId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^c-[0-9a-f-]{32,36}$/);
  });

  it('finds the last visitor message', () => {
    expect(lastVisitorSeq([msg(1, 'visitor', null), msg(4, 'visitor', null), msg(5, 'staff', 'c')])).toBe(4);
    expect(lastVisitorSeq([])).toBe(0);
  });
});

describe('offer countdown', () => {
  const offer = { offeredAt: '2026-01-01T12:00:00.000Z', expiresAt: '2026-01-01T12:00:20.000Z' };
  const offered = Date.parse(offer.offeredAt);

  it('never shows more time than the offer really has, whatever the browser clock says', () => {
    // Browser clock 5 s behind the server: the offer's own length wins.
    expect(offerDeadline(offer, offered - 5000)).toBe(offered + 15_000);
    // Browser clock ahead: expiresAt read literally is already the earlier one.
    expect(offerDeadline(offer, offered + 5000)).toBe(offered + 20_000);
  });

  it('counts whole seconds, never below zero', () => {
    expect(secondsLeft(10_000, 0)).toBe(10);
    expect(secondsLeft(10_000, 1)).toBe(10);
    expect(secondsLeft(10_000, 9_001)).toBe(1);
    expect(secondsLeft(10_000, 20_000)).toBe(0);
  });

  it('announces once when crossing 10 s left, not every second', () => {
    expect(crossedThreshold(11, 10)).toBe(10);
    expect(crossedThreshold(12, 9)).toBe(10);
    expect(crossedThreshold(10, 9)).toBeNull();
    expect(crossedThreshold(15, 14)).toBeNull();
  });

  it('splits durations into minutes and seconds', () => {
    expect(durationParts(45)).toEqual({ minutes: 0, seconds: 45 });
    expect(durationParts(125.4)).toEqual({ minutes: 2, seconds: 5 });
    expect(durationParts(-3)).toEqual({ minutes: 0, seconds: 0 });
  });
});

describe('wrap-up', () => {
  const empty: WrapUp = {
    callerType: null,
    region: null,
    language: null,
    heardAbout: null,
    wrappedUpAt: null,
  };

  it('starts from what is saved, else the conversation’s language', () => {
    expect(initialWrapUp(empty, 'fr')).toEqual({
      callerType: null,
      region: null,
      language: 'fr',
      heardAbout: null,
    });
    expect(initialWrapUp({ ...empty, language: 'en', region: 'QC' }, 'fr').language).toBe('en');
  });

  it('lists what is still missing and sends the API’s field names', () => {
    const values = { callerType: 'potential_victim', region: 'ON', language: 'en', heardAbout: null };
    expect(missingFields(values)).toEqual(['heardAbout']);
    expect(toInput({ ...values, heardAbout: 'police' })).toEqual({
      caller_type: 'potential_victim',
      region: 'ON',
      language: 'en',
      heard_about: 'police',
    });
  });

  it('after a conflict, shows only where the other person’s answers differ from mine', () => {
    const mine = { callerType: 'potential_victim', region: 'ON', language: 'en', heardAbout: 'police' };
    const theirs: WrapUp = {
      ...empty,
      callerType: 'potential_victim',
      region: 'QC',
      language: 'en',
      heardAbout: null,
    };
    expect(conflictingFields(mine, theirs)).toEqual(['region', 'heardAbout']);
    expect(conflictingFields(mine, { ...theirs, region: 'ON', heardAbout: 'police' })).toEqual([]);
  });

  it('tells a version bump that left the answers alone from a real change by someone else', () => {
    expect(sameWrapUp(empty, { ...empty, wrappedUpAt: '2026-01-01T00:00:00Z' })).toBe(true);
    expect(sameWrapUp(empty, { ...empty, region: 'QC' })).toBe(false);
  });
});

describe('selectedConversation', () => {
  it('reads the open conversation from the query string, refusing anything odd', () => {
    expect(selectedConversation('?c=0b0e7c1a-1111-4222-8333-444455556666')).toBe(
      '0b0e7c1a-1111-4222-8333-444455556666',
    );
    expect(selectedConversation('')).toBeNull();
    expect(selectedConversation('?c=../../api')).toBeNull();
    expect(selectedConversation('?c=')).toBeNull();
  });
});

describe('connectLive', () => {
  class FakeSocket {
    closed = false;
    constructor(readonly handlers: SocketHandlers) {}
    open() {
      this.handlers.onOpen();
    }
    receive(data: unknown) {
      this.handlers.onMessage(data);
    }
    close(code?: number) {
      if (this.closed) return;
      this.closed = true;
      this.handlers.onClose(code);
    }
  }

  function harness() {
    const sockets: FakeSocket[] = [];
    const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
    const statuses: string[] = [];
    const events: unknown[] = [];
    let resyncs = 0;
    let sessionEnded = 0;
    const connection = connectLive({
      url: 'ws://test/api/ws',
      open: (_url, handlers) => {
        const s = new FakeSocket(handlers);
        sockets.push(s);
        return s;
      },
      onEvent: (e) => events.push(e),
      onStatus: (s) => statuses.push(s),
      onResync: () => {
        resyncs += 1;
      },
      onSessionEnded: () => {
        sessionEnded += 1;
      },
      schedule: (fn, ms) => {
        const t = { fn, ms, cancelled: false };
        timers.push(t);
        return t;
      },
      cancel: (t) => {
        (t as { cancelled: boolean }).cancelled = true;
      },
      random: () => 1,
    });
    return {
      sockets,
      timers,
      statuses,
      events,
      resyncs: () => resyncs,
      ended: () => sessionEnded,
      connection,
    };
  }

  it('passes events on, reconnects with growing back-off, and refetches everything after a reconnect', () => {
    const h = harness();
    h.sockets[0]?.open();
    h.sockets[0]?.receive('{"type":"message","signal":"s1","seq":3}');
    h.sockets[0]?.receive('garbage');
    expect(h.events).toEqual([{ type: 'message', signal: 's1', seq: 3 }]);
    expect(h.resyncs()).toBe(0);

    h.sockets[0]?.close();
    expect(h.statuses.at(-1)).toBe('reconnecting');
    expect(h.timers.map((t) => t.ms)).toEqual([500]);
    h.timers[0]?.fn();
    h.sockets[1]?.close(); // the server is still down
    expect(h.timers.map((t) => t.ms)).toEqual([500, 1000]);
    h.timers[1]?.fn();
    h.sockets[2]?.open();
    expect(h.statuses.at(-1)).toBe('open');
    expect(h.resyncs()).toBe(1);

    // Back-off starts over after a successful connection.
    h.sockets[2]?.close();
    expect(h.timers.at(-1)?.ms).toBe(500);
  });

  it('reports a session ended by the server (close 4401) and still retries', () => {
    const h = harness();
    h.sockets[0]?.open();
    h.sockets[0]?.close(1006);
    expect(h.ended()).toBe(0);
    h.timers[0]?.fn();
    h.sockets[1]?.close(4401);
    expect(h.ended()).toBe(1);
    expect(h.timers).toHaveLength(2);
  });

  it('retries at once when asked, and stops for good', () => {
    const h = harness();
    h.sockets[0]?.close();
    expect(h.timers).toHaveLength(1);
    h.connection.retryNow();
    expect(h.timers[0]?.cancelled).toBe(true);
    expect(h.sockets).toHaveLength(2);
    h.connection.stop();
    expect(h.sockets[1]?.closed).toBe(true);
    expect(h.timers).toHaveLength(1);
  });
});
