import { type SQL, sql } from 'drizzle-orm';
import { type Actor, recordAudit } from '../../platform/audit.js';
import { encrypt, type Keyring } from '../../platform/crypto.js';
import { type Db, rowsOf as rows } from '../../platform/db.js';
import type { CasesDeps } from './cases.module.js';
import { addCaseEvent } from './events.js';

/**
 * Retention (docs/api/cases.md "Privacy machinery", ADR 0007): HARBOUR_RETENTION_DAYS after a case closed, its
 * personal data and those of its signals are redacted — sealed columns set to null (message bodies, NOT NULL, to a
 * sealed empty text), `redacted_at` stamped — while coded fields, times and counts stay for statistics. A merged
 * case follows its target: it goes when the case it was merged into (and so on) has been closed that long. A
 * signal belongs to one case at most, so a signal of an open case is never touched. A signal in no case (an
 * information request, a conversation that never became a case) goes the same period after it ended. One process
 * at a time (`pg_try_advisory_xact_lock`); every redacted case gets a `redacted` timeline entry, and every redacted
 * case or lone signal an audit row `retention.redact` with counts only.
 */

/** The advisory-lock key of a retention pass (one process at a time). */
export const RETENTION_LOCK = 74130009;
const CLOSED = sql.raw(`('closed','closed_referred')`);
const HOUR_MS = 3_600_000;
const FIRST_RUN_MS = 60_000;

/** What is (or would be) redacted in one case: numbers of rows per kind, never their contents. */
export interface RetentionCounts {
  /** The case's title and protocol waiver. */
  case_fields: number;
  people: number;
  places: number;
  notes: number;
  tasks: number;
  referrals: number;
  escalations: number;
  access_grants: number;
  signals: number;
  messages: number;
  reports: number;
  addresses: number;
  email_subjects: number;
  attachments: number;
  safety_plans: number;
}

export interface RetentionCase {
  id: string;
  reference: string;
  closedAt: Date;
  counts: RetentionCounts;
}

/** What a signal carries that retention redacts (the signal-side part of `RetentionCounts`). */
export type SignalCounts = Pick<
  RetentionCounts,
  'messages' | 'reports' | 'addresses' | 'email_subjects' | 'attachments' | 'safety_plans'
>;

/** A signal in no case, ended before the cutoff. */
export interface RetentionSignal {
  id: string;
  reference: string;
  endedAt: Date;
  counts: SignalCounts;
}

export interface RetentionReport {
  dryRun: boolean;
  /** null: retention is off (0 / not configured). */
  days: number | null;
  /** Cases closed before this are due. */
  cutoff: Date | null;
  cases: RetentionCase[];
  /** Signals in no case that ended before the cutoff. */
  signals: RetentionSignal[];
  /** Another process held the retention lock: this pass stopped (nothing half-done). */
  busy: boolean;
}

export interface RetentionOptions {
  dryRun?: boolean;
  now?: Date;
  /** HARBOUR_RETENTION_DAYS; 0 / undefined = never. */
  days?: number | undefined;
  actor?: Actor;
}

const SYSTEM: Actor = { id: null, label: 'system' };

/**
 * One redaction in its own transaction, which first takes the retention advisory lock without waiting: 'busy' when
 * another process holds it (the pass then stops and leaves the rest to that process).
 */
async function underRetentionLock<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T | 'busy'> {
  return db.transaction(async (tx) => {
    const [lock] = await rows<{ ok: boolean }>(
      tx,
      sql`select pg_try_advisory_xact_lock(${RETENTION_LOCK}) as ok`,
    );
    return lock?.ok ? work(tx) : ('busy' as const);
  });
}

/** Due: closed before the cutoff, and every case it was merged into (transitively) too. */
async function isDue(db: Db, caseId: string, cutoff: Date): Promise<boolean> {
  const [r] = await rows<{ ok: boolean | null }>(
    db,
    sql`with recursive chain(id, merged_into_id, closed_at, status, depth) as (
          select id, merged_into_id, closed_at, status, 0 from case_file where id = ${caseId}
          union all
          select f.id, f.merged_into_id, f.closed_at, f.status, chain.depth + 1
          from case_file f join chain on f.id = chain.merged_into_id where chain.depth < 20)
        select bool_and(closed_at is not null and closed_at < ${cutoff.toISOString()}::timestamptz
                        and status in ${CLOSED}) as ok from chain`,
  );
  return r?.ok === true;
}

