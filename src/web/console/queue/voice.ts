import type { Call, Device } from '@twilio/voice-sdk';
import { ApiError } from '../api/client';
import { getVoiceToken } from './api';

// Answering a phone signal in the browser (docs/api/channels.md): the Twilio Voice SDK is imported only when
// it is needed, gets a one-hour token from Harbour and joins the call's conference (`connect({params:
// {signal}})`). One call at a time, kept outside React so switching between conversations never drops it.
// Whatever fails (no SDK configuration, no microphone, Twilio unreachable) ends in a state with a reason the
// screen can explain: never an exception, never a call left half-open.

export type VoiceStatus = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'failed';
export type VoiceProblem = 'not_configured' | 'microphone' | 'unreachable' | 'failed';

export interface VoiceState {
  /** The phone signal the browser's audio belongs to. */
  signalId: string | null;
  status: VoiceStatus;
  problem: VoiceProblem | null;
}

/** What the store needs of the SDK (the real `Device`, or a stand-in in unit tests). */
export interface VoiceSdk {
  Device: new (
    token: string,
    options?: Device.Options,
  ) => Pick<Device, 'connect' | 'destroy' | 'on' | 'updateToken'>;
}

export interface VoiceStoreOptions {
  loadSdk: () => Promise<VoiceSdk>;
  fetchToken: () => Promise<{ token: string }>;
  /** Give up connecting after this long (Twilio unreachable, a blocked connection). */
  timeoutMs?: number;
}

type CallLike = Pick<Call, 'disconnect' | 'on'>;
type DeviceLike = InstanceType<VoiceSdk['Device']>;

/** Twilio's microphone errors (UserMediaErrors 31401/31402, MediaErrors 31208) and the browser's own. */
function problemOf(error: unknown): VoiceProblem {
  if (error instanceof ApiError)
    return error.code === 'VOICE_SDK_NOT_CONFIGURED' || error.status === 503 ? 'not_configured' : 'failed';
  const e = error as { code?: unknown; name?: unknown } | null;
  if (e && (e.code === 31401 || e.code === 31402 || e.code === 31208)) return 'microphone';
  if (e && (e.name === 'NotAllowedError' || e.name === 'NotFoundError' || e.name === 'NotReadableError'))
    return 'microphone';
  return 'unreachable';
}

export function createVoiceStore(options: VoiceStoreOptions) {
  const timeoutMs = options.timeoutMs ?? 20_000;
  let state: VoiceState = { signalId: null, status: 'idle', problem: null };
  const listeners = new Set<() => void>();
  const tried = new Set<string>();
  let attempt = 0;
  let device: DeviceLike | null = null;
  let call: CallLike | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const set = (next: VoiceState) => {
    state = next;
    for (const l of listeners) l();
  };

  /** Hangs up and frees the SDK (each step may throw on a half-built device: ignored). */
  const release = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const c = call;
    const d = device;
    call = null;
    device = null;
    try {
      c?.disconnect();
    } catch {
      // already gone
    }
    try {
      d?.destroy();
    } catch {
      // already gone
    }
  };

  const fail = (mine: number, signalId: string, problem: VoiceProblem) => {
    if (mine !== attempt) return;
    attempt += 1;
    release();
    set({ signalId, status: 'failed', problem });
  };

  const connect = async (signalId: string): Promise<void> => {
    if (state.signalId === signalId && (state.status === 'connecting' || state.status === 'connected'))
      return;
    release();
    attempt += 1;
    const mine = attempt;
    tried.add(signalId);
    set({ signalId, status: 'connecting', problem: null });
    timer = setTimeout(() => fail(mine, signalId, 'unreachable'), timeoutMs);
    try {
      const { token } = await options.fetchToken();
      if (mine !== attempt) return;
      const sdk = await options.loadSdk();
      if (mine !== attempt) return;
      const d = new sdk.Device(token, { closeProtection: true, logLevel: 'silent' });
      device = d;
      d.on('error', (error: unknown) => {
        if (mine === attempt && state.status === 'connecting') fail(mine, signalId, problemOf(error));
      });
      d.on('tokenWillExpire', () => {
        options
          .fetchToken()
          .then(({ token: fresh }) => {
            if (device === d) d.updateToken(fresh);
          })
          .catch(() => undefined);
      });
      const c = await d.connect({ params: { signal: signalId } });
      if (mine !== attempt) {
        try {
          c.disconnect();
        } catch {
          // already gone
        }
        return;
      }
      call = c;
      c.on('accept', () => {
        if (mine !== attempt) return;
        if (timer) clearTimeout(timer);
        timer = null;
        set({ signalId, status: 'connected', problem: null });
      });
      c.on('error', (error: unknown) => fail(mine, signalId, problemOf(error)));
      const ended = () => {
        if (mine !== attempt) return;
        attempt += 1;
        release();
        set({ signalId, status: 'disconnected', problem: null });
      };
      c.on('disconnect', ended);
      c.on('cancel', ended);
      c.on('reject', ended);
    } catch (error) {
      fail(mine, signalId, problemOf(error));
    }
  };

  return {
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get: (): VoiceState => state,
    connect,
    /** Connects once per signal on its own (answering); after that only when the advocate asks. */
    autoConnect(signalId: string): void {
      if (tried.has(signalId)) return;
      void connect(signalId);
    },
    /** Hangs up the browser's leg (of this signal only, when one is named). */
    disconnect(signalId?: string): void {
      if (signalId && state.signalId !== signalId) return;
      if (state.status === 'idle') return;
      attempt += 1;
      release();
      set({ signalId: state.signalId, status: 'idle', problem: null });
    },
    /** At sign-out: nothing left connected, nothing remembered. */
    reset(): void {
      attempt += 1;
      release();
      tried.clear();
      set({ signalId: null, status: 'idle', problem: null });
    },
  };
}

export type VoiceStore = ReturnType<typeof createVoiceStore>;

/** The console's one voice connection: the real SDK, loaded on first use. */
export const voiceStore: VoiceStore = createVoiceStore({
  loadSdk: () => import('@twilio/voice-sdk') as Promise<VoiceSdk>,
  fetchToken: getVoiceToken,
});
