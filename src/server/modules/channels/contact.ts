import { createHmac, hkdfSync } from 'node:crypto';
import { and, desc, eq, ne, sql } from 'drizzle-orm';
import { signal } from '../../db/schema.js';
import { decrypt, encrypt, type Keyring } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';

/**
 * Who contacted us, without keeping it in clear (docs/api/channels.md): the address is sealed on the signal
 * (AES-256-GCM, AAD = signal id) and a keyed hash recognises a repeat contact. The hash key is derived from
 * HARBOUR_ENCRYPTION_KEY with HKDF, so a leaked table cannot be matched against a list of phone numbers.
 */

export type AddressChannel = 'phone' | 'sms' | 'whatsapp' | 'email';

/**
 * E.164 for phone/SMS/WhatsApp (`whatsapp:` removed; a 10-digit North American number gets +1), a lower-cased
 * address for e-mail; undefined when it is not usable (anonymous / withheld caller IDs, garbage).
 */
export function normalizeAddress(
  channel: AddressChannel,
  raw: string | undefined | null,
): string | undefined {
  if (typeof raw !== 'string') return undefined;
  let value = raw.trim();
  if (channel === 'email') {
    value = value.toLowerCase();
    return value.length <= 254 && /^[^\s@<>"]+@[^\s@<>"]+$/.test(value) ? value : undefined;
  }
  if (value.toLowerCase().startsWith('whatsapp:')) value = value.slice('whatsapp:'.length);
  value = value.replace(/[\s().-]/g, '');
  if (/^\d{10}$/.test(value)) value = `+1${value}`;
  else if (/^1\d{10}$/.test(value)) value = `+${value}`;
  return /^\+[1-9]\d{6,14}$/.test(value) ? value : undefined;
}

const hashKeys = new WeakMap<Buffer, Buffer>();

function hashWith(encryptionKey: Buffer, normalized: string): string {
  let key = hashKeys.get(encryptionKey);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'harbour contact hash v1', 32));
    hashKeys.set(encryptionKey, key);
  }
  return createHmac('sha256', key).update(normalized).digest('hex');
}

/** HMAC-SHA256 (hex) of a normalised address with the contact-hash key derived from the ring's current key. */
export function contactHash(encryptionKey: Keyring, normalized: string): string {
  return hashWith(encryptionKey.current.key, normalized);
}

/**
 * The address's hash under every key of the ring (current first). A key rotation re-hashes stored contacts from
 * their sealed address (`harbour keys rotate`); until it is done, matching a repeat contact accepts any of these.
 */
export function contactHashes(encryptionKey: Keyring, normalized: string): string[] {
  return [...encryptionKey.keys.values()].map((k) => hashWith(k, normalized));
}

export function sealAddress(encryptionKey: Keyring, signalId: string, address: string): string {
  return encrypt(encryptionKey, address, signalId);
}

export function openAddress(encryptionKey: Keyring, signalId: string, sealed: string): string {
  return decrypt(encryptionKey, sealed, signalId).toString('utf8');
}

/** Earlier signals from the same person (any channel), not counting `exceptSignalId`. */
export async function repeatContacts(
  db: Db,
  hash: string | null | undefined,
  exceptSignalId: string,
): Promise<{ count: number; lastAt: Date | null }> {
  if (!hash) return { count: 0, lastAt: null };
  const [row] = await db
    .select({ count: sql<number>`count(*)::int`, lastAt: sql<Date | null>`max(${signal.arrivedAt})` })
    .from(signal)
    .where(and(eq(signal.contactHash, hash), ne(signal.id, exceptSignalId)));
  const lastAt = row?.lastAt ? new Date(row.lastAt) : null;
  return { count: Number(row?.count ?? 0), lastAt };
}

/** The most recent signals of the same contact (ids and references only), newest first. */
export async function earlierSignals(db: Db, hash: string, exceptSignalId: string, limit = 10) {
  return db
    .select({
      id: signal.id,
      reference: signal.reference,
      channel: signal.channel,
      arrivedAt: signal.arrivedAt,
    })
    .from(signal)
    .where(and(eq(signal.contactHash, hash), ne(signal.id, exceptSignalId)))
    .orderBy(desc(signal.arrivedAt))
    .limit(limit);
}