/** The signal-side counts, for the signals `ids` (a subquery of signal ids). */
const signalCountColumns = (ids: SQL) => sql`
      (select count(*) from signal_message where signal_id in ${ids}) as messages,
      (select count(*) from signal where id in ${ids}
         and (report_sealed is not null or contact_sealed is not null)) as reports,
      (select count(*) from signal where id in ${ids} and address_sealed is not null) as addresses,
      (select count(*) from email_message where signal_id in ${ids} and subject_sealed is not null) as email_subjects,
      (select count(*) from attachment where signal_id in ${ids}
         and (data_sealed is not null or filename_sealed is not null)) as attachments,
      (select count(*) from screening where signal_id in ${ids} and safety_plan_sealed is not null) as safety_plans`;

const numbers = <K extends string>(r: Record<K, number | string> | undefined): Record<K, number> => {
  const out = {} as Record<K, number>;
  for (const [k, v] of Object.entries(r ?? {})) out[k as K] = Number(v ?? 0);
  return out;
};

async function signalCountsFor(db: Db, signalId: string): Promise<SignalCounts> {
  const [r] = await rows<Record<keyof SignalCounts, number | string>>(
    db,
    sql`select ${signalCountColumns(sql`(${signalId}::uuid)`)}`,
  );
  return numbers(r);
}

async function countsFor(db: Db, caseId: string): Promise<RetentionCounts> {
  const inCase = sql`(select signal_id from case_signal where case_id = ${caseId})`;
  const [r] = await rows<Record<keyof RetentionCounts, number | string>>(
    db,
    sql`select
      (select (title_sealed is not null)::int + (protocol_waiver_sealed is not null)::int
         from case_file where id = ${caseId}) as case_fields,
      (select count(*) from case_person where case_id = ${caseId} and identity_sealed is not null) as people,
      (select count(*) from case_place_event where case_id = ${caseId} and description_sealed is not null) as places,
      (select count(*) from case_note where case_id = ${caseId} and body_sealed is not null) as notes,
      (select count(*) from case_task where case_id = ${caseId} and title_sealed is not null) as tasks,
      (select count(*) from referral where case_id = ${caseId} and (consent_sealed is not null
         or shared_sealed is not null or override_reason_sealed is not null or outcome_note_sealed is not null)) as referrals,
      (select count(*) from escalation where case_id = ${caseId}
         and (override_note_sealed is not null or outcome_note_sealed is not null)) as escalations,
      (select count(*) from case_access_grant where case_id = ${caseId} and note_sealed is not null) as access_grants,
      (select count(*) from case_signal where case_id = ${caseId}) as signals,
      ${signalCountColumns(inCase)}`,
  );
  return numbers(r);
}

async function redactCase(tx: Db, ring: Keyring, caseId: string): Promise<void> {
  const inCase = sql`(select signal_id from case_signal where case_id = ${caseId})`;
  await tx.execute(sql`update case_file set title_sealed = null, protocol_waiver_sealed = null,
    redacted_at = now(), updated_at = now(), version = version + 1 where id = ${caseId}`);
  await tx.execute(sql`update case_person set identity_sealed = null, redacted_at = now(), updated_at = now(),
    version = version + 1 where case_id = ${caseId}`);
  await tx.execute(sql`update case_place_event set description_sealed = null, redacted_at = now()
    where case_id = ${caseId}`);
  await tx.execute(sql`update case_note set body_sealed = null, redacted_at = now()
    where case_id = ${caseId}`);
  await tx.execute(sql`update case_task set title_sealed = null, redacted_at = now(), version = version + 1
    where case_id = ${caseId}`);
  await tx.execute(sql`update referral set consent_sealed = null, shared_sealed = null, override_reason_sealed = null,
    outcome_note_sealed = null, redacted_at = now(), updated_at = now(), version = version + 1
    where case_id = ${caseId}`);
  await tx.execute(sql`update escalation set override_note_sealed = null, outcome_note_sealed = null,
    redacted_at = now(), updated_at = now(), version = version + 1 where case_id = ${caseId}`);
  await tx.execute(
    sql`update case_access_grant set note_sealed = null where case_id = ${caseId} and note_sealed is not null`,
  );
  await redactSignals(tx, ring, inCase);
}

