import { sql } from 'drizzle-orm';
import { contactHash } from '../modules/channels/contact.js';
import { type Actor, recordAudit } from './audit.js';
import { decrypt, encrypt, type Keyring } from './crypto.js';
import { type Db, rowsOf as rows } from './db.js';

/**
 * Every sealed column of the schema and how its AAD is built (ADR 0007, docs/api/cases.md "Privacy machinery").
 * `rotation.test.ts` fails when a column named `*_sealed` / `*_enc` exists in the database without being listed
 * here, so a new sealed column cannot be forgotten by `harbour keys rotate`.
 */
export interface SealedTable {
  table: string;
  /** The primary key (one uuid column). */
  key: string;
  columns: readonly string[];
  /** Other columns the AAD is built from. */
  aadFrom: readonly string[];
  aad(row: Readonly<Record<string, string>>): string;
  /** Large values (attachment bytes): fewer rows per transaction. */
  maxBatch?: number;
  /** signal: recompute `contact_hash` from the opened address under the current key. */
  rehashContact?: boolean;
}

const ownId = (r: Readonly<Record<string, string>>) => r.id as string;
const bySignal = (r: Readonly<Record<string, string>>) => r.signal_id as string;
const cases = (table: string, columns: readonly string[]): SealedTable => ({
  table,
  key: 'id',
  columns,
  aadFrom: [],
  aad: ownId,
});

export const SEALED_TABLES: readonly SealedTable[] = [
  // identity.service.ts sessionAad
  {
    table: 'users',
    key: 'id',
    columns: ['totp_secret_enc'],
    aadFrom: [],
    aad: (r) => `totp:${r.id}`,
  },
  // voice.service.ts: the forwarded number, AAD = user id
  {
    table: 'voice_endpoint',
    key: 'user_id',
    columns: ['forward_number_sealed'],
    aadFrom: [],
    aad: (r) => r.user_id as string,
  },
  // signals.service.ts / contact.ts: AAD = signal id
  {
    table: 'signal',
    key: 'id',
    columns: ['contact_sealed', 'report_sealed', 'address_sealed'],
    aadFrom: [],
    aad: ownId,
    rehashContact: true,
  },
  { table: 'signal_message', key: 'id', columns: ['body_sealed'], aadFrom: ['signal_id'], aad: bySignal },
  // attachments.ts: AAD = `<signal id>:<attachment id>`
  {
    table: 'attachment',
    key: 'id',
    columns: ['filename_sealed', 'data_sealed'],
    aadFrom: ['signal_id'],
    aad: (r) => `${r.signal_id}:${r.id}`,
    maxBatch: 10,
  },
  // email.ingest.ts / email.sender.ts: AAD = signal id
  { table: 'email_message', key: 'id', columns: ['subject_sealed'], aadFrom: ['signal_id'], aad: bySignal },
  // cases (cases.schema.ts): AAD = the row's own id, except the screening (signal id, its primary key)
  { table: 'screening', key: 'signal_id', columns: ['safety_plan_sealed'], aadFrom: [], aad: bySignal },
  cases('case_file', ['title_sealed', 'protocol_waiver_sealed']),
  cases('case_person', ['identity_sealed']),
  cases('case_place_event', ['description_sealed']),
  cases('case_note', ['body_sealed']),
  cases('case_task', ['title_sealed']),
  cases('referral', ['consent_sealed', 'shared_sealed', 'override_reason_sealed', 'outcome_note_sealed']),
  cases('escalation', ['override_note_sealed', 'outcome_note_sealed']),
  cases('case_access_grant', ['note_sealed']),
];

/** `table.column` of every catalogued sealed column. */
export const SEALED_COLUMNS: readonly string[] = SEALED_TABLES.flatMap((t) =>
  t.columns.map((c) => `${t.table}.${c}`),
);

/** Values sealed before key ids existed: their key is only known by trying to open them. */
export const V1_LABEL = 'v1 (unknown key)';
const OTHER_LABEL = 'unrecognised format';

const id = (name: string) => sql.identifier(name);
const prefixOf = (ring: Keyring) => `v2.${ring.current.id}.`;
/** True for a value not (yet) under the current key. Names come from the catalogue above, never from input. */
const pending = (column: string, prefix: string) =>
  sql`(${id(column)} is not null and left(${id(column)}, ${prefix.length}) <> ${prefix})`;

export interface ColumnStatus {
  table: string;
  column: string;
  /** key id (or V1_LABEL) → number of values. */
  counts: Record<string, number>;
}

