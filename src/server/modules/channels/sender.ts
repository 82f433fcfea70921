import type { SignalRow } from '../../db/schema.js';

/**
 * One outgoing message on a channel, as the outbox hands it to a sender (docs/api/channels.md). The sender
 * delivers it (Twilio REST, SMTP) and returns the provider's id; it throws on failure (the outbox retries).
 */
export interface OutgoingMessage {
  signal: SignalRow;
  /** The person's address, opened from `signal.address_sealed`. */
  address: string;
  seq: number;
  text: string;
  /** The channel_delivery row's id (stable across retries: senders may use it to de-duplicate). */
  deliveryId: string;
}

export interface ChannelSender {
  send(message: OutgoingMessage): Promise<{ providerId: string; status?: 'sent' | 'queued' }>;
}

/** A send that must not be retried (e.g. Twilio refused the number): the outbox marks the delivery failed at once. */
export class PermanentSendError extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'PermanentSendError';
  }
}