/**
 * The personal data of the signals `ids` (a subquery of signal ids): report and contact, address, message texts,
 * e-mail subjects, attachment bytes and names, the screening's safety plan, the chat's resume-token hash. The
 * contact hash stays (repeat contacts are still recognised), as do coded wrap-up fields, times and counts.
 */
async function redactSignals(tx: Db, ring: Keyring, ids: SQL): Promise<void> {
  await tx.execute(sql`update signal set report_sealed = null, contact_sealed = null, address_sealed = null,
    visitor_token_hash = null, redacted_at = now(), updated_at = now(), version = version + 1
    where id in ${ids}`);
  const signalIds = await rows<{ id: string }>(tx, sql`select id from signal where id in ${ids} order by id`);
  for (const { id } of signalIds) {
    // body_sealed is NOT NULL: an empty text, sealed like any message (AAD = signal id).
    await tx.execute(
      sql`update signal_message set body_sealed = ${encrypt(ring, '', id)} where signal_id = ${id}`,
    );
  }
  await tx.execute(sql`update email_message set subject_sealed = null
    where signal_id in ${ids} and subject_sealed is not null`);
  await tx.execute(sql`update attachment set data_sealed = null, filename_sealed = null
    where signal_id in ${ids} and (data_sealed is not null or filename_sealed is not null)`);
  await tx.execute(sql`update screening set safety_plan_sealed = null, redacted_at = now(), updated_at = now(),
    version = version + 1 where signal_id in ${ids}`);
}

/**
 * One retention pass (the hourly job and `harbour retention run`). A dry run lists the due cases with their counts
 * and changes nothing. Each case is redacted in its own transaction, which first takes the retention advisory lock
 * without waiting: when another process holds it, this pass stops (`busy`) and leaves the rest to that process.
 */
export async function runRetention(
  db: Db,
  ring: Keyring | undefined,
  options: RetentionOptions = {},
): Promise<RetentionReport> {
  const dryRun = Boolean(options.dryRun);
  const days = options.days && options.days > 0 ? Math.trunc(options.days) : null;
  const report: RetentionReport = { dryRun, days, cutoff: null, cases: [], signals: [], busy: false };
  if (days === null) return report;
  if (!dryRun && !ring) throw new Error('runRetention: a key ring is needed to redact message bodies');
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  report.cutoff = cutoff;
  const actor = options.actor ?? SYSTEM;

  let after: { closedAt: string; id: string } | null = null;
  for (;;) {
    const page: { id: string; reference: string; closed_at: Date | string; merged_into_id: string | null }[] =
      await rows(
        db,
        sql`select id, reference, closed_at, merged_into_id from case_file
            where redacted_at is null and closed_at is not null and closed_at < ${cutoff.toISOString()}::timestamptz
              and status in ${CLOSED}
              ${after ? sql`and (closed_at, id) > (${after.closedAt}::timestamptz, ${after.id}::uuid)` : sql``}
            order by closed_at, id limit 200`,
      );
    for (const c of page) {
      const closedAt = new Date(c.closed_at);
      if (c.merged_into_id && !(await isDue(db, c.id, cutoff))) continue;
      if (dryRun) {
        report.cases.push({ id: c.id, reference: c.reference, closedAt, counts: await countsFor(db, c.id) });
        continue;
      }
      const done = await underRetentionLock(db, async (tx) => {
        const [still] = await rows<{ id: string }>(
          tx,
          sql`select id from case_file where id = ${c.id} and redacted_at is null for update`,
        );
        if (!still || !(await isDue(tx, c.id, cutoff))) return null;
        const counts = await countsFor(tx, c.id);
        await redactCase(tx, ring as Keyring, c.id);
        await addCaseEvent(tx, c.id, 'redacted', null, { counts });
        await recordAudit(tx, actor, {
          action: 'retention.redact',
          targetType: 'case',
          targetId: c.id,
          details: { days, closed_at: closedAt.toISOString(), counts },
        });
        return counts;
      });
      if (done === 'busy') {
        report.busy = true;
        return report;
      }
      if (done) report.cases.push({ id: c.id, reference: c.reference, closedAt, counts: done });
    }
    const last = page.at(-1);
    if (!last || page.length < 200) break;
    after = { closedAt: new Date(last.closed_at).toISOString(), id: last.id };
  }
  report.busy = await loneSignals(db, ring, report, cutoff, days, actor);
  return report;
}