/** How many values of each sealed column are under each key id (`harbour keys status`). */
export async function keyStatus(db: Db): Promise<ColumnStatus[]> {
  const out: ColumnStatus[] = [];
  for (const t of SEALED_TABLES) {
    for (const c of t.columns) {
      const head = sql`left(${id(c)}, 12)`;
      const found = await rows<{ label: string; n: number | string }>(
        db,
        sql`select case when ${head} ~ '^v2\\.[0-9a-f]{8}\\.' then substr(${head}, 4, 8)
                        when ${head} like 'v1.%' then ${V1_LABEL} else ${OTHER_LABEL} end as label,
                   count(*) as n
            from ${id(t.table)} where ${id(c)} is not null group by 1 order by 1`,
      );
      const counts: Record<string, number> = {};
      for (const r of found) counts[r.label] = Number(r.n);
      out.push({ table: t.table, column: c, counts });
    }
  }
  return out;
}

export interface RotationProgress {
  table: string;
  /** Rows of this table rewritten so far in this run. */
  rows: number;
  /** Values waiting in this table when it was started. */
  pending: number;
}

export interface TableRotation {
  table: string;
  rows: number;
  /** column → values re-encrypted. */
  values: Record<string, number>;
  /** column → values that no key of the ring opens (altered, or AAD mismatch); left as they are. */
  failed: Record<string, number>;
  contactHashes: number;
}

export interface RotationResult {
  keyId: string;
  tables: TableRotation[];
  values: number;
  failed: number;
  /** Values still not under the current key at the end (failed ones, rows locked the whole time, late writers). */
  remaining: number;
  contactHashes: number;
  milliseconds: number;
}

export class RotationError extends Error {}

