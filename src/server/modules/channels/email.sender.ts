import type { ChannelsDeps } from './channels.module.js';
import type { ChannelSender } from './sender.js';

// PLACEHOLDER (issue 5 foundation): replaced by its owner; see docs/api/channels.md.
export function createEmailSender(_deps: ChannelsDeps): ChannelSender {
  return {
    send: async () => {
      throw new Error('not implemented');
    },
  };
}
