import { createHash, randomUUID } from 'node:crypto';
import { type AttachmentRow, type AttachmentState, attachment } from '../../db/schema.js';
import { decrypt, encrypt, type Keyring } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';

/**
 * Files that came with a message (MMS / WhatsApp media, e-mail attachments), docs/api/channels.md. The bytes are
 * sealed (AES-256-GCM, AAD = `<signal id>:<attachment id>`), the file name too; a refused file keeps only its type
 * and size, never its bytes. Staff download them (audited) as attachments, never inline.
 */

/** Largest file kept. */
export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

/** Types kept (lower case, without parameters). Everything else is refused (`refused_type`). */
export const ALLOWED_ATTACHMENT_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/heic',
  'application/pdf',
  'audio/ogg',
  'audio/mpeg',
  'audio/amr',
  'audio/mp4',
  'video/mp4',
  'text/plain',
  'text/vcard',
]);

/** `image/JPEG; name=x` → `image/jpeg`; anything malformed → `application/octet-stream`. */
export function baseContentType(raw: string | undefined | null): string {
  const base = (raw ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(base)
    ? base
    : 'application/octet-stream';
}

/** What happens to a file of this type and size: kept, or refused (and why). */
export function attachmentVerdict(contentType: string, sizeBytes: number): AttachmentState {
  if (!ALLOWED_ATTACHMENT_TYPES.has(baseContentType(contentType))) return 'refused_type';
  if (sizeBytes > MAX_ATTACHMENT_BYTES) return 'refused_size';
  return 'stored';
}

export interface AttachmentInput {
  signalId: string;
  /** The message it came with. */
  seq: number | null;
  contentType: string;
  filename?: string | null | undefined;
  /** The bytes; omit (with `sizeBytes`) for a file refused before it was read, or one that failed to download. */
  bytes?: Buffer | undefined;
  sizeBytes?: number | undefined;
  /** Force a state (e.g. `failed` when a download broke); default: attachmentVerdict(type, size). */
  state?: AttachmentState | undefined;
}

/** Stores one attachment in the caller's transaction; returns its row (without the bytes). */
export async function storeAttachment(
  tx: Db,
  encryptionKey: Keyring,
  input: AttachmentInput,
): Promise<Omit<AttachmentRow, 'dataSealed'>> {
  const id = randomUUID();
  const contentType = baseContentType(input.contentType);
  const sizeBytes = input.bytes ? input.bytes.length : Math.max(0, Math.floor(input.sizeBytes ?? 0));
  const state = input.state ?? (input.bytes ? attachmentVerdict(contentType, sizeBytes) : 'failed');
  const aad = `${input.signalId}:${id}`;
  const keep = state === 'stored' && input.bytes;
  const filename = input.filename?.replaceAll('\u0000', '').trim().slice(0, 255);
  const [row] = await tx
    .insert(attachment)
    .values({
      id,
      signalId: input.signalId,
      seq: input.seq,
      contentType,
      sizeBytes,
      sha256: keep
        ? createHash('sha256')
            .update(input.bytes as Buffer)
            .digest('hex')
        : null,
      filenameSealed: filename ? encrypt(encryptionKey, filename, aad) : null,
      dataSealed: keep ? encrypt(encryptionKey, input.bytes as Buffer, aad) : null,
      state,
    })
    .returning();
  if (!row) throw new Error('attachment not stored');
  const { dataSealed: _omitted, ...rest } = row;
  return rest;
}

/** The bytes of a stored attachment (throws when altered or refused). */
export function openAttachmentBytes(encryptionKey: Keyring, row: AttachmentRow): Buffer {
  if (!row.dataSealed) throw new Error('attachment has no stored bytes');
  return decrypt(encryptionKey, row.dataSealed, `${row.signalId}:${row.id}`);
}

/** The original file name of an attachment, or null. */
export function openAttachmentName(
  encryptionKey: Keyring,
  row: Pick<AttachmentRow, 'id' | 'signalId' | 'filenameSealed'>,
): string | null {
  if (!row.filenameSealed) return null;
  return decrypt(encryptionKey, row.filenameSealed, `${row.signalId}:${row.id}`).toString('utf8');
}
