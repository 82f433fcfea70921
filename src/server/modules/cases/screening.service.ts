import { and, eq, sql } from 'drizzle-orm';
import { ANSWER_MARKERS } from '../../../shared/cases.js';
import type { Config } from '../../config.js';
import { caseFile, caseSignal, type ScreeningRow, screening, signal, users } from '../../db/schema.js';
import { type Actor, recordAudit } from '../../platform/audit.js';
import { publish } from '../../platform/bus.js';
import { encrypt } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { AppError, forbidden, notFound, versionConflict } from '../../platform/errors.js';
import type { AuthUser } from '../../platform/policy.js';
import { CASE_ROLES, visibleCase } from './access.js';
import { checkList } from './answers.js';
import { addCaseEvent } from './events.js';
import { normaliseSafetyPlan, openSafetyPlan, type SafetyPlan, validateSafetyPlan } from './safety.js';

/** The screening of one signal as the API returns it (docs/api/cases.md "Screening"). */
export interface ScreeningView {
  signal_id: string;
  safety: string | null;
  classification: string | null;
  needs: string[];
  safety_plan: SafetyPlan | null;
  emergency_prompted_at: string | null;
  version: number;
  updated_at: string | null;
  updated_by: { id: string; display_name: string } | null;
}

/** What a PUT may change; an absent field keeps its value. */
export interface ScreeningChanges {
  safety?: string | null;
  classification?: string | null;
  needs?: string[] | null;
  safety_plan?: SafetyPlan | null;
  emergency_prompted?: boolean;
}

export type ScreeningField = 'safety' | 'classification' | 'needs' | 'safety_plan' | 'emergency_prompted';

export interface ScreeningDeps {
  db: Db;
  config: Pick<Config, 'encryptionKey'>;
}

/** Stable JSON (sorted keys) to tell whether a plan changed. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
    .join(',')}}`;
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * One screening per signal: safety first, classification, needs, the sealed safety plan, the emergency prompt.
 * Readers: case roles (a signal of a restricted case only for its team, a break-glass holder or the advocate holding
 * the signal). Writers: the advocate holding the signal, or a supervisor.
 */