export interface RotateOptions {
  /** Rows per transaction (default 500). */
  batch?: number;
  actor: Actor;
  onProgress?: (p: RotationProgress) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function pendingValues(db: Db, t: SealedTable, prefix: string): Promise<number> {
  const sums = t.columns.map((c) => sql`count(*) filter (where ${pending(c, prefix)})`);
  const [r] = await rows<{ n: number | string }>(
    db,
    sql`select ${sql.join(sums, sql` + `)} as n from ${id(t.table)}`,
  );
  return Number(r?.n ?? 0);
}

async function rotateTable(
  db: Db,
  ring: Keyring,
  t: SealedTable,
  batch: number,
  onProgress?: (p: RotationProgress) => void,
): Promise<TableRotation> {
  const prefix = prefixOf(ring);
  const result: TableRotation = { table: t.table, rows: 0, values: {}, failed: {}, contactHashes: 0 };
  for (const c of t.columns) {
    result.values[c] = 0;
    result.failed[c] = 0;
  }
  const failed = new Set<string>();
  const limit = Math.min(batch, t.maxBatch ?? batch);
  const anyPending = sql.join(
    t.columns.map((c) => pending(c, prefix)),
    sql` or `,
  );
  const selected = sql.join(
    [...new Set([t.key, ...t.aadFrom, ...t.columns])].map((c) => id(c)),
    sql`, `,
  );
  const total = await pendingValues(db, t, prefix);
  if (total === 0) return result;
  onProgress?.({ table: t.table, rows: 0, pending: total });
  let idle = 0;
  for (;;) {
    let changed = 0;
    let after: string | null = null;
    for (;;) {
      const cursor: string | null = after;
      const got: { count: number; last: string | null; updated: number } = await db.transaction(
        async (tx) => {
          const found: Record<string, string | null>[] = await rows<Record<string, string | null>>(
            tx,
            sql`select ${selected} from ${id(t.table)}
              where (${anyPending}) ${cursor === null ? sql`` : sql`and ${id(t.key)} > ${cursor}`}
              order by ${id(t.key)} limit ${limit} for update skip locked`,
          );
          const updates: Record<string, string | null>[] = [];
          for (const row of found) {
            const aad = t.aad(row as Record<string, string>);
            const next: Record<string, string | null> = { k: row[t.key] as string };
            let touched = false;
            let address: string | undefined;
            for (const c of t.columns) {
              const value = row[c] ?? null;
              next[c] = value;
              if (value === null || value.startsWith(prefix)) continue;
              try {
                const plain = decrypt(ring, value, aad);
                next[c] = encrypt(ring, plain, aad);
                if (t.rehashContact && c === 'address_sealed') address = plain.toString('utf8');
                result.values[c] = (result.values[c] ?? 0) + 1;
                touched = true;
              } catch {
                const mark = `${row[t.key]}|${c}`;
                if (!failed.has(mark)) {
                  failed.add(mark);
                  result.failed[c] = (result.failed[c] ?? 0) + 1;
                }
              }
            }
            if (t.rehashContact) next.contact_hash = address ? contactHash(ring, address) : null;
            if (address) result.contactHashes++;
            if (touched) updates.push(next);
          }
          if (updates.length > 0) {
            const sets = t.columns.map((c) => sql`${id(c)} = v.${id(c)}`);
            if (t.rehashContact) sets.push(sql`contact_hash = coalesce(v.contact_hash, t.contact_hash)`);
            const shape = sql.join(
              [
                sql`k uuid`,
                ...t.columns.map((c) => sql`${id(c)} text`),
                ...(t.rehashContact ? [sql`contact_hash text`] : []),
              ],
              sql`, `,
            );
            await tx.execute(
              sql`update ${id(t.table)} as t set ${sql.join(sets, sql`, `)}
                from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as v(${shape})
                where t.${id(t.key)} = v.k`,
            );
          }
          return { count: found.length, last: found.at(-1)?.[t.key] ?? null, updated: updates.length };
        },
      );
      changed += got.updated;
      result.rows += got.updated;
      if (got.updated > 0) onProgress?.({ table: t.table, rows: result.rows, pending: total });
      if (got.count < limit || got.last === null) break;
      after = got.last;
    }
    // Rows locked by another transaction were skipped; values written meanwhile under an old key appear too.
    const left = (await pendingValues(db, t, prefix)) - failed.size;
    if (left <= 0) break;
    if (changed === 0) {
      idle++;
      if (idle > 20) break;
      await sleep(Math.min(1000, 50 * idle));
    } else idle = 0;
  }
  return result;
}

/**
 * Re-encrypts every sealed value not already under the ring's current key (`harbour keys rotate`), table by table,
 * `batch` rows per transaction with `for update skip locked`, so Harbour keeps serving; signal contact hashes are
 * recomputed from the opened address. Idempotent and resumable (only values not yet under the current key are
 * touched), safe to run from several places at once. Refuses to start when values are sealed under a key id the
 * ring does not hold (add it to HARBOUR_ENCRYPTION_KEYS_PREVIOUS first). Writes one audit row `keys.rotate`.
 */
export async function rotateKeys(db: Db, ring: Keyring, options: RotateOptions): Promise<RotationResult> {
  const started = performance.now();
  const batch = Math.max(1, Math.min(10_000, Math.trunc(options.batch ?? 500)));
  const missing = new Set<string>();
  for (const s of await keyStatus(db)) {
    for (const [label, n] of Object.entries(s.counts)) {
      if (n > 0 && label !== V1_LABEL && label !== OTHER_LABEL && !ring.keys.has(label)) missing.add(label);
    }
  }
  if (missing.size > 0) {
    throw new RotationError(
      `values are sealed with key id(s) ${[...missing].sort().join(', ')} that the ring does not hold: add the key(s) to HARBOUR_ENCRYPTION_KEYS_PREVIOUS; nothing was changed`,
    );
  }
  const tables: TableRotation[] = [];
  for (const t of SEALED_TABLES) tables.push(await rotateTable(db, ring, t, batch, options.onProgress));
  const prefix = prefixOf(ring);
  let remaining = 0;
  for (const t of SEALED_TABLES) remaining += await pendingValues(db, t, prefix);
  const sum = (pick: (t: TableRotation) => number) => tables.reduce((n, t) => n + pick(t), 0);
  const total = (r: Record<string, number>) => Object.values(r).reduce((n, v) => n + v, 0);
  const result: RotationResult = {
    keyId: ring.current.id,
    tables,
    values: sum((t) => total(t.values)),
    failed: sum((t) => total(t.failed)),
    remaining,
    contactHashes: sum((t) => t.contactHashes),
    milliseconds: Math.round(performance.now() - started),
  };
  const perColumn: Record<string, number> = {};
  for (const t of tables)
    for (const [c, n] of Object.entries(t.values)) if (n > 0) perColumn[`${t.table}.${c}`] = n;
  await db.transaction((tx) =>
    recordAudit(tx, options.actor, {
      action: 'keys.rotate',
      targetType: 'keyring',
      targetId: ring.current.id,
      details: {
        key_id: ring.current.id,
        values: result.values,
        columns: perColumn,
        contact_hashes: result.contactHashes,
        failed: result.failed,
        remaining: result.remaining,
        ms: result.milliseconds,
      },
    }),
  );
  return result;
}
