import { randomUUID } from 'node:crypto';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import {
  type CasePersonRow,
  type CaseRow,
  caseFile,
  caseNote,
  casePerson,
  casePlaceEvent,
  caseSignal,
  caseTask,
} from '../../db/schema.js';
import { type Actor, recordAudit } from '../../platform/audit.js';
import { encrypt } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { AppError, notFound, versionConflict } from '../../platform/errors.js';
import { hotlineTimeZone } from '../../platform/period.js';
import type { AuthUser } from '../../platform/policy.js';
import { requireCase, visibleCase } from './access.js';
import { checkList } from './answers.js';
import type { CasesDeps } from './cases.module.js';
import type { NoteValue, PersonValue, PlaceValue, TaskValue } from './cases.presenter.js';
import { casesRepository as repo } from './cases.repository.js';
import {
  ageBandOf,
  caseEventAndPublish,
  isMinorPerson,
  openIdentity,
  presentNote,
  presentPerson,
  presentPlace,
  presentTask,
  presentTasksWithPlan,
  refreshCase,
} from './cases.service.js';
import { checkCallBack, loadSafetyPlan } from './safety.js';

/** People, places, notes and tasks of a case (docs/api/cases.md "People, places, notes, tasks"). */

export interface PersonInput {
  role?: string | undefined;
  name?: string | null | undefined;
  alias?: string | null | undefined;
  contact?: string | null | undefined;
  gender?: string | null | undefined;
  age?: number | null | undefined;
  age_band?: string | null | undefined;
  citizenship?: string[] | undefined;
  languages?: string[] | undefined;
  relationship_to_exploiter?: string | null | undefined;
  exploitation_types?: string[] | undefined;
  venue?: string | null | undefined;
  industry?: string | null | undefined;
  means_of_control?: string[] | undefined;
  recruitment?: string[] | undefined;
  indicators?: string[] | undefined;
}

const LIST_FIELDS = [
  'citizenship',
  'languages',
  'exploitation_types',
  'means_of_control',
  'recruitment',
  'indicators',
] as const;

export interface PlaceInput {
  person_id?: string | null | undefined;
  type: string;
  region?: string | null | undefined;
  city?: string | null | undefined;
  country?: string | null | undefined;
  occurred_from?: string | null | undefined;
  occurred_to?: string | null | undefined;
  date_marker?: string | null | undefined;
  description?: string | null | undefined;
}

export interface TaskInput {
  kind: 'task' | 'call_back';
  title?: string | null | undefined;
  due_at: string;
  assignee_id?: string | null | undefined;
  signal_id?: string | null | undefined;
  call_number_ref?: string | null | undefined;
}

export interface TaskPatch {
  done?: boolean | undefined;
  due_at?: string | undefined;
  assignee_id?: string | null | undefined;
  title?: string | null | undefined;
}

const validDate = (value: string, field: string): Date => {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new AppError('VALIDATION_FAILED', 400, { fields: field });
  return d;
};

