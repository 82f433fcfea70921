import type { TwilioConfig } from '../../config.js';
import type { ChannelsDeps } from './channels.module.js';
import { type ChannelSender, type OutgoingMessage, PermanentSendError } from './sender.js';

/**
 * SMS and WhatsApp replies through Twilio Messaging (docs/api/channels.md): the outbox hands one message; this
 * sends it with `messages.create` from the number the person wrote to (the signal's `hotline_address`), else
 * TWILIO_CALLER_ID / TWILIO_WHATSAPP_FROM, with the status callback that moves the delivery forward.
 *
 * Errors: Twilio's 4xx refusals (invalid or unsubscribed number, outside the WhatsApp window…) are permanent
 * (`PermanentSendError` with Twilio's error code: the outbox fails the delivery at once); 401/403 (credentials),
 * 429, 5xx and network errors are retried. Error messages are never kept: Twilio's may contain the number.
 */

export const STATUS_CALLBACK_PATH = '/webhooks/twilio/messaging/status';

const withPrefix = (value: string) => (value.startsWith('whatsapp:') ? value : `whatsapp:${value}`);

/** The `From` of a reply on this signal's channel, or undefined when none is configured. */
export function replyFrom(
  cfg: Pick<TwilioConfig, 'callerId' | 'whatsappFrom' | 'numbers'>,
  channel: 'sms' | 'whatsapp',
  hotlineAddress: string | null,
): string | undefined {
  if (channel === 'whatsapp') {
    if (hotlineAddress) return withPrefix(hotlineAddress);
    return cfg.whatsappFrom ? withPrefix(cfg.whatsappFrom) : undefined;
  }
  return hotlineAddress ?? cfg.callerId ?? cfg.numbers[0]?.number;
}

/** A short, stable error code of a failed REST call (never its message). */
export function sendErrorCode(err: unknown): string {
  const e = err as { code?: unknown; status?: unknown; name?: unknown };
  const raw = e?.code ?? e?.status ?? e?.name ?? 'ERROR';
  const code = String(raw)
    .replace(/[^A-Za-z0-9_.-]/g, '')
    .slice(0, 40);
  return code || 'ERROR';
}

export function createTwilioSender(deps: ChannelsDeps): ChannelSender {
  return {
    async send(message: OutgoingMessage) {
      const cfg = deps.config.twilio;
      const client = deps.twilio;
      // Retried: the outbox leaves SMS/WhatsApp alone while Twilio is not configured; this is a safety net.
      if (!cfg || !client)
        throw Object.assign(new Error('TWILIO_NOT_CONFIGURED'), { code: 'NOT_CONFIGURED' });
      const channel = message.signal.channel;
      if (channel !== 'sms' && channel !== 'whatsapp') throw new PermanentSendError('CHANNEL_MISMATCH');
      const from = replyFrom(cfg, channel, message.signal.hotlineAddress);
      if (!from) throw new PermanentSendError('NO_FROM_NUMBER');
      const to = channel === 'whatsapp' ? withPrefix(message.address) : message.address;
      // One message per delivery: replies are at most SMS_MAX_CHARS (refused longer when written), so a retry can
      // never resend a part that already left.
      try {
        const sent = await client.messages.create({
          to,
          from,
          body: message.text,
          statusCallback: deps.config.publicUrl + STATUS_CALLBACK_PATH,
        });
        return { providerId: sent.sid, status: 'sent' as const };
      } catch (err) {
        const status = Number((err as { status?: unknown })?.status);
        // 400 (invalid / unsubscribed number, window closed, body refused), 404: sending again changes nothing.
        if (status === 400 || status === 404 || status === 422)
          throw new PermanentSendError(sendErrorCode(err));
        throw err;
      }
    },
  };
}
