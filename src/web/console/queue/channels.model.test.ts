import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import {
  callIsOver,
  canonicalLanguage,
  formatClock,
  interpreterOptions,
  patchDelivery,
  resolveLanguage,
  secondsSince,
  windowOpen,
} from './channels';
import { queueKeys } from './keys';
import { mergeTranscript } from './outbox';
import { keysForEvent, parseLiveEvent } from './realtime';
import type { ChannelInfo, TranscriptMessage } from './types';
import { createVoiceStore, type VoiceSdk } from './voice';

// Pure rules of the channel views (issue 5): the interpreter's language, the call clock, delivery statuses
// pushed by the socket, WhatsApp's reply window, and the browser's voice connection with a stand-in SDK.

const channel = (over: Partial<ChannelInfo> = {}): ChannelInfo => ({
  kind: 'sms',
  hotlineAddress: '+15550100001',
  campaign: null,
  repeatContacts: { count: 0, lastAt: null },
  window: null,
  deliveries: [{ seq: 2, status: 'pending', errorCode: null }],
  attachments: [],
  email: null,
  ...over,
});

describe('interpreter language', () => {
  it('accepts well-formed BCP 47 tags in canonical form and refuses the rest', () => {
    expect(canonicalLanguage('es')).toBe('es');
    expect(canonicalLanguage(' PT-br ')).toBe('pt-BR');
    expect(canonicalLanguage('zh-hant')).toBe('zh-Hant');
    expect(canonicalLanguage('')).toBeNull();
    expect(canonicalLanguage('Spanish language')).toBeNull();
    expect(canonicalLanguage('e')).toBeNull();
    expect(canonicalLanguage('<script>')).toBeNull();
    expect(canonicalLanguage('a'.repeat(40))).toBeNull();
  });

  it('names the usual languages in the UI language, sorted, and resolves a typed name or tag', () => {
    const en = interpreterOptions('en-CA');
    const fr = interpreterOptions('fr-CA');
    expect(en.find((o) => o.id === 'es')?.label).toBe('Spanish (es)');
    expect(fr.find((o) => o.id === 'es')?.label).toBe('espagnol (es)');
    const labels = en.map((o) => o.label);
    expect(labels).toEqual([...labels].sort(new Intl.Collator('en-CA').compare));
    expect(resolveLanguage('Spanish (es)', en)).toBe('es');
    expect(resolveLanguage('spanish', en)).toBe('es');
    expect(resolveLanguage('Espagnol', fr)).toBe('es');
    expect(resolveLanguage('pt-br', en)).toBe('pt-BR');
    expect(resolveLanguage('not a language', en)).toBeNull();
    // The caller's own choice is offered even when it is not a usual one.
    expect(interpreterOptions('en-CA', 'mt').some((o) => o.id === 'mt')).toBe(true);
  });
});

describe('call clock', () => {
  it('reads minutes and seconds, then hours', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(65)).toBe('1:05');
    expect(formatClock(3725)).toBe('1:02:05');
    expect(formatClock(-3)).toBe('0:00');
    expect(secondsSince(null, Date.now())).toBeNull();
    expect(secondsSince('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:01:30Z'))).toBe(90);
    expect(callIsOver('completed')).toBe(true);
    expect(callIsOver('in-progress')).toBe(false);
  });
});

describe('delivery statuses', () => {
  it('patches a known seq in place and asks for a refetch otherwise', () => {
    const before = channel();
    const after = patchDelivery(before, 2, 'delivered');
    expect(after?.deliveries).toEqual([{ seq: 2, status: 'delivered', errorCode: null }]);
    expect(before.deliveries[0]?.status).toBe('pending');
    expect(patchDelivery(before, 3, 'sent')).toBeNull();
    expect(patchDelivery(before, 2, 'exploded')).toBeNull();
    expect(patchDelivery(undefined, 2, 'sent')).toBeNull();
  });

  it('reads the socket events and refetches the right view', () => {
    expect(parseLiveEvent('{"type":"call","signal":"s1"}')).toEqual({ type: 'call', signal: 's1' });
    expect(parseLiveEvent('{"type":"delivery","signal":"s1","seq":4,"status":"read"}')).toEqual({
      type: 'delivery',
      signal: 's1',
      seq: 4,
      status: 'read',
    });
    expect(parseLiveEvent('{"type":"delivery","signal":"s1","seq":4}')).toBeNull();
    expect(parseLiveEvent('{"type":"call"}')).toBeNull();
    expect(keysForEvent({ type: 'call', signal: 's1' })).toEqual([queueKeys.call('s1')]);
    expect(keysForEvent({ type: 'delivery', signal: 's1', seq: 1, status: 'sent' })).toEqual([
      queueKeys.channel('s1'),
    ]);
  });

  it('shows the provider status on staff and system messages, never on the person’s', () => {
    const messages: TranscriptMessage[] = [
      { seq: 1, sender: 'visitor', clientId: 'SM1', text: 'hi (fictional)', at: '2026-01-01T00:00:00Z' },
      { seq: 2, sender: 'staff', clientId: 'c-1', text: 'hello', at: '2026-01-01T00:00:01Z' },
      { seq: 3, sender: 'system', clientId: 'ack', text: 'auto', at: '2026-01-01T00:00:02Z' },
    ];
    const deliveries = new Map([
      [2, { seq: 2, status: 'failed' as const, errorCode: '30003' }],
      [3, { seq: 3, status: 'delivered' as const, errorCode: null }],
    ]);
    const entries = mergeTranscript(messages, [], 0, deliveries);
    expect(entries.map((e) => e.remote?.status ?? null)).toEqual([null, 'failed', 'delivered']);
    expect(mergeTranscript(messages, [], 0).every((e) => !e.remote)).toBe(true);
  });
});

