import { inArray, type SQL, sql } from 'drizzle-orm';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import { signal } from '../../db/schema.js';
import type { Bus } from '../../platform/bus.js';
import type { Db } from '../../platform/db.js';
import type { Mailer } from '../../platform/mail.js';
import type { SignalsService } from '../queue/signals.service.js';
import type { ChannelHooks } from '../queue/staff.routes.js';
import { channelStaffRoutes } from './channel.routes.js';
import { createEmailSender } from './email.sender.js';
import { createEmailListener } from './email.server.js';
import { messagingRoutes } from './messaging.routes.js';
import { createTwilioSender } from './messaging.sender.js';
import { createOutbox } from './outbox.js';
import { createTwilioClient, type TwilioClient } from './twilio.js';
import { createVoiceHooks } from './voice.hooks.js';
import { voiceRoutes } from './voice.routes.js';

/**
 * Phone, SMS, WhatsApp and e-mail into the live queue (issue 5, docs/api/channels.md, ADR 0006).
 * `createChannels` builds what the module shares; `registerChannels` adds its routes, the outbox worker and the
 * SMTP listener to the app (started on ready, stopped on close).
 */
export interface ChannelsDeps {
  db: Db;
  config: Config;
  bus: Bus;
  signals: SignalsService;
  /** Outgoing replies by e-mail (SMTP_RELAY_URL, SMTP_URL, or the development outbox). */
  mailer: Mailer;
  log: FastifyBaseLogger;
  /** The `twilio` package's client; undefined when Twilio is not configured. */
  twilio: TwilioClient | undefined;
}

export function createChannels(deps: Omit<ChannelsDeps, 'twilio'>): {
  deps: ChannelsDeps;
  hooks: ChannelHooks;
} {
  const full: ChannelsDeps = {
    ...deps,
    twilio: deps.config.twilio ? createTwilioClient(deps.config.twilio) : undefined,
  };
  return { deps: full, hooks: createVoiceHooks(full) };
}

/**
 * Tests only: test files share one PostgreSQL database, each with its own app, stand-in and numbers. An app's
 * outbox then claims only the deliveries of conversations that came in on its own numbers / addresses, so no app
 * sends another file's messages to the wrong stand-in. (In production every process sends every delivery.)
 */
function ownDeliveries(config: ChannelsDeps['config']): () => SQL {
  const own = [
    ...(config.twilio?.numbers.map((n) => n.number) ?? []),
    ...(config.twilio?.whatsappFrom ? [config.twilio.whatsappFrom.replace(/^whatsapp:/, '')] : []),
    ...(config.email?.addresses ?? []),
  ];
  return () => (own.length > 0 ? inArray(signal.hotlineAddress, own) : sql`false`);
}

export async function registerChannels(app: FastifyInstance, deps: ChannelsDeps): Promise<void> {
  await app.register(voiceRoutes, deps);
  await app.register(messagingRoutes, deps);
  await app.register(channelStaffRoutes, deps);
  const outbox = createOutbox({
    ...deps,
    ...(deps.config.env === 'test' ? { claimWhere: ownDeliveries(deps.config) } : {}),
    senders: {
      sms: createTwilioSender(deps),
      whatsapp: createTwilioSender(deps),
      email: createEmailSender(deps),
    },
  });
  const listener = createEmailListener(deps);
  app.addHook('onReady', async () => {
    outbox.start();
    await listener.start();
  });
  app.addHook('onClose', async () => {
    await outbox.stop();
    await listener.stop();
  });
}