export function createPartsService(deps: Pick<CasesDeps, 'db' | 'config'>) {
  const { db } = deps;
  const ring = deps.config.encryptionKey;
  const timeZone = hotlineTimeZone(deps.config);
  const seal = (text: string | null | undefined, aad: string) =>
    text == null || text.trim() === '' ? null : encrypt(ring, text, aad);

  /** Column values of a person from the input over the stored row (absent = keep). */
  function personValues(id: string, input: PersonInput, current?: CasePersonRow) {
    for (const f of LIST_FIELDS) checkList(f, input[f]);
    const identity = current ? openIdentity(ring, current) : {};
    const changed: string[] = [];
    for (const k of ['name', 'alias', 'contact'] as const) {
      if (input[k] === undefined) continue;
      identity[k] = input[k]?.trim() || null;
      changed.push(k);
    }
    const role = input.role ?? current?.role ?? 'potential_victim';
    const age = input.age !== undefined ? input.age : (current?.age ?? null);
    let ageBand = input.age_band !== undefined ? input.age_band : (current?.ageBand ?? null);
    if (age != null) ageBand = ageBandOf(age);
    const pick = <T>(value: T | undefined, stored: T) => (value === undefined ? stored : value);
    for (const k of Object.keys(input) as (keyof PersonInput)[])
      if (input[k] !== undefined && !['name', 'alias', 'contact'].includes(k)) changed.push(k);
    const hasIdentity = Object.values(identity).some((v) => v);
    return {
      changed,
      values: {
        role,
        identitySealed: hasIdentity ? encrypt(ring, JSON.stringify(identity), id) : null,
        gender: pick(input.gender, current?.gender ?? null),
        age,
        ageBand,
        citizenship: pick(input.citizenship, current?.citizenship ?? []),
        languages: pick(input.languages, current?.languages ?? []),
        relationshipToExploiter: pick(
          input.relationship_to_exploiter,
          current?.relationshipToExploiter ?? null,
        ),
        exploitationTypes: pick(input.exploitation_types, current?.exploitationTypes ?? []),
        venue: pick(input.venue, current?.venue ?? null),
        industry: pick(input.industry, current?.industry ?? null),
        meansOfControl: pick(input.means_of_control, current?.meansOfControl ?? []),
        recruitment: pick(input.recruitment, current?.recruitment ?? []),
        indicators: pick(input.indicators, current?.indicators ?? []),
        isMinor: isMinorPerson(role, age, ageBand),
      },
    };
  }

  async function loadPerson(tx: Db, caseId: string, personId: string, lock = false) {
    const q = tx
      .select()
      .from(casePerson)
      .where(and(eq(casePerson.id, personId), eq(casePerson.caseId, caseId)));
    const [p] = lock ? await q.for('update') : await q;
    if (!p) throw notFound();
    return p;
  }

  async function loadTask(tx: Db, caseId: string, taskId: string, lock = false) {
    const q = tx
      .select()
      .from(caseTask)
      .where(and(eq(caseTask.id, taskId), eq(caseTask.caseId, caseId)));
    const [t] = lock ? await q.for('update') : await q;
    if (!t) throw notFound();
    return t;
  }

  async function taskView(tx: Db, taskId: string): Promise<TaskValue> {
    const [t] = await tx.select().from(caseTask).where(eq(caseTask.id, taskId));
    if (!t) throw notFound();
    const names = await repo.displayNames(tx, [t.assigneeId, t.doneBy]);
    return presentTask(t, names, ring);
  }

  /**
   * A task goes only to someone who can open its case without break-glass (an active advocate or supervisor; for a
   * restricted case, a member of its team): a grant expires, and a task nobody can open is a call-back missed.
   */
  async function requireAssignee(tx: Db, c: CaseRow, assigneeId: string): Promise<void> {
    const [found] = await repo.assignees(tx, c.restrictedTeamId, assigneeId);
    if (!found) throw new AppError('ASSIGNEE_CANNOT_OPEN_CASE', 422);
  }

  /**
   * Without an explicit assignee a task is the creator's — unless the creator could not open the case later (a
   * break-glass reader): then the case owner's, if they can; else the creator must choose (422).
   */
  async function defaultAssignee(tx: Db, c: CaseRow, userId: string): Promise<string> {
    for (const candidate of [userId, c.ownerId]) {
      if (candidate && (await repo.assignees(tx, c.restrictedTeamId, candidate)).length > 0) return candidate;
    }
    throw new AppError('ASSIGNEE_CANNOT_OPEN_CASE', 422);
  }

  const audit = (tx: Db, actor: Actor, caseId: string, details: Record<string, unknown>) =>
    recordAudit(tx, actor, { action: 'case.update', targetType: 'case', targetId: caseId, details });

  return {
    async addPerson(actor: Actor, user: AuthUser, caseId: string, input: PersonInput): Promise<PersonValue> {
      return db.transaction(async (tx) => {
        await requireCase(tx, user, caseId, { forUpdate: true, open: true });
        const id = randomUUID();
        const { values } = personValues(id, input);
        const [p] = await tx
          .insert(casePerson)
          .values({ id, caseId, ...values })
          .returning();
        await refreshCase(tx, caseId);
        await caseEventAndPublish(tx, caseId, 'person_added', user.id, { person_id: id, role: values.role });
        await audit(tx, actor, caseId, { person_added: id });
        return presentPerson(p as CasePersonRow, ring);
      });
    },

    async updatePerson(
      actor: Actor,
      user: AuthUser,
      caseId: string,
      personId: string,
      version: number,
      input: PersonInput,
    ): Promise<PersonValue> {
      return db.transaction(async (tx) => {
        await requireCase(tx, user, caseId, { forUpdate: true, open: true });
        const current = await loadPerson(tx, caseId, personId, true);
        if (current.version !== version)
          throw versionConflict(
            presentPerson(current, ring),
            await repo.lastChanger(tx, caseId, { field: 'person_id', id: personId }),
          );
        const { values, changed } = personValues(personId, input, current);
        const [p] = await tx
          .update(casePerson)
          .set({ ...values, version: sql`${casePerson.version} + 1`, updatedAt: new Date() })
          .where(eq(casePerson.id, personId))
          .returning();
        await refreshCase(tx, caseId);
        await caseEventAndPublish(tx, caseId, 'person_updated', user.id, {
          person_id: personId,
          fields: changed,
        });
        await audit(tx, actor, caseId, { person_updated: personId, fields: changed });
        return presentPerson(p as CasePersonRow, ring);
      });
    },

    async removePerson(actor: Actor, user: AuthUser, caseId: string, personId: string): Promise<void> {
      await db.transaction(async (tx) => {
        await requireCase(tx, user, caseId, { forUpdate: true, open: true });
        await loadPerson(tx, caseId, personId, true);
        await tx.delete(casePerson).where(eq(casePerson.id, personId));
        await refreshCase(tx, caseId);
        await caseEventAndPublish(tx, caseId, 'person_removed', user.id, { person_id: personId });
        await audit(tx, actor, caseId, { person_removed: personId });
      });
    },

    async addPlace(actor: Actor, user: AuthUser, caseId: string, input: PlaceInput): Promise<PlaceValue> {
      if (input.occurred_from && input.occurred_to && input.occurred_to < input.occurred_from)
        throw new AppError('VALIDATION_FAILED', 400, { fields: 'occurred_to' });
      return db.transaction(async (tx) => {
        await requireCase(tx, user, caseId, { forUpdate: true, open: true });
        if (input.person_id)
          await loadPerson(tx, caseId, input.person_id).catch(() => {
            throw new AppError('VALIDATION_FAILED', 400, { fields: 'person_id' });
          });
        const id = randomUUID();
        const [p] = await tx
          .insert(casePlaceEvent)
          .values({
            id,
            caseId,
            personId: input.person_id ?? null,
            type: input.type,
            region: input.region ?? null,
            city: input.city?.trim() || null,
            country: input.country ?? null,
            occurredFrom: input.occurred_from ?? null,
            occurredTo: input.occurred_to ?? null,
            dateMarker: input.date_marker ?? null,
            descriptionSealed: seal(input.description, id),
          })
          .returning();
        await caseEventAndPublish(tx, caseId, 'place_added', user.id, { place_id: id, type: input.type });
        await audit(tx, actor, caseId, { place_added: id });
        return presentPlace(p!, ring);
      });
    },

    async removePlace(actor: Actor, user: AuthUser, caseId: string, placeId: string): Promise<void> {
      await db.transaction(async (tx) => {
        await requireCase(tx, user, caseId, { forUpdate: true, open: true });
        const removed = await tx
          .delete(casePlaceEvent)
          .where(and(eq(casePlaceEvent.id, placeId), eq(casePlaceEvent.caseId, caseId)))
          .returning({ id: casePlaceEvent.id });
        if (removed.length === 0) throw notFound();
        await caseEventAndPublish(tx, caseId, 'place_removed', user.id, { place_id: placeId });
        await audit(tx, actor, caseId, { place_removed: placeId });
      });
    },

    /** Append-only; the body sealed and stored exactly as typed. */
    async addNote(actor: Actor, user: AuthUser, caseId: string, body: string): Promise<NoteValue> {
      if (!body.trim()) throw new AppError('VALIDATION_FAILED', 400, { fields: 'body' });
      return db.transaction(async (tx) => {
        await requireCase(tx, user, caseId, { forUpdate: true, open: true });
        const id = randomUUID();
        const [n] = await tx
          .insert(caseNote)
          .values({ id, caseId, authorId: user.id, bodySealed: encrypt(ring, body, id) })
          .returning();
        await caseEventAndPublish(tx, caseId, 'note_added', user.id, { note_id: id });
        await audit(tx, actor, caseId, { note_added: id });
        const names = await repo.displayNames(tx, [user.id]);
        return presentNote(n!, names, ring);
      });
    },

    async addTask(actor: Actor, user: AuthUser, caseId: string, input: TaskInput): Promise<TaskValue> {
      const dueAt = validDate(input.due_at, 'due_at');
      return db.transaction(async (tx) => {
        const c = await requireCase(tx, user, caseId, { forUpdate: true, open: true });
        if (input.assignee_id) await requireAssignee(tx, c, input.assignee_id);
        const assigneeId = input.assignee_id ?? (await defaultAssignee(tx, c, user.id));
        if (input.signal_id) {
          const [link] = await tx
            .select({ signalId: caseSignal.signalId })
            .from(caseSignal)
            .where(and(eq(caseSignal.signalId, input.signal_id), eq(caseSignal.caseId, caseId)));
          if (!link) throw new AppError('VALIDATION_FAILED', 400, { fields: 'signal_id' });
        }
        let voicemailAllowed: boolean | null = null;
        let numberRef: string | null = null;
        if (input.kind === 'call_back') {
          if (!input.signal_id) throw new AppError('VALIDATION_FAILED', 400, { fields: 'signal_id' });
          numberRef = input.call_number_ref ?? null;
          const plan = await loadSafetyPlan(tx, ring, input.signal_id);
          voicemailAllowed = checkCallBack(plan, dueAt, numberRef ?? '', timeZone).voicemailAllowed;
        }
        const id = randomUUID();
        await tx.insert(caseTask).values({
          id,
          caseId,
          kind: input.kind,
          titleSealed: seal(input.title, id),
          dueAt,
          assigneeId,
          signalId: input.signal_id ?? null,
          callNumberRef: numberRef,
          voicemailAllowed,
          createdBy: user.id,
        });
        await caseEventAndPublish(tx, caseId, 'task_added', user.id, { task_id: id, kind: input.kind });
        await audit(tx, actor, caseId, { task_added: id, kind: input.kind });
        return taskView(tx, id);
      });
    },

    async updateTask(
      actor: Actor,
      user: AuthUser,
      caseId: string,
      taskId: string,
      version: number,
      input: TaskPatch,
    ): Promise<TaskValue> {
      const dueAt = input.due_at === undefined ? undefined : validDate(input.due_at, 'due_at');
      return db.transaction(async (tx) => {
        const c = await requireCase(tx, user, caseId, { forUpdate: true, open: true });
        const t = await loadTask(tx, caseId, taskId, true);
        if (t.version !== version)
          throw versionConflict(
            await taskView(tx, taskId),
            await repo.lastChanger(tx, caseId, { field: 'task_id', id: taskId }),
          );
        const set: Partial<typeof caseTask.$inferInsert> = {};
        const fields: string[] = [];
        if (input.title !== undefined) {
          set.titleSealed = seal(input.title, taskId);
          fields.push('title');
        }
        if (dueAt !== undefined) {
          if (t.kind === 'call_back' && t.signalId) {
            // A call-back moves only to another safe time.
            const plan = await loadSafetyPlan(tx, ring, t.signalId);
            set.voicemailAllowed = checkCallBack(
              plan,
              dueAt,
              t.callNumberRef ?? '',
              timeZone,
            ).voicemailAllowed;
          }
          set.dueAt = dueAt;
          fields.push('due_at');
        }
        if (input.assignee_id !== undefined) {
          if (input.assignee_id) await requireAssignee(tx, c, input.assignee_id);
          set.assigneeId = input.assignee_id;
          fields.push('assignee_id');
        }
        let event: 'task_done' | 'task_reopened' | null = null;
        if (input.done === true && !t.doneAt) {
          set.doneAt = new Date();
          set.doneBy = user.id;
          event = 'task_done';
        } else if (input.done === false && t.doneAt) {
          set.doneAt = null;
          set.doneBy = null;
          event = 'task_reopened';
        }
        if (fields.length === 0 && !event) return taskView(tx, taskId);
        await tx
          .update(caseTask)
          .set({ ...set, version: sql`${caseTask.version} + 1` })
          .where(eq(caseTask.id, taskId));
        if (event) await caseEventAndPublish(tx, caseId, event, user.id, { task_id: taskId });
        if (fields.length > 0)
          await caseEventAndPublish(tx, caseId, 'updated', user.id, { task_id: taskId, fields });
        await audit(tx, actor, caseId, {
          task_updated: taskId,
          fields: event ? [...fields, 'done'] : fields,
        });
        return taskView(tx, taskId);
      });
    },

    /**
     * Who a task of this case may go to (`requireAssignee`'s rule), for the console's "Assign to" list. Names and
     * roles of colleagues only, nothing of the case: not audited as a case read (the case must still be one I may
     * open: 404, 403 CASE_RESTRICTED, 409 CASE_MERGED as for reading it).
     */
    async assignees(user: AuthUser, caseId: string) {
      return db.transaction(async (tx) => {
        const c = await requireCase(tx, user, caseId);
        const found = await repo.assignees(tx, c.restrictedTeamId);
        return found.map((u) => ({ id: u.id, display_name: u.displayName, role: u.role }));
      });
    },

    /**
     * Open tasks assigned to me on cases I can see, due first (titles may name people: audited like a search); an
     * open call-back carries `plan_conflict` / `voicemail_allowed` from its signal's safety plan as it is now.
     */
    async myTasks(actor: Actor, user: AuthUser) {
      return db.transaction(async (tx) => {
        const found = await tx
          .select({ task: caseTask, caseReference: caseFile.reference })
          .from(caseTask)
          .innerJoin(caseFile, eq(caseFile.id, caseTask.caseId))
          .where(
            and(
              eq(caseTask.assigneeId, user.id),
              isNull(caseTask.doneAt),
              isNull(caseFile.mergedIntoId),
              visibleCase(user.id),
            ),
          )
          .orderBy(asc(caseTask.dueAt), asc(caseTask.id))
          .limit(500);
        const names = await repo.displayNames(
          tx,
          found.flatMap((r) => [r.task.assigneeId, r.task.doneBy]),
        );
        await recordAudit(tx, actor, {
          action: 'case.search',
          targetType: 'case',
          details: { filters: ['tasks_mine'], count: found.length },
        });
        // Call-backs checked against their plan as it is now, exactly as on the case.
        const shown = await presentTasksWithPlan(
          tx,
          ring,
          found.map((r) => r.task),
          names,
          timeZone,
        );
        return found.map((r, i) => ({
          ...shown[i]!,
          case_id: r.task.caseId,
          case_reference: r.caseReference,
        }));
      });
    },
  };
}

export type PartsService = ReturnType<typeof createPartsService>;