export function createScreeningService(deps: ScreeningDeps) {
  const { db } = deps;
  const ring = deps.config.encryptionKey;

  async function displayName(tx: Db, userId: string | null) {
    if (!userId) return null;
    const [u] = await tx
      .select({ id: users.id, display_name: users.displayName })
      .from(users)
      .where(eq(users.id, userId));
    return u ?? null;
  }

  async function present(tx: Db, signalId: string, row: ScreeningRow | undefined): Promise<ScreeningView> {
    if (!row)
      return {
        signal_id: signalId,
        safety: null,
        classification: null,
        needs: [],
        safety_plan: null,
        emergency_prompted_at: null,
        version: 0,
        updated_at: null,
        updated_by: null,
      };
    return {
      signal_id: signalId,
      safety: row.safety,
      classification: row.classification,
      needs: row.needs,
      safety_plan: openSafetyPlan(ring, row.safetyPlanSealed, signalId),
      emergency_prompted_at: row.emergencyPromptedAt?.toISOString() ?? null,
      version: row.version,
      updated_at: row.updatedAt.toISOString(),
      updated_by: await displayName(tx, row.updatedBy),
    };
  }

  /**
   * The signal, and its case when it is in one. Refuses (404) an unknown signal or a role without case work, and
   * (403 CASE_RESTRICTED) a signal of a restricted case the user cannot open — unless they hold the signal.
   */
  async function access(tx: Db, user: Pick<AuthUser, 'id' | 'role'>, signalId: string) {
    if (!(CASE_ROLES as readonly string[]).includes(user.role)) throw notFound();
    const [s] = await tx
      .select({
        id: signal.id,
        assignedUserId: signal.assignedUserId,
        caseId: caseSignal.caseId,
        reference: caseFile.reference,
        visible: sql<boolean>`case when ${caseFile.id} is null then true else ${visibleCase(user.id)} end`,
      })
      .from(signal)
      .leftJoin(caseSignal, eq(caseSignal.signalId, signal.id))
      .leftJoin(caseFile, eq(caseFile.id, caseSignal.caseId))
      .where(eq(signal.id, signalId));
    if (!s) throw notFound();
    const holder = s.assignedUserId === user.id;
    if (!s.visible && !holder)
      throw new AppError('CASE_RESTRICTED', 403, undefined, { reference: s.reference, restricted: true });
    return { ...s, holder };
  }

  async function get(user: Pick<AuthUser, 'id' | 'role'>, signalId: string): Promise<ScreeningView> {
    await access(db, user, signalId);
    const [row] = await db.select().from(screening).where(eq(screening.signalId, signalId));
    return present(db, signalId, row);
  }

  /** Refuses what the schema cannot: markers in a classification (a judgement), a marker mixed with needs. */
  function validate(changes: ScreeningChanges): void {
    if (
      changes.classification != null &&
      (ANSWER_MARKERS as readonly string[]).includes(changes.classification)
    )
      throw new AppError('ANSWER_INVALID', 422, { field: 'classification' });
    if (changes.needs) checkList('needs', changes.needs);
    if (changes.safety_plan) validateSafetyPlan(changes.safety_plan);
  }

  /**
   * Saves the screening. `version` is the one the form was loaded with (0 = none recorded yet): a save over someone
   * else's change is refused (409 with the screening as stored now), and nothing is written.
   */
  async function update(
    actor: Actor,
    user: Pick<AuthUser, 'id' | 'role'>,
    signalId: string,
    version: number,
    changes: ScreeningChanges,
  ): Promise<ScreeningView> {
    return db.transaction(async (tx) => {
      const s = await access(tx, user, signalId);
      if (!s.holder && user.role !== 'supervisor') throw forbidden();
      validate(changes);
      const [row] = await tx.select().from(screening).where(eq(screening.signalId, signalId)).for('update');
      const conflict = async (current: ScreeningRow | undefined) => {
        const view = await present(tx, signalId, current);
        return versionConflict(view, view.updated_by);
      };
      if ((row?.version ?? 0) !== version) throw await conflict(row);

      const oldPlan = row ? openSafetyPlan(ring, row.safetyPlanSealed, signalId) : null;
      const newPlan =
        changes.safety_plan === undefined
          ? oldPlan
          : changes.safety_plan === null
            ? null
            : normaliseSafetyPlan(changes.safety_plan);
      const next = {
        safety: changes.safety === undefined ? (row?.safety ?? null) : changes.safety,
        classification:
          changes.classification === undefined ? (row?.classification ?? null) : changes.classification,
        needs: changes.needs === undefined ? (row?.needs ?? []) : (changes.needs ?? []),
        emergencyPromptedAt:
          row?.emergencyPromptedAt ?? (changes.emergency_prompted === true ? new Date() : null),
      };
      const fields: ScreeningField[] = [];
      if (next.safety !== (row?.safety ?? null)) fields.push('safety');
      if (next.classification !== (row?.classification ?? null)) fields.push('classification');
      if (!sameList(next.needs, row?.needs ?? [])) fields.push('needs');
      const planChanged = canonical(newPlan) !== canonical(oldPlan);
      if (planChanged) fields.push('safety_plan');
      if (next.emergencyPromptedAt && !row?.emergencyPromptedAt) fields.push('emergency_prompted');
      // Nothing changed on a recorded screening: nothing to write (no new version, no audit row).
      if (row && fields.length === 0) return present(tx, signalId, row);

      const now = new Date();
      const sealed =
        planChanged || !row
          ? newPlan
            ? encrypt(ring, JSON.stringify(newPlan), signalId)
            : null
          : row.safetyPlanSealed;
      let saved: ScreeningRow | undefined;
      if (!row) {
        [saved] = await tx
          .insert(screening)
          .values({
            signalId,
            ...next,
            safetyPlanSealed: sealed,
            version: 1,
            createdBy: user.id,
            updatedBy: user.id,
            createdAt: now,
            updatedAt: now,
          })
          .onConflictDoNothing()
          .returning();
        if (!saved) {
          const [current] = await tx.select().from(screening).where(eq(screening.signalId, signalId));
          throw await conflict(current);
        }
      } else {
        [saved] = await tx
          .update(screening)
          .set({
            ...next,
            safetyPlanSealed: sealed,
            version: sql`${screening.version} + 1`,
            updatedBy: user.id,
            updatedAt: now,
          })
          .where(and(eq(screening.signalId, signalId), eq(screening.version, version)))
          .returning();
        if (!saved) throw await conflict(row);
      }

      await recordAudit(tx, actor, {
        action: 'screening.update',
        targetType: 'signal',
        targetId: signalId,
        details: { fields, version: saved.version },
      });
      // The signal's case as it is now (locked, like every case write: a merge may have moved the signal since the
      // start of this transaction), so the timeline entry lands on the case that holds the signal.
      const [holder] = await tx
        .select({ caseId: caseSignal.caseId })
        .from(caseSignal)
        .where(eq(caseSignal.signalId, signalId));
      if (holder) {
        await tx
          .select({ id: caseFile.id })
          .from(caseFile)
          .where(eq(caseFile.id, holder.caseId))
          .for('update');
        const [still] = await tx
          .select({ caseId: caseSignal.caseId })
          .from(caseSignal)
          .where(eq(caseSignal.signalId, signalId));
        const caseId = still?.caseId ?? holder.caseId;
        await addCaseEvent(tx, caseId, 'updated', user.id, { screening: signalId, fields });
        await publish(tx, { topic: 'case', id: caseId, kind: 'updated' });
      }
      return present(tx, signalId, saved);
    });
  }

  return { get, update };
}

export type ScreeningService = ReturnType<typeof createScreeningService>;
