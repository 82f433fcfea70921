import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, caseFile, caseSignal, signal, signalMessage } from '../../src/server/db/schema.js';
import { contactHash, sealAddress } from '../../src/server/modules/channels/contact.js';
import { decrypt, encrypt, keyring } from '../../src/server/platform/crypto.js';
import { type Database, openPglite } from '../../src/server/platform/db.js';
import { isolatedDatabase, onPostgres } from '../helpers/db.js';
import { withoutIds } from '../helpers/privacy.js';
import { harbour } from '../helpers/processes.js';

/** `harbour keys rotate|status` and `harbour retention run` as processes, on a database of their own. */
describe('harbour keys / retention (CLI processes)', { timeout: 300_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hb-keys-'));
  const A = randomBytes(32);
  const B = randomBytes(32);
  const ringA = keyring(A);
  const ringB = keyring(B);
  let iso: Awaited<ReturnType<typeof isolatedDatabase>> | undefined;
  let base: Record<string, string | undefined>;
  const ids = { signal: randomUUID(), case: randomUUID() };

  /** The CLI holds the embedded folder while it runs: open it only in between. */
  async function withDb<T>(fn: (database: Database) => Promise<T>): Promise<T> {
    if (iso) return fn(iso.database);
    const database = await openPglite(path.join(dataDir, 'pg'));
    try {
      return await fn(database);
    } finally {
      await database.close();
    }
  }

  beforeAll(async () => {
    base = {
      HARBOUR_DATA_DIR: dataDir,
      NODE_ENV: 'development',
      DATABASE_URL: undefined,
      HARBOUR_RETENTION_DAYS: '30',
    };
    if (onPostgres()) {
      iso = await isolatedDatabase();
      base.DATABASE_URL = iso.url;
    }
    const m = await harbour(['migrate'], { ...base, HARBOUR_ENCRYPTION_KEY: A.toString('base64') });
    expect(m.code, m.stderr).toBe(0);
    await withDb(async ({ db }) => {
      const s = ids.signal;
      await db.insert(signal).values({
        id: s,
        reference: 'HB-TKEY-0001',
        channel: 'sms',
        language: 'en',
        state: 'ended',
        contactHash: contactHash(ringA, '+15550100142'),
        addressSealed: sealAddress(ringA, s, '+15550100142'),
      });
      await db.insert(signalMessage).values({
        signalId: s,
        seq: 1,
        sender: 'visitor',
        clientId: 'k1',
        bodySealed: encrypt(ringA, 'Test message (fictional)', s),
      });
      await db.insert(caseFile).values({
        id: ids.case,
        reference: 'HC-TKEY-0001',
        status: 'closed',
        closedAt: new Date(Date.now() - 40 * 86_400_000),
        titleSealed: encrypt(ringA, 'Test title (fictional)', ids.case),
      });
      await db.insert(caseSignal).values({ signalId: s, caseId: ids.case });
    });
  });
  afterAll(async () => {
    await iso?.drop();
  });

  it('status, rotate, status: the old key ends up holding nothing', async () => {
    const env = {
      ...base,
      HARBOUR_ENCRYPTION_KEY: B.toString('base64'),
      HARBOUR_ENCRYPTION_KEYS_PREVIOUS: A.toString('base64'),
    };
    const before = await harbour(['keys', 'status'], env);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toContain(`${ringA.current.id} (previous) 3`);

    const missing = await harbour(['keys', 'rotate'], {
      ...env,
      HARBOUR_ENCRYPTION_KEYS_PREVIOUS: undefined,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(ringA.current.id);
    expect(missing.stderr).toMatch(/HARBOUR_ENCRYPTION_KEYS_PREVIOUS/);

    const bad = await harbour(['keys', 'rotate', '--batch', '0'], env);
    expect(bad.code).not.toBe(0);

    const rotate = await harbour(['keys', 'rotate', '--batch', '1'], env);
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(rotate.stdout).toMatch(
      new RegExp(`Re-encrypted 3 value\\(s\\) in 3 row\\(s\\) under key ${ringB.current.id}`),
    );
    expect(rotate.stdout).toMatch(/1 contact hash\(es\) re-keyed/);

    const text = await harbour(['keys', 'status'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`Sealed values: ${ringB.current.id} (current) 3.`);
    expect(text.stdout).toMatch(new RegExp(`Previous key ${ringA.current.id} seals nothing any more`));

    await withDb(async ({ db }) => {
      const [m] = await db.select().from(signalMessage).where(eq(signalMessage.signalId, ids.signal));
      expect(decrypt(ringB, m!.bodySealed, ids.signal).toString()).toBe('Test message (fictional)');
      const [s] = await db.select().from(signal).where(eq(signal.id, ids.signal));
      expect(s!.contactHash).toBe(contactHash(ringB, '+15550100142'));
    });
  });

  it('retention: the dry run lists, the run redacts, both without personal data in the output', async () => {
    const env = { ...base, HARBOUR_ENCRYPTION_KEY: B.toString('base64') };
    const dry = await harbour(['retention', 'run', '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(
      /HC-TKEY-0001 {2}closed \d{4}-\d\d-\d\d {2}case fields 1, signals 1, messages 1, addresses 1/,
    );
    expect(dry.stdout).toMatch(/Dry run: 1 case\(s\) .* would be redacted; nothing was changed/);

    const off = await harbour(['retention', 'run'], { ...env, HARBOUR_RETENTION_DAYS: '0' });
    expect(off.stdout).toMatch(/Retention is off/);

    const run = await harbour(['retention', 'run', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { dryRun: boolean; cases: { reference: string }[] };
    expect(report).toMatchObject({ dryRun: false, cases: [{ reference: 'HC-TKEY-0001' }] });
    expect(withoutIds(`${dry.stdout}${run.stdout}`)).not.toMatch(/fictional|555/);

    await withDb(async ({ db }) => {
      const [c] = await db.select().from(caseFile).where(eq(caseFile.id, ids.case));
      expect(c!.titleSealed).toBeNull();
      expect(c!.redactedAt).toBeInstanceOf(Date);
      const audits = await db
        .select({ action: auditLog.action, actor: auditLog.actorLabel })
        .from(auditLog)
        .where(inArray(auditLog.action, ['keys.rotate', 'retention.redact']));
      expect(audits).toEqual(
        expect.arrayContaining([
          { action: 'keys.rotate', actor: 'cli' },
          { action: 'retention.redact', actor: 'cli' },
        ]),
      );
    });
  });
});
