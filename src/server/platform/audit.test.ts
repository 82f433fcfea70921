import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedDatabase } from '../../../test/helpers/db.js';
import { recordAudit, verifyAudit } from './audit.js';
import type { Database } from './db.js';

let iso: Awaited<ReturnType<typeof isolatedDatabase>>;
let database: Database;

beforeAll(async () => {
  iso = await isolatedDatabase();
  database = iso.database;
});
afterAll(() => iso.drop());

const actor = { id: null, label: 'test', requestId: 'req-test' };

async function tamper(statement: ReturnType<typeof sql>) {
  // Only a database owner can do this: the triggers refuse it to everyone else.
  await database.db.execute(sql`alter table audit_log disable trigger user`);
  await database.db.execute(statement);
  await database.db.execute(sql`alter table audit_log enable trigger user`);
}

describe('hash-chained audit log', () => {
  it('keeps a verifiable chain across concurrent writers', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        database.db.transaction((tx) =>
          recordAudit(tx, actor, { action: 'test.event', targetId: String(i) }),
        ),
      ),
    );
    const result = await verifyAudit(database.db);
    expect(result).toMatchObject({ ok: true, rows: 12 });
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await expect(database.db.execute(sql`update audit_log set action = 'x' where seq = 1`)).rejects.toThrow();
    await expect(database.db.execute(sql`delete from audit_log where seq = 1`)).rejects.toThrow();
    await expect(database.db.execute(sql`truncate audit_log`)).rejects.toThrow();
    expect((await verifyAudit(database.db)).ok).toBe(true);
  });

  it('an audit row is rolled back with the change it records', async () => {
    const before = (await verifyAudit(database.db)).rows;
    await expect(
      database.db.transaction(async (tx) => {
        await recordAudit(tx, actor, { action: 'test.rolled_back' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const after = await verifyAudit(database.db);
    expect(after.rows).toBe(before);
    expect(after.ok).toBe(true);
  });

  it('detects an edited row', async () => {
    await tamper(sql`update audit_log set reason = 'edited later' where seq = 3`);
    const result = await verifyAudit(database.db);
    expect(result.ok).toBe(false);
    expect(result.problems.join('\n')).toMatch(/seq 3: hash mismatch/);
  });

  it('detects a deleted row', async () => {
    await tamper(sql`delete from audit_log where seq = 6`);
    const result = await verifyAudit(database.db);
    expect(result.problems.join('\n')).toMatch(/seq 7: expected seq 6/);
    expect(result.problems.join('\n')).toMatch(/seq 7: previous-hash link broken/);
  });
});