/** Signals in no case, ended before the cutoff and not yet redacted: each in its own transaction. True = busy. */
async function loneSignals(
  db: Db,
  ring: Keyring | undefined,
  report: RetentionReport,
  cutoff: Date,
  days: number,
  actor: Actor,
): Promise<boolean> {
  const lone = sql`redacted_at is null and ended_at is not null and ended_at < ${cutoff.toISOString()}::timestamptz
    and not exists (select 1 from case_signal cs where cs.signal_id = signal.id)`;
  let after: { endedAt: string; id: string } | null = null;
  for (;;) {
    const page: { id: string; reference: string; ended_at: Date | string }[] = await rows(
      db,
      sql`select id, reference, ended_at from signal where ${lone}
          ${after ? sql`and (ended_at, id) > (${after.endedAt}::timestamptz, ${after.id}::uuid)` : sql``}
          order by ended_at, id limit 200`,
    );
    for (const s of page) {
      const endedAt = new Date(s.ended_at);
      if (report.dryRun) {
        report.signals.push({
          id: s.id,
          reference: s.reference,
          endedAt,
          counts: await signalCountsFor(db, s.id),
        });
        continue;
      }
      const done = await underRetentionLock(db, async (tx) => {
        // Still in no case (a case may have taken it since the page was read), still due, not yet redacted.
        const [still] = await rows<{ id: string }>(
          tx,
          sql`select id from signal where id = ${s.id} and ${lone} for update`,
        );
        if (!still) return null;
        const counts = await signalCountsFor(tx, s.id);
        await redactSignals(tx, ring as Keyring, sql`(${s.id}::uuid)`);
        await recordAudit(tx, actor, {
          action: 'retention.redact',
          targetType: 'signal',
          targetId: s.id,
          details: { days, ended_at: endedAt.toISOString(), counts },
        });
        return counts;
      });
      if (done === 'busy') return true;
      if (done) report.signals.push({ id: s.id, reference: s.reference, endedAt, counts: done });
    }
    const last = page.at(-1);
    if (!last || page.length < 200) return false;
    after = { endedAt: new Date(last.ended_at).toISOString(), id: last.id };
  }
}

/**
 * The hourly retention job of a server process (started on ready, stopped on close). Off when
 * HARBOUR_RETENTION_DAYS is 0 (or unset in tests). Every process runs it; the advisory lock lets one work at a time.
 */
export function createRetentionJob(deps: Pick<CasesDeps, 'db' | 'config' | 'log'>): {
  start(): void;
  stop(): Promise<void>;
} {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const pass = async () => {
    try {
      const r = await runRetention(deps.db, deps.config.encryptionKey, { days: deps.config.retentionDays });
      if (r.cases.length > 0 || r.signals.length > 0)
        deps.log.info(
          { cases: r.cases.length, signals: r.signals.length },
          'retention: personal data redacted',
        );
    } catch (err) {
      // The error's type and code only: a database message may quote a value.
      deps.log.error(
        { err: { type: (err as Error)?.name, code: (err as { code?: string })?.code } },
        'retention: pass failed',
      );
    }
  };
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pass().finally(() => {
        running = undefined;
        schedule(HOUR_MS);
      });
    }, ms);
    timer.unref();
  };

  return {
    start() {
      const days = deps.config.retentionDays;
      if (!days || days <= 0 || timer || stopped) return;
      schedule(FIRST_RUN_MS);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
