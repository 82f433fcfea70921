import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Random URL-safe token with 256 bits of entropy (session cookies, invites, API token secrets). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Tokens with 256-bit entropy need no slow hash: SHA-256 is enough to make a leaked table useless. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * The encryption keys (ADR 0007): `current` seals everything new; every key in `keys` (current first, then the
 * previous ones, e.g. during a rotation) can open. A key's id is the first 8 hex digits of its SHA-256.
 */
export interface Keyring {
  readonly current: { readonly id: string; readonly key: Buffer };
  /** id → key, current first. */
  readonly keys: ReadonlyMap<string, Buffer>;
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** A ring from the current key and any previous keys still needed to read older data. */
export function keyring(current: Buffer, previous: readonly Buffer[] = []): Keyring {
  for (const k of [current, ...previous]) if (k.length !== 32) throw new Error('keys must be 32 bytes');
  const keys = new Map<string, Buffer>();
  for (const k of [current, ...previous]) if (!keys.has(keyId(k))) keys.set(keyId(k), k);
  return { current: { id: keyId(current), key: current }, keys };
}

/**
 * AES-256-GCM with a random 96-bit nonce and the ring's current key.
 * Output: `v2.<key id>.<nonce>.<tag>.<ciphertext>` (base64url). `v1.<nonce>.<tag>.<ciphertext>` (no key id, written
 * before key rotation existed) is still read.
 */
export function encrypt(ring: Keyring, plaintext: Buffer | string, aad = ''): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', ring.current.key, nonce);
  if (aad) cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    'v2',
    ring.current.id,
    nonce.toString('base64url'),
    tag.toString('base64url'),
    body.toString('base64url'),
  ].join('.');
}

function open(key: Buffer, nonce: string, tag: string, body: string, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
  if (aad) decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
}

/** Throws when no key of the ring opens it (wrong or retired key) or the ciphertext was altered. */
export function decrypt(ring: Keyring, sealed: string, aad = ''): Buffer {
  const parts = sealed.split('.');
  if (parts[0] === 'v2' && parts.length === 5) {
    const [, kid, nonce, tag, body] = parts as [string, string, string, string, string];
    const key = ring.keys.get(kid);
    if (!key) throw new Error('sealed with a key that is not configured');
    return open(key, nonce, tag, body, aad);
  }
  if (parts[0] === 'v1' && parts.length === 4) {
    const [, nonce, tag, body] = parts as [string, string, string, string];
    let last: unknown;
    for (const key of ring.keys.values()) {
      try {
        return open(key, nonce, tag, body, aad);
      } catch (err) {
        last = err;
      }
    }
    throw last instanceof Error ? last : new Error('cannot open');
  }
  throw new Error('unknown ciphertext format');
}

/** The id of the key that sealed a value (`v1` values: null, unknown until opened). */
export function sealedKeyId(sealed: string): string | null {
  const parts = sealed.split('.');
  return parts[0] === 'v2' && parts.length === 5 ? (parts[1] ?? null) : null;
}
