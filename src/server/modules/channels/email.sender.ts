import { asc, eq } from 'drizzle-orm';
import { emailMessage } from '../../db/schema.js';
import { decrypt, encrypt } from '../../platform/crypto.js';
import { t } from '../../platform/i18n.js';
import type { ChannelsDeps } from './channels.module.js';
import { normalizeAddress } from './contact.js';
import { type ChannelSender, PermanentSendError } from './sender.js';

/**
 * Advocates' replies by e-mail (docs/api/channels.md, "E-mail"), called by the outbox for each pending delivery:
 * From = the hotline address the person wrote to (else the first configured), To = their address, `Re: <subject>`,
 * In-Reply-To = the last Message-ID they sent, References = the conversation's chain, our own Message-ID
 * `<harbour.<delivery id>@<domain of From>>` — stable across retries, so a resend is recognised as the same
 * message — recorded in email_message (`out`, seq) before it is sent, so their answer threads. `Auto-Submitted: no`.
 */

/** Message-IDs kept in `References` (the first and the latest: RFC 5322 §3.6.4 allows trimming the middle). */
const MAX_REFERENCES = 20;

/** `Re: Re: Fwd: x` → `x`. */
export function baseSubject(subject: string): string {
  let s = subject.trim();
  for (;;) {
    const next = s.replace(/^(re|tr|fw|fwd|réf|ref)\s*(\[\d+\])?\s*:\s*/i, '');
    if (next === s) return s;
    s = next;
  }
}

/** Our own Message-ID (without brackets) for a delivery. */
export function ownMessageId(deliveryId: string, from: string): string {
  return `harbour.${deliveryId}@${from.slice(from.lastIndexOf('@') + 1)}`;
}

export function createEmailSender(deps: ChannelsDeps): ChannelSender {
  const key = deps.config.encryptionKey;
  return {
    async send({ signal, address, seq, text, deliveryId }) {
      const addresses = deps.config.email?.addresses ?? [];
      const from = normalizeAddress('email', signal.hotlineAddress) ?? addresses[0];
      if (!from) throw new PermanentSendError('EMAIL_NOT_CONFIGURED');
      const to = normalizeAddress('email', address);
      if (!to) throw new PermanentSendError('EMAIL_ADDRESS_INVALID');
      const thread = await deps.db
        .select()
        .from(emailMessage)
        .where(eq(emailMessage.signalId, signal.id))
        .orderBy(asc(emailMessage.createdAt), asc(emailMessage.seq));
      const inbound = thread.filter((m) => m.direction === 'in');
      const lastIn = inbound.at(-1);
      const withSubject = [...inbound].reverse().find((m) => m.subjectSealed);
      const original = withSubject?.subjectSealed
        ? baseSubject(decrypt(key, withSubject.subjectSealed, signal.id).toString('utf8'))
        : '';
      const locale = signal.language === 'fr' ? 'fr-CA' : 'en-CA';
      const subject = `Re: ${original || t(locale, 'EMAIL_REPLY_SUBJECT')}`;
      const id = ownMessageId(deliveryId, from);
      const chain = thread.map((m) => m.messageId).filter((m) => m !== id);
      const references =
        chain.length > MAX_REFERENCES ? [chain[0] as string, ...chain.slice(-(MAX_REFERENCES - 1))] : chain;
      // Recorded first (idempotent: a retry has the same id), so an answer that arrives fast still threads.
      await deps.db
        .insert(emailMessage)
        .values({
          signalId: signal.id,
          messageId: id,
          direction: 'out',
          seq,
          subjectSealed: encrypt(key, subject, signal.id),
        })
        .onConflictDoNothing();
      await deps.mailer.send({
        from,
        to,
        subject,
        text,
        messageId: `<${id}>`,
        ...(lastIn ? { inReplyTo: `<${lastIn.messageId}>` } : {}),
        ...(references.length > 0 ? { references: references.map((r) => `<${r}>`) } : {}),
        headers: { 'Auto-Submitted': 'no' },
      });
      deps.log.info({ channel: 'email', seq, references: references.length }, 'e-mail reply sent');
      return { providerId: id, status: 'sent' };
    },
  };
}
