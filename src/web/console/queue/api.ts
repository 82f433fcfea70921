import { api } from '../api/client';
import type {
  CallInfo,
  CallParty,
  CannedResponse,
  ChannelInfo,
  Presence,
  PresenceStatus,
  QueueLanguage,
  QueueSnapshot,
  RevealReason,
  SignalDetail,
  TransferTarget,
  VoiceEndpoint,
  VoiceMode,
  Wallboard,
  WrapUpInput,
} from './types';

// One function per live-queue endpoint (docs/api/live-queue.md), so components never build URLs by hand.

const id = (value: string) => encodeURIComponent(value);

export const getQueue = () => api<QueueSnapshot>('/api/queue');

export const getMyPresence = () => api<{ presence: Presence }>('/api/presence');
export const listPresence = () => api<{ presence: Presence[] }>('/api/presence?all=true');
export const setPresence = (body: { status: PresenceStatus; languages?: QueueLanguage[] }) =>
  api<{ presence: Presence }>('/api/presence', { method: 'PUT', body });

export const acceptOffer = (offerId: string) =>
  api<{ signalId: string }>(`/api/offers/${id(offerId)}/accept`, { method: 'POST', body: {} });
export const declineOffer = (offerId: string) =>
  api<unknown>(`/api/offers/${id(offerId)}/decline`, { method: 'POST', body: {} });

export const getSignal = (signalId: string) => api<{ signal: SignalDetail }>(`/api/signals/${id(signalId)}`);
export const sendMessage = (signalId: string, body: { id: string; text: string }) =>
  api<{ seq: number; duplicate: boolean; at: string }>(`/api/signals/${id(signalId)}/messages`, {
    method: 'POST',
    body,
  });
export const markRead = (signalId: string, seq: number) =>
  api<unknown>(`/api/signals/${id(signalId)}/read`, { method: 'POST', body: { seq } });
export const sendTyping = (signalId: string, on: boolean) =>
  api<unknown>(`/api/signals/${id(signalId)}/typing`, { method: 'POST', body: { on } });
export const transferSignal = (signalId: string, target: TransferTarget, reason: string) =>
  api<{ signalId: string; assignedUserId: string }>(`/api/signals/${id(signalId)}/transfer`, {
    method: 'POST',
    body: { ...target, reason },
  });
export const endSignal = (signalId: string, reason?: 'completed' | 'reviewed' | 'spam') =>
  api<{ signalId: string; state: string; endReason: string | null; version: number }>(
    `/api/signals/${id(signalId)}/end`,
    { method: 'POST', body: reason ? { reason } : {} },
  );
export const saveWrapUp = (signalId: string, version: number, body: WrapUpInput) =>
  api<{ signal: SignalDetail }>(`/api/signals/${id(signalId)}/wrap-up`, {
    method: 'PUT',
    body,
    headers: { 'If-Match': String(version) },
  });

export const listCannedResponses = () => api<{ responses: CannedResponse[] }>('/api/canned-responses');

export const getWallboard = () => api<{ wallboard: Wallboard }>('/api/wallboard');

// ---- Channels (docs/api/channels.md) ----

export const getCall = (signalId: string) => api<{ call: CallInfo }>(`/api/signals/${id(signalId)}/call`);
export const holdCall = (signalId: string, on: boolean) =>
  api<{ call: CallInfo }>(`/api/signals/${id(signalId)}/call/hold`, { method: 'POST', body: { on } });
export const muteCall = (signalId: string, on: boolean) =>
  api<{ call: CallInfo }>(`/api/signals/${id(signalId)}/call/mute`, { method: 'POST', body: { on } });
export const addInterpreter = (signalId: string, language: string) =>
  api<{ party: CallParty }>(`/api/signals/${id(signalId)}/call/interpreter`, {
    method: 'POST',
    body: { language },
  });
export const endInterpreter = (signalId: string, partyId: string) =>
  api<{ party: CallParty }>(`/api/signals/${id(signalId)}/call/interpreter/${id(partyId)}/end`, {
    method: 'POST',
    body: {},
  });

export const getVoiceToken = () =>
  api<{ token: string; identity: string; expiresAt: string }>('/api/voice/token');
/** `{mode, forwardNumberSet}`, read whether or not the server wraps it in `{endpoint}`. */
function readEndpoint(payload: unknown): VoiceEndpoint {
  const raw =
    payload && typeof payload === 'object' && 'endpoint' in payload
      ? (payload as { endpoint: unknown }).endpoint
      : payload;
  const value = (raw ?? {}) as Partial<VoiceEndpoint>;
  return {
    mode: value.mode === 'forward' ? 'forward' : 'browser',
    forwardNumberSet: value.forwardNumberSet === true,
  };
}
export const getVoiceEndpoint = async () => readEndpoint(await api<unknown>('/api/voice/endpoint'));
export const setVoiceEndpoint = async (body: { mode: VoiceMode; number?: string }) =>
  readEndpoint(await api<unknown>('/api/voice/endpoint', { method: 'PUT', body }));

export const getChannel = (signalId: string) =>
  api<{ channel: ChannelInfo }>(`/api/signals/${id(signalId)}/channel`);
export const revealContact = (signalId: string, body: { reason: RevealReason; note?: string }) =>
  api<{ address: string }>(`/api/signals/${id(signalId)}/reveal-contact`, { method: 'POST', body });
/** A plain download link (the server answers `Content-Disposition: attachment`): never fetched into the page. */
export const attachmentUrl = (attachmentId: string) => `/api/attachments/${id(attachmentId)}`;
