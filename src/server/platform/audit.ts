import { createHash } from 'node:crypto';
import { asc, desc, gt, lt, sql } from 'drizzle-orm';
import { auditLog } from '../db/schema.js';
import type { Db } from './db.js';

/** Who did it and in which request; built once per request by the auth hook. */
export interface Actor {
  id: string | null;
  /** e-mail of a staff member, `token:<name>`, `cli`, `system` or `anonymous`. */
  label: string;
  requestId?: string;
}

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  reason?: string;
  /** Never personal data: ids, field names, counts. */
  details?: Record<string, unknown>;
}

export const GENESIS_HASH = '0'.repeat(64);
const AUDIT_LOCK = 74130002;

interface ChainRow {
  seq: number;
  at: Date;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  reason: string | null;
  requestId: string | null;
  details: Record<string, unknown> | null;
  prevHash: string;
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** The hash of a row covers every column and the previous row's hash. */
export function chainHash(row: ChainRow): string {
  const payload = canonical({
    seq: row.seq,
    at: row.at.toISOString(),
    actorId: row.actorId,
    actorLabel: row.actorLabel,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    reason: row.reason,
    requestId: row.requestId,
    details: row.details,
  });
  return createHash('sha256').update(row.prevHash).update('\n').update(payload).digest('hex');
}

/**
 * Appends one audit row in the caller's transaction, so the change and its record commit together.
 * The advisory lock serialises writers (across processes too) to keep `seq` gapless and the chain linear.
 */
export async function recordAudit(tx: Db, actor: Actor, entry: AuditEntry): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`);
  const [last] = await tx
    .select({ seq: auditLog.seq, hash: auditLog.hash })
    .from(auditLog)
    .orderBy(desc(auditLog.seq))
    .limit(1);
  const row: ChainRow = {
    seq: (last?.seq ?? 0) + 1,
    at: new Date(),
    actorId: actor.id,
    actorLabel: actor.label,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    reason: entry.reason ?? null,
    requestId: actor.requestId ?? null,
    details: entry.details ?? null,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  await tx.insert(auditLog).values({ ...row, hash: chainHash(row) });
}

export interface VerifyResult {
  ok: boolean;
  rows: number;
  headHash: string;
  /** First problem found, e.g. `seq 12: hash mismatch (row edited)`. */
  problems: string[];
}

/** Walks the whole chain in pages; detects edited rows, deleted rows and broken links. */
export async function verifyAudit(db: Db, pageSize = 2000): Promise<VerifyResult> {
  const problems: string[] = [];
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let rows = 0;
  let after = 0;
  for (;;) {
    const page = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, after))
      .orderBy(asc(auditLog.seq))
      .limit(pageSize);
    for (const row of page) {
      rows++;
      if (row.seq !== expectedSeq) {
        problems.push(`seq ${row.seq}: expected seq ${expectedSeq} (rows deleted or inserted)`);
      }
      if (row.prevHash !== prevHash)
        problems.push(`seq ${row.seq}: previous-hash link broken (row deleted or reordered)`);
      if (chainHash(row) !== row.hash) problems.push(`seq ${row.seq}: hash mismatch (row edited)`);
      prevHash = row.hash;
      expectedSeq = row.seq + 1;
      after = row.seq;
      if (problems.length >= 20) break;
    }
    if (page.length < pageSize || problems.length >= 20) break;
  }
  return { ok: problems.length === 0, rows, headHash: prevHash, problems };
}

export interface AuditEventView {
  id: string;
  at: Date;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  reason: string | null;
  requestId: string | null;
}

/** Newest first, paged by `before` (a seq). */
export async function listAudit(db: Db, limit: number, before?: number): Promise<AuditEventView[]> {
  const rows = await db
    .select()
    .from(auditLog)
    .where(before ? lt(auditLog.seq, before) : undefined)
    .orderBy(desc(auditLog.seq))
    .limit(limit);
  return rows.map((r) => ({
    id: String(r.seq),
    at: r.at,
    actorId: r.actorId,
    actorLabel: r.actorLabel,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    reason: r.reason,
    requestId: r.requestId,
  }));
}
