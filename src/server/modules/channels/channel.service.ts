import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { attachment, channelDelivery, emailMessage, type SignalRow, signal } from '../../db/schema.js';
import { type Actor, recordAudit } from '../../platform/audit.js';
import { decrypt, type Keyring } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { AppError, notFound } from '../../platform/errors.js';
import type { AuthUser } from '../../platform/policy.js';
import { recordSignalEvent } from '../queue/signals.service.js';
import { isSupervisor } from '../queue/staff.service.js';
import { baseContentType, openAttachmentBytes, openAttachmentName } from './attachments.js';
import { openAddress, repeatContacts } from './contact.js';

/**
 * The staff side of a signal's channel (docs/api/channels.md): its facts (deliveries, attachments, repeat
 * contacts, the WhatsApp window, the e-mail subject), an attachment's bytes, and the audited reveal of the
 * person's number/address. The assigned advocate or any supervisor; anyone else 403 SIGNAL_NOT_YOURS. Every read
 * that opens sealed data is audited in the transaction that opens it.
 */

export const REVEAL_REASONS = ['imminent_danger', 'child_at_risk', 'callback_agreed'] as const;
export type RevealReason = (typeof REVEAL_REASONS)[number];

/** Served with their own type (still as a download); everything else is application/octet-stream. */
const SERVED_TYPES =
  /^(image\/(jpeg|png|gif|webp|heic)|application\/pdf|audio\/(ogg|mpeg|amr|mp4)|video\/mp4)$/;

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'application/pdf': 'pdf',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/amr': 'amr',
  'audio/mp4': 'm4a',
  'video/mp4': 'mp4',
  'text/plain': 'txt',
  'text/vcard': 'vcf',
};

export function downloadType(contentType: string): string {
  const base = baseContentType(contentType);
  return SERVED_TYPES.test(base) ? base : 'application/octet-stream';
}

