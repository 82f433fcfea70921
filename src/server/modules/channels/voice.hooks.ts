import type { ChannelHooks } from '../queue/staff.routes.js';
import type { ChannelsDeps } from './channels.module.js';

// PLACEHOLDER (issue 5 foundation): replaced by its owner; see docs/api/channels.md.
export function createVoiceHooks(_deps: ChannelsDeps): ChannelHooks {
  return { answered: async () => {}, transferred: async () => {}, ended: async () => {} };
}
