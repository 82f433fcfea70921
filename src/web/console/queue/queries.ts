import { useQuery } from '@tanstack/react-query';
import {
  getCall,
  getChannel,
  getMyPresence,
  getQueue,
  getSignal,
  getVoiceEndpoint,
  getWallboard,
  listCannedResponses,
  listPresence,
} from './api';
import { queueKeys } from './keys';
import { useLiveStatus } from './live';

// Server state of the live queue. The WebSocket invalidates these keys on every event; while it is down the
// queries poll instead, so the screen never silently freezes.

const POLL_WHEN_LIVE = 60_000;
const POLL_WHEN_DOWN = 5_000;

function usePollInterval(): number {
  return useLiveStatus() === 'open' ? POLL_WHEN_LIVE : POLL_WHEN_DOWN;
}

export function useQueueSnapshot() {
  const interval = usePollInterval();
  return useQuery({
    queryKey: queueKeys.snapshot,
    queryFn: getQueue,
    refetchInterval: interval,
    staleTime: 0,
  });
}

/** My presence; Harbour may change it too (busy after offers time out), announced by a `presence` event. */
export function useMyPresence() {
  const interval = usePollInterval();
  return useQuery({
    queryKey: queueKeys.myPresence,
    queryFn: async () => (await getMyPresence()).presence,
    refetchInterval: interval,
  });
}

/** Everyone's presence (supervisors), or whoever the server lets this person see: transfer targets. */
export function useEveryone(enabled: boolean) {
  return useQuery({
    queryKey: queueKeys.everyone,
    queryFn: async () => (await listPresence()).presence,
    enabled,
    retry: false,
  });
}

export function useSignal(signalId: string | null) {
  const interval = usePollInterval();
  return useQuery({
    queryKey: queueKeys.signal(signalId ?? ''),
    queryFn: async () => (await getSignal(signalId ?? '')).signal,
    enabled: signalId !== null,
    refetchInterval: interval,
    staleTime: 0,
  });
}

export function useCannedResponses() {
  return useQuery({
    queryKey: queueKeys.canned,
    queryFn: async () => (await listCannedResponses()).responses,
    staleTime: 60 * 60_000,
  });
}

export function useWallboard() {
  const interval = usePollInterval();
  return useQuery({
    queryKey: queueKeys.wallboard,
    queryFn: async () => (await getWallboard()).wallboard,
    refetchInterval: interval,
    staleTime: 0,
  });
}

/** A phone signal's call card; the socket's `call` event refetches it. */
export function useCall(signalId: string, enabled: boolean) {
  const interval = usePollInterval();
  return useQuery({
    queryKey: queueKeys.call(signalId),
    queryFn: async () => (await getCall(signalId)).call,
    enabled,
    refetchInterval: interval,
    staleTime: 0,
    retry: 1,
  });
}

/** What the channel adds (hotline number, deliveries, attachments, WhatsApp window); an audited read. */
export function useChannel(signalId: string, enabled: boolean) {
  const interval = usePollInterval();
  return useQuery({
    queryKey: queueKeys.channel(signalId),
    queryFn: async () => (await getChannel(signalId)).channel,
    enabled,
    refetchInterval: interval,
    staleTime: 0,
    retry: 1,
  });
}

/** How I answer calls: in this browser, or on a forwarded number. */
export function useVoiceEndpoint() {
  return useQuery({
    queryKey: queueKeys.voiceEndpoint,
    queryFn: getVoiceEndpoint,
    staleTime: 5 * 60_000,
    retry: 1,
  });
}