/** `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266 / 5987). */
export function contentDisposition(filename: string): string {
  const safe =
    [...filename]
      .map((c) => (c.charCodeAt(0) < 0x20 || c === '\u007f' || c === '/' || c === '\\' ? '_' : c))
      .join('')
      .slice(0, 200) || 'attachment';
  const ascii = safe.replace(/[^\x20-\x7e]/g, '_').replace(/["%;]/g, '_');
  const encoded = encodeURIComponent(safe).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export function createChannelService(deps: { db: Db; encryptionKey: Keyring; now?: () => Date }) {
  const { db, encryptionKey: key } = deps;
  const now = deps.now ?? (() => new Date());

  async function load(id: string): Promise<SignalRow> {
    const [s] = await db.select().from(signal).where(eq(signal.id, id)).limit(1);
    if (!s) throw notFound();
    return s;
  }

  function authorise(user: AuthUser, s: Pick<SignalRow, 'assignedUserId'>) {
    if (s.assignedUserId === user.id || isSupervisor(user)) return;
    throw new AppError('SIGNAL_NOT_YOURS', 403);
  }

  return {
    async channel(actor: Actor, user: AuthUser, id: string) {
      const s = await load(id);
      authorise(user, s);
      return db.transaction(async (tx) => {
        const deliveries = await tx
          .select({
            seq: channelDelivery.seq,
            status: channelDelivery.status,
            errorCode: channelDelivery.errorCode,
          })
          .from(channelDelivery)
          .where(eq(channelDelivery.signalId, id))
          .orderBy(asc(channelDelivery.seq));
        const files = await tx
          .select({
            id: attachment.id,
            signalId: attachment.signalId,
            seq: attachment.seq,
            contentType: attachment.contentType,
            sizeBytes: attachment.sizeBytes,
            state: attachment.state,
            filenameSealed: attachment.filenameSealed,
          })
          .from(attachment)
          .where(eq(attachment.signalId, id))
          .orderBy(asc(attachment.seq), asc(attachment.createdAt));
        let subject: string | null = null;
        let subjectOpened = false;
        if (s.channel === 'email') {
          const [first] = await tx
            .select({ subjectSealed: emailMessage.subjectSealed })
            .from(emailMessage)
            .where(and(eq(emailMessage.signalId, id), isNotNull(emailMessage.subjectSealed)))
            .orderBy(asc(emailMessage.createdAt))
            .limit(1);
          if (first?.subjectSealed) {
            subject = decrypt(key, first.subjectSealed, id).toString('utf8');
            subjectOpened = true;
          }
        }
        const attachments = files.map((f) => ({
          id: f.id,
          seq: f.seq,
          contentType: f.contentType,
          sizeBytes: f.sizeBytes,
          state: f.state,
          filename: openAttachmentName(key, f),
        }));
        const namesOpened = attachments.filter((a) => a.filename !== null).length;
        if (subjectOpened || namesOpened > 0) {
          await recordAudit(tx, actor, {
            action: 'signal.channel_read',
            targetType: 'signal',
            targetId: id,
            details: { filenames: namesOpened, subject: subjectOpened },
          });
        }
        const repeat = await repeatContacts(tx, s.contactHash, id);
        const at = now();
        return {
          kind: s.channel,
          hotlineAddress: s.hotlineAddress,
          campaign: s.campaign,
          repeatContacts: { count: repeat.count, lastAt: repeat.lastAt ? repeat.lastAt.toISOString() : null },
          window:
            s.channel === 'whatsapp'
              ? {
                  endsAt: s.windowEndsAt ? s.windowEndsAt.toISOString() : null,
                  open: Boolean(s.windowEndsAt && s.windowEndsAt.getTime() > at.getTime()),
                }
              : null,
          deliveries: deliveries.map((d) => ({ seq: d.seq, status: d.status, errorCode: d.errorCode })),
          attachments,
          email: s.channel === 'email' ? { subject } : null,
        };
      });
    },

    /** The bytes of a kept attachment (410 ATTACHMENT_NOT_AVAILABLE for a refused one): audited + timeline. */
    async attachment(actor: Actor, user: AuthUser, attachmentId: string) {
      const [row] = await db.select().from(attachment).where(eq(attachment.id, attachmentId)).limit(1);
      if (!row) throw notFound();
      const s = await load(row.signalId);
      authorise(user, s);
      if (row.state !== 'stored' || !row.dataSealed) throw new AppError('ATTACHMENT_NOT_AVAILABLE', 410);
      const bytes = openAttachmentBytes(key, row);
      const name = openAttachmentName(key, row);
      await db.transaction(async (tx) => {
        await recordAudit(tx, actor, {
          action: 'attachment.read',
          targetType: 'attachment',
          targetId: row.id,
          details: { signal: row.signalId, seq: row.seq, sizeBytes: row.sizeBytes },
        });
        await recordSignalEvent(tx, row.signalId, 'attachment_read', actor.id, { attachment: row.id });
      });
      const base = baseContentType(row.contentType);
      const filename =
        name ?? `attachment-${row.seq ?? 0}-${row.id.slice(0, 8)}.${EXTENSIONS[base] ?? 'bin'}`;
      return { bytes, contentType: downloadType(base), filename };
    },

    /** The person's number / address, for a reason: audited (never the address itself) + timeline. */
    async reveal(actor: Actor, user: AuthUser, id: string, reason: RevealReason, note?: string) {
      const s = await load(id);
      authorise(user, s);
      if (!s.addressSealed) throw notFound();
      const address = openAddress(key, id, s.addressSealed);
      const cleanNote = note?.replaceAll('\u0000', '').trim();
      await db.transaction(async (tx) => {
        await recordAudit(tx, actor, {
          action: 'signal.contact_revealed',
          targetType: 'signal',
          targetId: id,
          reason: cleanNote ? `${reason}: ${cleanNote}` : reason,
          details: { reason, channel: s.channel },
        });
        await recordSignalEvent(tx, id, 'contact_revealed', actor.id, { reason });
      });
      return { address };
    },
  };
}

export type ChannelService = ReturnType<typeof createChannelService>;
