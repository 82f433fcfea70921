import type { ChannelsDeps } from './channels.module.js';

// PLACEHOLDER (issue 5 foundation): replaced by its owner; see docs/api/channels.md.
export function createEmailListener(_deps: ChannelsDeps): {
  start(): Promise<void>;
  stop(): Promise<void>;
  port(): number | undefined;
} {
  return { start: async () => {}, stop: async () => {}, port: () => undefined };
}
