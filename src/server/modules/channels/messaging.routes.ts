import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { publicPolicy } from '../../platform/policy.js';
import type { ChannelsDeps } from './channels.module.js';
import { createMessagingService } from './messaging.service.js';
import { formParams, MessagingResponse, sendTwiml, twilioWebhook } from './twilio.js';

/**
 * Twilio Messaging webhooks (docs/api/channels.md, "SMS and WhatsApp"): form-encoded, signed (403 otherwise,
 * before anything is read or stored; 503 when Twilio is not configured), answered with an empty TwiML
 * `<Response/>` (replies go through the outbox, never inline TwiML).
 */

/** Far above any Twilio webhook (1,600-character SMS, 4,096 on WhatsApp, 10 media URLs). */
export const MESSAGING_BODY_LIMIT = 64 * 1024;

export async function messagingRoutes(app: FastifyInstance, deps: ChannelsDeps): Promise<void> {
  await app.register(fastifyFormbody, { bodyLimit: MESSAGING_BODY_LIMIT });
  const messaging = createMessagingService(deps);
  const verify = twilioWebhook(deps.config);
  // Every webhook comes from Twilio's few addresses: a generous limit that still stops a flood.
  const rateLimit = { max: Math.max(1200, deps.config.publicRateLimit), timeWindow: '1 minute' };
  const empty = () => new MessagingResponse();

  app.post(
    '/webhooks/twilio/messaging',
    {
      bodyLimit: MESSAGING_BODY_LIMIT,
      preHandler: verify,
      config: { policy: publicPolicy, rateLimit },
      schema: {
        tags: ['channels'],
        summary: 'Twilio: an incoming SMS or WhatsApp message (signed; answers empty TwiML)',
      },
    },
    async (request, reply) => {
      await messaging.inbound(formParams(request.body));
      return sendTwiml(reply, empty());
    },
  );

  app.post(
    '/webhooks/twilio/messaging/status',
    {
      bodyLimit: MESSAGING_BODY_LIMIT,
      preHandler: verify,
      config: { policy: publicPolicy, rateLimit },
      schema: {
        tags: ['channels'],
        summary: 'Twilio: the delivery status of a message Harbour sent (signed; moves only forward)',
      },
    },
    async (request, reply) => {
      await messaging.status(formParams(request.body));
      return sendTwiml(reply, empty());
    },
  );
}
