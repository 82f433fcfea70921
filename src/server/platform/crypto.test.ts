import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decrypt, encrypt, keyId, keyring, sealedKeyId } from './crypto.js';

/** A value sealed the way Harbour did before key ids existed (`v1.<nonce>.<tag>.<data>`). */
function sealV1(key: Buffer, text: string, aad: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(text), cipher.final()]);
  return ['v1', nonce, cipher.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

describe('key ring', () => {
  const a = randomBytes(32);
  const b = randomBytes(32);

  it('seals under the current key and names it', () => {
    const sealed = encrypt(keyring(a), 'Test Person (fictional)', 'row-1');
    expect(sealed.startsWith(`v2.${keyId(a)}.`)).toBe(true);
    expect(sealedKeyId(sealed)).toBe(keyId(a));
    expect(decrypt(keyring(a), sealed, 'row-1').toString()).toBe('Test Person (fictional)');
  });

  it('opens values of a previous key while the new one seals; refuses once the old key is gone', () => {
    const old = encrypt(keyring(a), 'note (fictional)', 'row-2');
    const rotating = keyring(b, [a]);
    expect(decrypt(rotating, old, 'row-2').toString()).toBe('note (fictional)');
    expect(sealedKeyId(encrypt(rotating, 'x', 'row-2'))).toBe(keyId(b));
    expect(() => decrypt(keyring(b), old, 'row-2')).toThrow(/not configured/);
  });

  it('still reads v1 values (no key id) with whichever ring key opens them', () => {
    const v1 = sealV1(a, 'legacy (fictional)', 'row-3');
    expect(sealedKeyId(v1)).toBeNull();
    expect(decrypt(keyring(b, [a]), v1, 'row-3').toString()).toBe('legacy (fictional)');
    expect(() => decrypt(keyring(b), v1, 'row-3')).toThrow();
  });

  it('binds the row (AAD) and detects tampering', () => {
    const ring = keyring(a);
    const sealed = encrypt(ring, 'secret (fictional)', 'row-4');
    expect(() => decrypt(ring, sealed, 'row-5')).toThrow();
    const parts = sealed.split('.');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    parts[4] = body.toString('base64url');
    expect(() => decrypt(ring, parts.join('.'), 'row-4')).toThrow();
    expect(() => decrypt(ring, 'v3.garbage', 'row-4')).toThrow(/unknown ciphertext format/);
  });

  it('refuses keys of the wrong size', () => {
    expect(() => keyring(randomBytes(16))).toThrow();
  });
});
