// TanStack Query keys of the live queue, in one place: the WebSocket invalidates exactly these.

export const queueKeys = {
  all: ['queue'] as const,
  snapshot: ['queue', 'snapshot'] as const,
  presence: ['queue', 'presence'] as const,
  myPresence: ['queue', 'presence', 'me'] as const,
  everyone: ['queue', 'presence', 'all'] as const,
  signals: ['queue', 'signal'] as const,
  signal: (id: string) => ['queue', 'signal', id] as const,
  typing: (id: string) => ['queue', 'typing', id] as const,
  canned: ['queue', 'canned'] as const,
  call: (id: string) => ['queue', 'call', id] as const,
  channel: (id: string) => ['queue', 'channel', id] as const,
  voiceEndpoint: ['queue', 'voice-endpoint'] as const,
  wallboard: ['queue', 'wallboard'] as const,
};

export type QueueKey = readonly unknown[];
