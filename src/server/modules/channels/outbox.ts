import type { ChannelsDeps } from './channels.module.js';
import type { ChannelSender } from './sender.js';

// PLACEHOLDER (issue 5 foundation): replaced by its owner; see docs/api/channels.md.
export function createOutbox(
  _deps: ChannelsDeps & { senders: Partial<Record<'sms' | 'whatsapp' | 'email', ChannelSender>> },
): { start(): void; stop(): Promise<void>; runOnce(): Promise<number> } {
  return { start() {}, stop: async () => {}, runOnce: async () => 0 };
}