describe('WhatsApp reply window', () => {
  it('is open until its end, closed when the server says so', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(windowOpen(null, now)).toBe(true);
    expect(windowOpen({ open: true, endsAt: '2026-01-01T13:00:00Z' }, now)).toBe(true);
    expect(windowOpen({ open: true, endsAt: '2026-01-01T11:59:59Z' }, now)).toBe(false);
    expect(windowOpen({ open: false, endsAt: '2026-01-01T13:00:00Z' }, now)).toBe(false);
  });
});

/** A stand-in for the Voice SDK's Device and Call, driven by the test. */
function fakeSdk() {
  type Handler = (...args: unknown[]) => void;
  const made: { token: string; destroyed: boolean; connectParams: unknown; call: FakeCall | null }[] = [];
  class FakeCall {
    handlers = new Map<string, Handler[]>();
    disconnected = false;
    on(name: string, fn: Handler) {
      this.handlers.set(name, [...(this.handlers.get(name) ?? []), fn]);
      return this;
    }
    emit(name: string, ...args: unknown[]) {
      for (const fn of this.handlers.get(name) ?? []) fn(...args);
    }
    disconnect() {
      this.disconnected = true;
    }
  }
  let connectBehaviour: 'resolve' | 'hang' | 'reject' = 'resolve';
  class Device {
    record: (typeof made)[number];
    constructor(token: string) {
      this.record = { token, destroyed: false, connectParams: null, call: null };
      made.push(this.record);
    }
    on() {
      return this;
    }
    updateToken() {}
    destroy() {
      this.record.destroyed = true;
    }
    connect(options: { params: unknown }) {
      this.record.connectParams = options.params;
      if (connectBehaviour === 'hang') return new Promise(() => undefined);
      if (connectBehaviour === 'reject')
        return Promise.reject(Object.assign(new Error('x'), { code: 31401 }));
      const call = new FakeCall();
      this.record.call = call;
      return Promise.resolve(call);
    }
  }
  return {
    sdk: { Device } as unknown as VoiceSdk,
    made,
    behave: (b: typeof connectBehaviour) => {
      connectBehaviour = b;
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('voice store', () => {
  it('connects with the signal id, reports connected on accept, and hangs up on request', async () => {
    const fake = fakeSdk();
    const store = createVoiceStore({
      loadSdk: async () => fake.sdk,
      fetchToken: async () => ({ token: 'jwt' }),
    });
    await store.connect('sig-1');
    expect(store.get()).toEqual({ signalId: 'sig-1', status: 'connecting', problem: null });
    expect(fake.made[0]?.connectParams).toEqual({ signal: 'sig-1' });
    fake.made[0]?.call?.emit('accept');
    expect(store.get().status).toBe('connected');
    store.disconnect('other-signal');
    expect(store.get().status).toBe('connected');
    store.disconnect('sig-1');
    expect(store.get().status).toBe('idle');
    expect(fake.made[0]?.call?.disconnected).toBe(true);
    expect(fake.made[0]?.destroyed).toBe(true);
  });

  it('says the browser is not set up when Harbour has no Voice SDK keys (503), without loading the SDK', async () => {
    let loaded = false;
    const store = createVoiceStore({
      loadSdk: async () => {
        loaded = true;
        return fakeSdk().sdk;
      },
      fetchToken: async () => {
        throw new ApiError(503, 'VOICE_SDK_NOT_CONFIGURED', 'not configured');
      },
    });
    await store.connect('sig-1');
    expect(store.get()).toEqual({ signalId: 'sig-1', status: 'failed', problem: 'not_configured' });
    expect(loaded).toBe(false);
  });

  it('gives up when Twilio cannot be reached, and reports a refused microphone', async () => {
    const fake = fakeSdk();
    fake.behave('hang');
    const store = createVoiceStore({
      loadSdk: async () => fake.sdk,
      fetchToken: async () => ({ token: 'jwt' }),
      timeoutMs: 20,
    });
    void store.connect('sig-1');
    await new Promise((r) => setTimeout(r, 60));
    expect(store.get()).toMatchObject({ status: 'failed', problem: 'unreachable' });
    expect(fake.made[0]?.destroyed).toBe(true);

    fake.behave('reject');
    await store.connect('sig-1');
    expect(store.get()).toMatchObject({ status: 'failed', problem: 'microphone' });

    // A failing SDK import is a failure like any other, not an exception.
    const broken = createVoiceStore({
      loadSdk: async () => {
        throw new Error('chunk failed to load');
      },
      fetchToken: async () => ({ token: 'jwt' }),
    });
    await broken.connect('sig-2');
    expect(broken.get()).toMatchObject({ status: 'failed', problem: 'unreachable' });
  });

  it('connects on its own once per signal, and notices when the call ends', async () => {
    const fake = fakeSdk();
    const store = createVoiceStore({
      loadSdk: async () => fake.sdk,
      fetchToken: async () => ({ token: 'jwt' }),
    });
    store.autoConnect('sig-1');
    await tick();
    await tick();
    fake.made[0]?.call?.emit('accept');
    fake.made[0]?.call?.emit('disconnect');
    expect(store.get()).toMatchObject({ signalId: 'sig-1', status: 'disconnected' });
    store.autoConnect('sig-1');
    await tick();
    expect(fake.made).toHaveLength(1);
    store.reset();
    store.autoConnect('sig-1');
    await tick();
    await tick();
    expect(fake.made).toHaveLength(2);
    store.reset();
  });
});
