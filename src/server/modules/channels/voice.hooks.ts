import type { ChannelHooks } from '../queue/staff.routes.js';
import type { ChannelsDeps } from './channels.module.js';
import { createVoiceService } from './voice.service.js';

/**
 * What the queue's staff routes do to a phone call after they committed (docs/api/channels.md): an accepted
 * offer redirects the caller into the conference (and dials a forwarded advocate), a transfer moves the
 * advocate's leg, an end hangs up. Signals of other channels are left alone. A Twilio failure is logged (without
 * personal data) and never undoes what the queue committed.
 */
export function createVoiceHooks(deps: ChannelsDeps): ChannelHooks {
  const voice = createVoiceService(deps);
  return {
    answered: async (signal, userId) => {
      if (signal.channel === 'phone') await voice.answered(signal, userId);
    },
    transferred: async (signal, byUserId, toUserId) => {
      if (signal.channel === 'phone') await voice.transferred(signal, byUserId, toUserId);
    },
    ended: async (signal) => {
      if (signal.channel === 'phone') await voice.ended(signal);
    },
  };
}
