import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import twilio from 'twilio';
import type { Config, TwilioConfig } from '../../config.js';
import { channelReceipt } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';

/**
 * Twilio plumbing shared by the voice and messaging modules (docs/api/channels.md, ADR 0006):
 * the REST client (its origin configurable, so tests and the simulator use the stand-in), webhook signature
 * validation, TwiML replies, and the once-only receipts that make a retried webhook a no-op.
 */

const TWILIO_ORIGIN = 'https://api.twilio.com';

/** The package's own RequestClient, with every `https://api.twilio.com` URI sent to `apiBaseUrl` instead. */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly base: string) {
    super({ timeout: 15_000 });
  }
  override request<TData>(opts: Parameters<twilio.RequestClient['request']>[0]) {
    const uri = String(opts.uri);
    if (uri.startsWith(TWILIO_ORIGIN)) opts.uri = this.base + uri.slice(TWILIO_ORIGIN.length);
    return super.request<TData>(opts as never);
  }
}

export type TwilioClient = ReturnType<typeof twilio>;

/** The `twilio` package's client for this account; REST calls go to `cfg.apiBaseUrl`. */
export function createTwilioClient(cfg: TwilioConfig): TwilioClient {
  const httpClient = cfg.apiBaseUrl === TWILIO_ORIGIN ? undefined : new BaseUrlRequestClient(cfg.apiBaseUrl);
  return twilio(cfg.accountSid, cfg.authToken, httpClient ? { httpClient } : {});
}

/** The form parameters Twilio signed: every value a string (the first of a repeated key). */
export function formParams(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && typeof v[0] === 'string') out[k] = v[0];
  }
  return out;
}

/**
 * preHandler of every `/webhooks/twilio/*` route: 503 TWILIO_NOT_CONFIGURED without an account; 403
 * TWILIO_SIGNATURE_INVALID unless `X-Twilio-Signature` matches `publicUrl + request.url` and the form body
 * (the real `twilio.validateRequest`). Runs before the handler, so a refused webhook stores nothing.
 */
export function twilioWebhook(config: Pick<Config, 'twilio' | 'publicUrl'>): preHandlerAsyncHookHandler {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const cfg = config.twilio;
    if (!cfg) throw new AppError('TWILIO_NOT_CONFIGURED', 503);
    const signature = request.headers['x-twilio-signature'];
    if (typeof signature !== 'string' || signature.length === 0 || signature.length > 200)
      throw new AppError('TWILIO_SIGNATURE_INVALID', 403);
    const url = config.publicUrl + request.url;
    if (!twilio.validateRequest(cfg.authToken, signature, url, formParams(request.body)))
      throw new AppError('TWILIO_SIGNATURE_INVALID', 403);
  };
}

/** Sends TwiML (`VoiceResponse` / `MessagingResponse`) as text/xml. */
export function sendTwiml(reply: FastifyReply, response: { toString(): string }): FastifyReply {
  return reply.type('text/xml; charset=utf-8').header('cache-control', 'no-store').send(response.toString());
}

export const VoiceResponse = twilio.twiml.VoiceResponse;
export const MessagingResponse = twilio.twiml.MessagingResponse;

/**
 * Records that `provider`/`key` has been processed, in the caller's transaction: true the first time, false for a
 * retry (then the caller does nothing and answers as the first time did).
 */
export async function claimReceipt(
  tx: Db,
  provider: 'twilio' | 'smtp',
  key: string,
  signalId?: string | null,
): Promise<boolean> {
  const rows = await tx
    .insert(channelReceipt)
    .values({ provider, key: key.slice(0, 300), signalId: signalId ?? null })
    .onConflictDoNothing()
    .returning({ key: channelReceipt.key });
  return rows.length > 0;
}
