import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { MINOR_AGE_BANDS } from '../../../shared/cases.js';
import {
  type CaseNoteRow,
  type CasePersonRow,
  type CasePlaceEventRow,
  type CaseRow,
  type CaseTaskRow,
  caseAccessGrant,
  caseEvent,
  caseFile,
  caseNote,
  casePerson,
  casePlaceEvent,
  caseSignal,
  caseTask,
  escalation,
  referral,
  signal,
  team,
  teamMember,
} from '../../db/schema.js';
import { type Actor, recordAudit } from '../../platform/audit.js';
import { publish } from '../../platform/bus.js';
import { decrypt, encrypt, type Keyring } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { AppError, notFound, versionConflict } from '../../platform/errors.js';
import { DEFAULT_TIME_ZONE } from '../../platform/period.js';
import type { AuthUser } from '../../platform/policy.js';
import { normalizeAddress, openAddress, contactHashes as ringHashes } from '../channels/contact.js';
import { generateReference } from '../queue/signals.service.js';
import { BREAK_GLASS_HOURS, type CaseUser, requireCase, visibleCase } from './access.js';
import type { CasesDeps } from './cases.module.js';
import type {
  CaseDetailValue,
  CaseSignalValue,
  CaseSummaryValue,
  NoteValue,
  PersonValue,
  PlaceValue,
  TaskValue,
  TimelineEntryValue,
  TimelinePageValue,
  UserRefValue,
} from './cases.presenter.js';
import { iso } from './cases.presenter.js';
import { casesRepository as repo, type SearchFilters, type SummaryRow } from './cases.repository.js';
import { escalationsForCase, pendingProtocols } from './escalations.repository.js';
import { addCaseEvent, type CaseEventType } from './events.js';
import { caseHasAcceptedReferral, referralsForCase } from './referrals.repository.js';
import { checkCallBack, loadSafetyPlan, type SafetyPlan } from './safety.js';

/** Timeline entries per page of GET /api/cases/:id (and /timeline). */
export const TIMELINE_PAGE = 200;
export const MAX_KEYWORDS = 20;
export const MAX_KEYWORD_CHARS = 40;

// ---------------------------------------------------------------------------------------------------------------
// Small pure helpers

/** Lower-cased, without accents: what search_text holds and what `q` is compared in. */
export function searchNormal(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Trimmed, non-empty, without case-insensitive duplicates. */
export function cleanKeywords(list: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of list) {
    const k = raw.trim().replace(/\s+/g, ' ');
    if (!k || seen.has(k.toLowerCase())) continue;
    if (k.length > MAX_KEYWORD_CHARS) throw new AppError('VALIDATION_FAILED', 400, { fields: 'keywords' });
    seen.add(k.toLowerCase());
    out.push(k);
  }
  if (out.length > MAX_KEYWORDS) throw new AppError('VALIDATION_FAILED', 400, { fields: 'keywords' });
  return out;
}

const MARKERS = new Set(['declined', 'unknown']);

/** Reference + keywords + region + people's coded labels (codes, and their words), lower-cased, unaccented. */
export function buildSearchText(
  reference: string,
  keywords: readonly string[],
  region: string | null,
  codes: readonly string[],
): string {
  const coded = [...new Set(codes.filter((c) => c && !MARKERS.has(c)))].flatMap((c) =>
    c.includes('_') ? [c, c.replace(/_/g, ' ')] : [c],
  );
  return searchNormal(
    [reference, ...keywords, region && !MARKERS.has(region) ? region : '', ...coded].join(' '),
  )
    .replace(/\s+/g, ' ')
    .trim();
}

/** `HC-XXXX-XXXX`: the signals' reference generator (same alphabet and length), with the case prefix. */
export function generateCaseReference(): string {
  return `HC-${generateReference().slice(3)}`;
}

/** age → AGE_BANDS code. */
export function ageBandOf(age: number): string {
  if (age < 12) return 'under_12';
  if (age < 16) return '12_15';
  if (age < 18) return '16_17';
  if (age < 25) return '18_24';
  if (age < 35) return '25_34';
  if (age < 50) return '35_49';
  if (age < 65) return '50_64';
  return '65_plus';
}

export function isMinorPerson(role: string, age: number | null, ageBand: string | null): boolean {
  if (role !== 'potential_victim' && role !== 'survivor') return false;
  if (age != null) return age < 18;
  return ageBand != null && (MINOR_AGE_BANDS as readonly string[]).includes(ageBand);
}

const encodeCursor = (parts: (string | number)[]) => Buffer.from(parts.join('|')).toString('base64url');
const badCursor = () => new AppError('VALIDATION_FAILED', 400, { fields: 'cursor' });
const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeCaseCursor(cursor: string): { at: string; id: string } {
  const [at, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !id || extra !== undefined || !CURSOR_AT.test(at) || !UUID.test(id)) throw badCursor();
  return { at, id };
}

export function decodeTimelineCursor(cursor: string): { at: string; id: number } {
  const [at, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !id || extra !== undefined || !CURSOR_AT.test(at) || !/^\d{1,15}$/.test(id)) throw badCursor();
  return { at, id: Number(id) };
}

// ---------------------------------------------------------------------------------------------------------------
// Presenting rows (sealed columns opened here, for case workers only)

export function opener(ring: Keyring) {
  return (sealed: string | null | undefined, aad: string): string | null =>
    sealed ? decrypt(ring, sealed, aad).toString('utf8') : null;
}

const userRef = (id: string | null | undefined, names: Map<string, string>): UserRefValue | null =>
  id && names.has(id) ? { id, display_name: names.get(id) as string } : null;

export function presentSummary(s: SummaryRow, ring: Keyring): CaseSummaryValue {
  const c = s.row;
  return {
    id: c.id,
    reference: c.reference,
    status: c.status as CaseSummaryValue['status'],
    title: opener(ring)(c.titleSealed, c.id),
    keywords: c.keywords,
    region: c.region,
    restricted: c.restrictedTeamId != null,
    involves_minor: c.involvesMinor,
    owner: c.ownerId && s.ownerName ? { id: c.ownerId, display_name: s.ownerName } : null,
    signal_count: Number(s.signalCount),
    open_task_count: Number(s.openTaskCount),
    created_at: c.createdAt.toISOString(),
    last_activity_at: c.lastActivityAt.toISOString(),
    closed_at: iso(c.closedAt),
    version: c.version,
  };
}

interface Identity {
  name?: string | null;
  alias?: string | null;
  contact?: string | null;
}

export function openIdentity(ring: Keyring, p: Pick<CasePersonRow, 'id' | 'identitySealed'>): Identity {
  const text = opener(ring)(p.identitySealed, p.id);
  return text ? (JSON.parse(text) as Identity) : {};
}

export function presentPerson(p: CasePersonRow, ring: Keyring): PersonValue {
  const who = openIdentity(ring, p);
  return {
    id: p.id,
    role: p.role as PersonValue['role'],
    name: who.name ?? null,
    alias: who.alias ?? null,
    contact: who.contact ?? null,
    gender: p.gender,
    age: p.age,
    age_band: p.ageBand,
    citizenship: p.citizenship,
    languages: p.languages,
    relationship_to_exploiter: p.relationshipToExploiter,
    exploitation_types: p.exploitationTypes,
    venue: p.venue,
    industry: p.industry,
    means_of_control: p.meansOfControl,
    recruitment: p.recruitment,
    indicators: p.indicators,
    is_minor: p.isMinor,
    version: p.version,
    updated_at: p.updatedAt.toISOString(),
  };
}

export function presentPlace(p: CasePlaceEventRow, ring: Keyring): PlaceValue {
  return {
    id: p.id,
    person_id: p.personId,
    type: p.type as PlaceValue['type'],
    region: p.region,
    city: p.city,
    country: p.country,
    occurred_from: p.occurredFrom,
    occurred_to: p.occurredTo,
    date_marker: p.dateMarker,
    description: opener(ring)(p.descriptionSealed, p.id),
  };
}

/**
 * Tasks as shown on the case: an open call-back is checked again against its signal's safety plan as it is now (the
 * plan may have changed since the call-back was set): `plan_conflict` names the rule it breaks now
 * (CALLBACK_NO_SAFETY_PLAN / CALLBACK_OUTSIDE_SAFE_WINDOW / CALLBACK_NUMBER_NOT_SAFE), and a voicemail is allowed only
 * if the current plan still allows it.
 */
export async function presentTasksWithPlan(
  tx: Db,
  ring: Keyring,
  tasks: CaseTaskRow[],
  names: Map<string, string>,
  timeZone: string,
  now: Date = new Date(),
): Promise<TaskValue[]> {
  const plans = new Map<string, SafetyPlan | null>();
  const out: TaskValue[] = [];
  for (const t of tasks) {
    const shown = presentTask(t, names, ring);
    if (t.kind === 'call_back' && !t.doneAt && t.signalId) {
      if (!plans.has(t.signalId)) plans.set(t.signalId, await loadSafetyPlan(tx, ring, t.signalId));
      const plan = plans.get(t.signalId) ?? null;
      try {
        const atDue = checkCallBack(plan, t.dueAt, t.callNumberRef ?? '', timeZone);
        shown.voicemail_allowed = Boolean(t.voicemailAllowed) && atDue.voicemailAllowed;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        shown.plan_conflict = err.code;
        shown.voicemail_allowed = false;
      }
      try {
        checkCallBack(plan, now, t.callNumberRef ?? '', timeZone);
        shown.safe_now = true;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        shown.safe_now = false;
      }
    }
    out.push(shown);
  }
  return out;
}

export function presentTask(t: CaseTaskRow, names: Map<string, string>, ring: Keyring): TaskValue {
  return {
    plan_conflict: null,
    safe_now: null,
    id: t.id,
    kind: t.kind as TaskValue['kind'],
    title: opener(ring)(t.titleSealed, t.id),
    due_at: t.dueAt.toISOString(),
    assignee: userRef(t.assigneeId, names),
    signal_id: t.signalId,
    call_number_ref: t.callNumberRef,
    voicemail_allowed: t.voicemailAllowed,
    referral_id: t.referralId,
    done_at: iso(t.doneAt),
    done_by: userRef(t.doneBy, names),
    version: t.version,
  };
}

export function presentNote(n: CaseNoteRow, names: Map<string, string>, ring: Keyring): NoteValue {
  return {
    id: n.id,
    body: opener(ring)(n.bodySealed, n.id),
    author: userRef(n.authorId, names),
    created_at: n.createdAt.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Shared by the case and parts services

/**
 * Recomputes what is derived from a case's parts: search_text (reference, keywords, region, people's codes) and
 * involves_minor. A change of involves_minor is a change of the case: its version is bumped.
 */
export async function refreshCase(tx: Db, caseId: string): Promise<void> {
  const [c] = await tx.select().from(caseFile).where(eq(caseFile.id, caseId));
  if (!c) return;
  const codes = await repo.personCodes(tx, caseId);
  const minor = await repo.anyMinor(tx, caseId);
  const searchText = buildSearchText(c.reference, c.keywords, c.region, codes);
  if (searchText === c.searchText && minor === c.involvesMinor) return;
  await tx
    .update(caseFile)
    .set({
      searchText,
      involvesMinor: minor,
      ...(minor !== c.involvesMinor ? { version: sql`${caseFile.version} + 1`, updatedAt: new Date() } : {}),
    })
    .where(eq(caseFile.id, caseId));
}

export async function timelinePage(
  tx: Db,
  ring: Keyring,
  caseId: string,
  cursor?: string,
): Promise<TimelinePageValue> {
  const found = await repo.timeline(
    tx,
    caseId,
    TIMELINE_PAGE,
    cursor ? decodeTimelineCursor(cursor) : undefined,
  );
  const page = found.slice(0, TIMELINE_PAGE);
  const noteIds = page
    .filter((e) => e.type === 'note_added')
    .map((e) => (typeof e.data === 'string' ? JSON.parse(e.data) : e.data)?.note_id)
    .filter((id): id is string => typeof id === 'string' && UUID.test(id));
  const notes = await repo.notes(tx, noteIds);
  const names = await repo.displayNames(tx, [...page.map((e) => e.user_id), ...notes.map((n) => n.authorId)]);
  const byId = new Map(notes.map((n) => [n.id, n]));
  const items: TimelineEntryValue[] = page.map((e) => {
    const data = (typeof e.data === 'string' ? JSON.parse(e.data) : e.data) as Record<string, unknown>;
    const entry: TimelineEntryValue = {
      id: String(e.id),
      type: e.type,
      at: new Date(e.at).toISOString(),
      user: userRef(e.user_id, names),
      data,
    };
    const note = e.type === 'note_added' ? byId.get(String(data.note_id)) : undefined;
    if (note) {
      const n = presentNote(note, names, ring);
      entry.note = { id: n.id, body: n.body, author: n.author };
    }
    return entry;
  });
  const last = page[page.length - 1];
  return {
    items,
    next_cursor:
      found.length > TIMELINE_PAGE && last ? encodeCursor([last.cursor_at, String(last.id)]) : null,
  };
}

async function accessOf(
  tx: Db,
  userId: string,
  c: CaseRow,
): Promise<{ via: 'open' | 'team' | 'break_glass'; expires_at: string | null }> {
  if (!c.restrictedTeamId) return { via: 'open', expires_at: null };
  const [member] = await tx
    .select({ userId: teamMember.userId })
    .from(teamMember)
    .where(and(eq(teamMember.teamId, c.restrictedTeamId), eq(teamMember.userId, userId)));
  if (member) return { via: 'team', expires_at: null };
  const [grant] = await tx
    .select({ expiresAt: caseAccessGrant.expiresAt })
    .from(caseAccessGrant)
    .where(
      and(
        eq(caseAccessGrant.caseId, c.id),
        eq(caseAccessGrant.userId, userId),
        sql`${caseAccessGrant.expiresAt} > now()`,
      ),
    )
    .orderBy(desc(caseAccessGrant.expiresAt))
    .limit(1);
  return { via: 'break_glass', expires_at: iso(grant?.expiresAt ?? null) };
}

/** The whole case for the console (the caller has checked access). No audit here: callers audit. */
export async function caseDetail(
  tx: Db,
  ring: Keyring,
  user: CaseUser,
  caseId: string,
  options: { timelineCursor?: string | undefined; timeZone?: string | undefined } = {},
): Promise<CaseDetailValue> {
  const { timelineCursor } = options;
  const s = await repo.summary(tx, caseId);
  if (!s) throw notFound();
  const c = s.row;
  const [signals, people, places, tasks, timeline, referrals, escalations, pending, access] = [
    await repo.caseSignals(tx, caseId),
    await repo.people(tx, caseId),
    await repo.places(tx, caseId),
    await repo.tasks(tx, caseId),
    await timelinePage(tx, ring, caseId, timelineCursor),
    await referralsForCase(tx, ring, caseId),
    await escalationsForCase(tx, ring, caseId),
    await pendingProtocols(tx, caseId, c.involvesMinor),
    await accessOf(tx, user.id, c),
  ];
  const names = await repo.displayNames(
    tx,
    tasks.flatMap((t) => [t.assigneeId, t.doneBy]),
  );
  const merged = c.mergedIntoId ? await repo.reference(tx, c.mergedIntoId) : null;
  const teamName = c.restrictedTeamId ? await repo.teamName(tx, c.restrictedTeamId) : null;
  const open = opener(ring);
  return {
    ...presentSummary(s, ring),
    close_reason: c.closeReason,
    protocol_waiver: open(c.protocolWaiverSealed, c.id),
    merged_into: c.mergedIntoId && merged ? { id: c.mergedIntoId, reference: merged } : null,
    restricted_team:
      c.restrictedTeamId && teamName != null ? { id: c.restrictedTeamId, name: teamName } : null,
    signals: signals.map(
      (g): CaseSignalValue => ({
        id: g.id,
        reference: g.reference,
        channel: g.channel,
        language: g.language,
        arrived_at: g.arrivedAt.toISOString(),
        answered_at: iso(g.answeredAt),
        ended_at: iso(g.endedAt),
        caller_type: g.callerType,
        region: g.region,
        classification: g.classification,
        safety: g.safety,
      }),
    ),
    people: people.map((p) => presentPerson(p, ring)),
    places: places.map((p) => presentPlace(p, ring)),
    tasks: await presentTasksWithPlan(tx, ring, tasks, names, options.timeZone ?? DEFAULT_TIME_ZONE),
    referrals,
    escalations,
    pending_protocols: pending,
    timeline,
    access,
  };
}

/** Appends to the timeline and publishes `{topic: 'case', id, kind}` when the transaction commits. */
export async function caseEventAndPublish(
  tx: Db,
  caseId: string,
  type: CaseEventType,
  userId: string | null,
  data: Record<string, unknown> = {},
): Promise<void> {
  await addCaseEvent(tx, caseId, type, userId, data);
  await publish(tx, { topic: 'case', id: caseId, kind: type });
}

async function isTeamMember(tx: Db, userId: string, teamId: string): Promise<boolean> {
  const [m] = await tx
    .select({ userId: teamMember.userId })
    .from(teamMember)
    .innerJoin(team, eq(team.id, teamMember.teamId))
    .where(and(eq(teamMember.teamId, teamId), eq(teamMember.userId, userId)));
  return Boolean(m);
}

// ---------------------------------------------------------------------------------------------------------------
// The service

export interface CreateCaseInput {
  signalId?: string | undefined;
  title?: string | null | undefined;
  keywords?: string[] | undefined;
  region?: string | null | undefined;
  restrictedTeamId?: string | null | undefined;
}

export interface UpdateCaseInput {
  title?: string | null | undefined;
  keywords?: string[] | undefined;
  region?: string | null | undefined;
  status?: 'active' | 'follow_up' | undefined;
  ownerId?: string | null | undefined;
  restrictedTeamId?: string | null | undefined;
}

export interface SearchInput {
  q?: string | undefined;
  reference?: string | undefined;
  status?: string | undefined;
  region?: string | undefined;
  city?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  same_contact_as?: string | undefined;
  mine?: boolean | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

const STATUSES = new Set(['active', 'follow_up', 'closed', 'closed_referred']);

export function createCasesService(deps: Pick<CasesDeps, 'db' | 'config'>) {
  const { db } = deps;
  const ring = deps.config.encryptionKey;
  const detailOptions = { timeZone: deps.config.timeZone };
  const seal = (text: string | null | undefined, aad: string) =>
    text == null || text === '' ? null : encrypt(ring, text, aad);

  /** Attaches a signal in the caller's transaction; 409 SIGNAL_ALREADY_IN_CASE when it is in a case already. */
  async function attach(tx: Db, userId: string, caseId: string, signalId: string) {
    const [s] = await tx
      .select({ id: signal.id, region: signal.region })
      .from(signal)
      .where(eq(signal.id, signalId));
    if (!s) throw notFound();
    const inserted = await tx
      .insert(caseSignal)
      .values({ signalId, caseId, attachedBy: userId })
      .onConflictDoNothing({ target: caseSignal.signalId })
      .returning({ signalId: caseSignal.signalId });
    if (inserted.length === 0) {
      const [other] = await tx
        .select({ reference: caseFile.reference })
        .from(caseSignal)
        .innerJoin(caseFile, eq(caseFile.id, caseSignal.caseId))
        .where(eq(caseSignal.signalId, signalId));
      throw new AppError('SIGNAL_ALREADY_IN_CASE', 409, { reference: other?.reference ?? '' });
    }
    await caseEventAndPublish(tx, caseId, 'signal_attached', userId, { signal_id: signalId });
    return s;
  }

  async function conflict(tx: Db, user: CaseUser, caseId: string): Promise<never> {
    throw versionConflict(
      await caseDetail(tx, ring, user, caseId, detailOptions),
      await repo.lastChanger(tx, caseId),
    );
  }

  return {
    async create(actor: Actor, user: AuthUser, input: CreateCaseInput): Promise<CaseDetailValue> {
      const keywords = cleanKeywords(input.keywords ?? []);
      return db.transaction(async (tx) => {
        if (input.restrictedTeamId && !(await isTeamMember(tx, user.id, input.restrictedTeamId)))
          throw new AppError('TEAM_NOT_MEMBER', 403);
        const id = randomUUID();
        let row: CaseRow | undefined;
        for (let attempt = 0; attempt < 8 && !row; attempt++) {
          const reference = generateCaseReference();
          [row] = await tx
            .insert(caseFile)
            .values({
              id,
              reference,
              titleSealed: seal(input.title?.trim(), id),
              keywords,
              region: input.region ?? null,
              restrictedTeamId: input.restrictedTeamId ?? null,
              ownerId: user.id,
              createdBy: user.id,
              searchText: buildSearchText(reference, keywords, input.region ?? null, []),
            })
            .onConflictDoNothing({ target: caseFile.reference })
            .returning();
        }
        if (!row) throw new Error('could not draw a free case reference');
        await addCaseEvent(tx, id, 'created', user.id, input.signalId ? { signal_id: input.signalId } : {});
        if (input.restrictedTeamId)
          await addCaseEvent(tx, id, 'restricted', user.id, { team_id: input.restrictedTeamId });
        if (input.signalId) {
          const s = await attach(tx, user.id, id, input.signalId);
          if (input.region === undefined && s.region) {
            await tx.update(caseFile).set({ region: s.region }).where(eq(caseFile.id, id));
            await refreshCase(tx, id);
          }
        }
        await recordAudit(tx, actor, {
          action: 'case.create',
          targetType: 'case',
          targetId: id,
          details: { signal_id: input.signalId ?? null, restricted: Boolean(input.restrictedTeamId) },
        });
        await publish(tx, { topic: 'case', id, kind: 'created' });
        return caseDetail(tx, ring, user, id, detailOptions);
      });
    },

    /** GET /api/cases/:id: the detail, audited `case.read` once. */
    async get(actor: Actor, user: AuthUser, caseId: string, timelineCursor?: string) {
      return db.transaction(async (tx) => {
        await requireCase(tx, user, caseId);
        const detail = await caseDetail(tx, ring, user, caseId, { ...detailOptions, timelineCursor });
        await recordAudit(tx, actor, { action: 'case.read', targetType: 'case', targetId: caseId });
        return detail;
      });
    },

    async timeline(actor: Actor, user: AuthUser, caseId: string, cursor?: string) {
      return db.transaction(async (tx) => {
        await requireCase(tx, user, caseId, { allowMerged: true });
        const page = await timelinePage(tx, ring, caseId, cursor);
        await recordAudit(tx, actor, {
          action: 'case.read',
          targetType: 'case',
          targetId: caseId,
          details: { part: 'timeline' },
        });
        return page;
      });
    },

    /** The case a signal belongs to (or null), as a summary. */
    async ofSignal(actor: Actor, user: AuthUser, signalId: string): Promise<CaseSummaryValue | null> {
      return db.transaction(async (tx) => {
        const [s] = await tx.select({ id: signal.id }).from(signal).where(eq(signal.id, signalId));
        if (!s) throw notFound();
        const [link] = await tx
          .select({ caseId: caseSignal.caseId })
          .from(caseSignal)
          .where(eq(caseSignal.signalId, signalId));
        if (!link) return null;
        await requireCase(tx, user, link.caseId, { allowMerged: true });
        const summary = await repo.summary(tx, link.caseId);
        if (!summary) return null;
        await recordAudit(tx, actor, {
          action: 'case.read',
          targetType: 'case',
          targetId: link.caseId,
          details: { part: 'summary' },
        });
        return presentSummary(summary, ring);
      });
    },

    async search(actor: Actor, user: AuthUser, input: SearchInput) {
      const limit = input.limit ?? 25;
      const filters: SearchFilters = { limit };
      const used: string[] = [];
      if (input.q?.trim()) {
        filters.q = [...new Set(searchNormal(input.q).split(/\s+/).filter(Boolean))].slice(0, 8);
        used.push('q');
      }
      const reference = input.reference?.trim().toUpperCase();
      if (reference) {
        filters.reference = reference;
        used.push('reference');
      }
      if (input.status) {
        const statuses = input.status.split(',').map((s) => s.trim());
        if (statuses.some((s) => !STATUSES.has(s)))
          throw new AppError('VALIDATION_FAILED', 400, { fields: 'status' });
        filters.statuses = statuses;
        used.push('status');
      }
      if (input.region) {
        filters.region = input.region;
        used.push('region');
      }
      if (input.city?.trim()) {
        filters.city = input.city.trim();
        used.push('city');
      }
      if (input.from) {
        filters.from = input.from;
        used.push('from');
      }
      if (input.to) {
        filters.to = input.to;
        used.push('to');
      }
      if (input.mine) {
        filters.mineUserId = user.id;
        used.push('mine');
      }
      if (input.cursor) filters.cursor = decodeCaseCursor(input.cursor);
      return db.transaction(async (tx) => {
        if (input.same_contact_as) {
          used.push('same_contact_as');
          const [s] = await tx
            .select({
              id: signal.id,
              channel: signal.channel,
              hash: signal.contactHash,
              address: signal.addressSealed,
            })
            .from(signal)
            .where(eq(signal.id, input.same_contact_as));
          if (!s) throw notFound();
          const hashes = new Set<string>(s.hash ? [s.hash] : []);
          if (s.address && s.channel !== 'chat' && s.channel !== 'report') {
            try {
              const normal = normalizeAddress(s.channel, openAddress(ring, s.id, s.address));
              if (normal) for (const h of ringHashes(ring, normal)) hashes.add(h);
            } catch {
              // a value no key of the ring opens: the stored hash alone
            }
          }
          filters.contactHashes = [...hashes];
        }
        const found = await repo.search(tx, user.id, filters);
        const page = found.slice(0, limit);
        const last = page[page.length - 1];
        const result: {
          items: CaseSummaryValue[];
          next_cursor: string | null;
          restricted?: { reference: string };
        } = {
          items: page.map((s) => presentSummary(s, ring)),
          next_cursor: found.length > limit && last ? encodeCursor([last.cursorAt, last.row.id]) : null,
        };
        if (filters.reference && page.length === 0 && !input.cursor) {
          const c = await repo.findByReference(tx, filters.reference);
          if (c?.restrictedTeamId && !(await repo.isVisible(tx, user.id, c.id)))
            result.restricted = { reference: c.reference };
        }
        await recordAudit(tx, actor, {
          action: 'case.search',
          targetType: 'case',
          details: {
            filters: used,
            count: result.items.length,
            ...(result.restricted ? { restricted: 1 } : {}),
          },
        });
        return result;
      });
    },

    async update(actor: Actor, user: AuthUser, caseId: string, version: number, input: UpdateCaseInput) {
      const keywords = input.keywords === undefined ? undefined : cleanKeywords(input.keywords);
      return db.transaction(async (tx) => {
        const c = await requireCase(tx, user, caseId, { forUpdate: true, open: true });
        if (c.version !== version) return conflict(tx, user, caseId);
        const set: Partial<typeof caseFile.$inferInsert> = {};
        const fields: string[] = [];
        if (input.title !== undefined) {
          set.titleSealed = seal(input.title?.trim(), caseId);
          fields.push('title');
        }
        if (keywords !== undefined) {
          set.keywords = keywords;
          fields.push('keywords');
        }
        if (input.region !== undefined) {
          set.region = input.region;
          fields.push('region');
        }
        if (input.status !== undefined && input.status !== c.status) {
          set.status = input.status;
          fields.push('status');
        }
        const restricting =
          input.restrictedTeamId !== undefined && input.restrictedTeamId !== c.restrictedTeamId;
        // Restricting: only to one's own team. Lifting or moving: only the current team's members (a break-glass
        // grant lets one read a case, never open it up for good). Checked first: the owner check below must not
        // tell a non-member who is in a team.
        if (restricting) {
          if (input.restrictedTeamId && !(await isTeamMember(tx, user.id, input.restrictedTeamId)))
            throw new AppError('TEAM_NOT_MEMBER', 403);
          if (c.restrictedTeamId && !(await isTeamMember(tx, user.id, c.restrictedTeamId)))
            throw new AppError('TEAM_NOT_MEMBER', 403);
        }
        // The team the case is restricted to once this change is saved: the owner must be able to open it.
        const team = input.restrictedTeamId !== undefined ? input.restrictedTeamId : c.restrictedTeamId;
        if (input.ownerId !== undefined) {
          if (input.ownerId && (await repo.assignees(tx, team, input.ownerId)).length === 0)
            throw new AppError('OWNER_CANNOT_OPEN_CASE', 422);
          set.ownerId = input.ownerId;
          fields.push('owner_id');
        }
        let handedOver: HandOver | undefined;
        if (restricting) {
          set.restrictedTeamId = input.restrictedTeamId;
          fields.push('restricted_team_id');
          if (input.restrictedTeamId) {
            handedOver = await handOverOutsideTeam(tx, caseId, input.restrictedTeamId, user.id, {
              ownerId: input.ownerId === undefined ? c.ownerId : null,
            });
            if (handedOver.owner) fields.push('owner_id');
          }
        }
        if (fields.length > 0) {
          await tx
            .update(caseFile)
            .set({ ...set, version: sql`${caseFile.version} + 1`, updatedAt: new Date() })
            .where(eq(caseFile.id, caseId));
          if (fields.includes('keywords') || fields.includes('region')) await refreshCase(tx, caseId);
          await caseEventAndPublish(tx, caseId, 'updated', user.id, { fields });
          if (fields.includes('restricted_team_id'))
            await addCaseEvent(tx, caseId, 'restricted', user.id, {
              team_id: input.restrictedTeamId,
              ...(handedOver
                ? { tasks_handed_over: handedOver.tasks, owner_handed_over: handedOver.owner }
                : {}),
            });
          await recordAudit(tx, actor, {
            action: 'case.update',
            targetType: 'case',
            targetId: caseId,
            details: { fields },
          });
        }
        return caseDetail(tx, ring, user, caseId, detailOptions);
      });
    },

    async attachSignal(actor: Actor, user: AuthUser, caseId: string, signalId: string) {
      return db.transaction(async (tx) => {
        const c = await requireCase(tx, user, caseId, { forUpdate: true, open: true });
        const s = await attach(tx, user.id, caseId, signalId);
        if (!c.region && s.region) {
          await tx.update(caseFile).set({ region: s.region }).where(eq(caseFile.id, caseId));
          await refreshCase(tx, caseId);
        }
        await recordAudit(tx, actor, {
          action: 'case.update',
          targetType: 'case',
          targetId: caseId,
          details: { attach_signal: signalId },
        });
        return caseDetail(tx, ring, user, caseId, detailOptions);
      });
    },

    async detachSignal(actor: Actor, user: AuthUser, caseId: string, signalId: string) {
      return db.transaction(async (tx) => {
        await requireCase(tx, user, caseId, { forUpdate: true, open: true });
        const removed = await tx
          .delete(caseSignal)
          .where(and(eq(caseSignal.caseId, caseId), eq(caseSignal.signalId, signalId)))
          .returning({ signalId: caseSignal.signalId });
        if (removed.length === 0) throw notFound();
        await caseEventAndPublish(tx, caseId, 'signal_detached', user.id, { signal_id: signalId });
        await recordAudit(tx, actor, {
          action: 'case.update',
          targetType: 'case',
          targetId: caseId,
          details: { detach_signal: signalId },
        });
        return caseDetail(tx, ring, user, caseId, detailOptions);
      });
    },

    /**
     * Merges `fromId` into `caseId`: every part moves, the source closes with merged_into. 409 MERGE_INVALID for the
     * same case, a closed or merged one, or one the user cannot open.
     */
    async merge(actor: Actor, user: AuthUser, caseId: string, version: number, fromId: string) {
      return db.transaction(async (tx) => {
        if (caseId === fromId) throw new AppError('MERGE_INVALID', 409);
        // Lock both in id order (two merges the other way round cannot deadlock).
        const ids = [caseId, fromId].sort();
        const locked = new Map<string, CaseRow>();
        for (const id of ids) {
          const [found] = await tx
            .select({ row: caseFile, visible: sql<boolean>`${visibleCase(user.id)}` })
            .from(caseFile)
            .where(eq(caseFile.id, id))
            .for('update', { of: caseFile });
          if (!found) {
            if (id === caseId) throw notFound();
            throw new AppError('MERGE_INVALID', 409);
          }
          if (!found.visible) {
            if (id === caseId)
              throw new AppError('CASE_RESTRICTED', 403, undefined, {
                reference: found.row.reference,
                restricted: true,
              });
            throw new AppError('MERGE_INVALID', 409);
          }
          locked.set(id, found.row);
        }
        const target = locked.get(caseId) as CaseRow;
        const source = locked.get(fromId) as CaseRow;
        const usable = (c: CaseRow) => !c.mergedIntoId && (c.status === 'active' || c.status === 'follow_up');
        if (!usable(target) || !usable(source)) throw new AppError('MERGE_INVALID', 409);
        // A merge must not widen who sees a restricted case: the two must be restricted to the same team (or the
        // source not at all, or the target open and the source's team then restricting it), and the user must be a
        // member of the source's team — a break-glass grant lets one read a case, not move it.
        if (source.restrictedTeamId) {
          if (target.restrictedTeamId && target.restrictedTeamId !== source.restrictedTeamId)
            throw new AppError('MERGE_INVALID', 409);
          if (!(await isTeamMember(tx, user.id, source.restrictedTeamId)))
            throw new AppError('MERGE_INVALID', 409);
        }
        if (target.version !== version) return conflict(tx, user, caseId);

        const moved: Record<string, number> = {};
        const move = async (name: string, run: () => Promise<unknown[]>) => {
          moved[name] = (await run()).length;
        };
        await move('signals', () =>
          tx
            .update(caseSignal)
            .set({ caseId })
            .where(eq(caseSignal.caseId, fromId))
            .returning({ id: caseSignal.signalId }),
        );
        await move('people', () =>
          tx
            .update(casePerson)
            .set({ caseId })
            .where(eq(casePerson.caseId, fromId))
            .returning({ id: casePerson.id }),
        );
        await move('places', () =>
          tx
            .update(casePlaceEvent)
            .set({ caseId })
            .where(eq(casePlaceEvent.caseId, fromId))
            .returning({ id: casePlaceEvent.id }),
        );
        await move('notes', () =>
          tx
            .update(caseNote)
            .set({ caseId })
            .where(eq(caseNote.caseId, fromId))
            .returning({ id: caseNote.id }),
        );
        await move('tasks', () =>
          tx
            .update(caseTask)
            .set({ caseId })
            .where(eq(caseTask.caseId, fromId))
            .returning({ id: caseTask.id }),
        );
        await move('referrals', () =>
          tx
            .update(referral)
            .set({ caseId })
            .where(eq(referral.caseId, fromId))
            .returning({ id: referral.id }),
        );
        await move('escalations', () =>
          tx
            .update(escalation)
            .set({ caseId })
            .where(eq(escalation.caseId, fromId))
            .returning({ id: escalation.id }),
        );
        await move('events', () =>
          tx
            .update(caseEvent)
            .set({ caseId })
            .where(eq(caseEvent.caseId, fromId))
            .returning({ id: caseEvent.id }),
        );
        const keywords = cleanKeywords([...target.keywords, ...source.keywords]).slice(0, MAX_KEYWORDS);
        await tx
          .update(caseFile)
          .set({
            keywords,
            region: target.region ?? source.region,
            // What was restricted stays restricted: an open target takes the source's team.
            restrictedTeamId: target.restrictedTeamId ?? source.restrictedTeamId,
            version: sql`${caseFile.version} + 1`,
            updatedAt: new Date(),
          })
          .where(eq(caseFile.id, caseId));
        await tx
          .update(caseFile)
          .set({
            status: 'closed',
            closedAt: new Date(),
            closeReason: 'duplicate',
            mergedIntoId: caseId,
            involvesMinor: false,
            version: sql`${caseFile.version} + 1`,
            updatedAt: new Date(),
          })
          .where(eq(caseFile.id, fromId));
        await refreshCase(tx, caseId);
        await refreshCase(tx, fromId);
        // Restricted after the merge: the source's tasks (or the target's owner) may be with people outside it.
        const mergedTeam = target.restrictedTeamId ?? source.restrictedTeamId;
        const handedOver = mergedTeam
          ? await handOverOutsideTeam(tx, caseId, mergedTeam, user.id, { ownerId: target.ownerId })
          : undefined;
        const handOverData =
          handedOver && (handedOver.tasks > 0 || handedOver.owner)
            ? { tasks_handed_over: handedOver.tasks, owner_handed_over: handedOver.owner }
            : {};
        if (!target.restrictedTeamId && source.restrictedTeamId)
          await addCaseEvent(tx, caseId, 'restricted', user.id, {
            team_id: source.restrictedTeamId,
            ...handOverData,
          });
        await caseEventAndPublish(tx, caseId, 'merged_from', user.id, {
          ...(target.restrictedTeamId ? handOverData : {}),
          case_id: fromId,
          reference: source.reference,
        });
        await caseEventAndPublish(tx, fromId, 'merged_into', user.id, {
          case_id: caseId,
          reference: target.reference,
        });
        await recordAudit(tx, actor, {
          action: 'case.merge',
          targetType: 'case',
          targetId: caseId,
          details: { from_case_id: fromId, moved },
        });
        return caseDetail(tx, ring, user, caseId, detailOptions);
      });
    },

    async close(
      actor: Actor,
      user: AuthUser,
      caseId: string,
      version: number,
      reason: string,
      waiver?: string,
    ) {
      const waiverText = waiver?.trim() || undefined;
      return db.transaction(async (tx) => {
        const c = await requireCase(tx, user, caseId, { forUpdate: true, open: true });
        if (c.version !== version) return conflict(tx, user, caseId);
        const pending = await pendingProtocols(tx, caseId, c.involvesMinor);
        if (pending.length > 0 && !waiverText) throw new AppError('CASE_PROTOCOL_PENDING', 409);
        const status = (await caseHasAcceptedReferral(tx, caseId)) ? 'closed_referred' : 'closed';
        await tx
          .update(caseFile)
          .set({
            status,
            closedAt: new Date(),
            closeReason: reason,
            protocolWaiverSealed: waiverText ? encrypt(ring, waiverText, caseId) : null,
            version: sql`${caseFile.version} + 1`,
            updatedAt: new Date(),
          })
          .where(eq(caseFile.id, caseId));
        const data = {
          reason,
          status,
          waiver: Boolean(waiverText),
          pending: pending.map((p) => p.kind),
        };
        await caseEventAndPublish(tx, caseId, 'closed', user.id, data);
        await recordAudit(tx, actor, {
          action: 'case.close',
          targetType: 'case',
          targetId: caseId,
          details: data,
        });
        return caseDetail(tx, ring, user, caseId, detailOptions);
      });
    },

    async reopen(actor: Actor, user: AuthUser, caseId: string, version: number) {
      return db.transaction(async (tx) => {
        const c = await requireCase(tx, user, caseId, { forUpdate: true });
        if (c.version !== version) return conflict(tx, user, caseId);
        if (c.status === 'active' || c.status === 'follow_up')
          return caseDetail(tx, ring, user, caseId, detailOptions);
        await tx
          .update(caseFile)
          .set({
            status: 'active',
            closedAt: null,
            closeReason: null,
            // A case redacted after the retention period can be reopened (a survivor calls again); what is added from
            // now on is redacted again once it closes and the period has passed.
            redactedAt: null,
            version: sql`${caseFile.version} + 1`,
            updatedAt: new Date(),
          })
          .where(eq(caseFile.id, caseId));
        await caseEventAndPublish(tx, caseId, 'reopened', user.id, { from: c.status });
        await recordAudit(tx, actor, {
          action: 'case.update',
          targetType: 'case',
          targetId: caseId,
          details: { fields: ['status'], reopened: true },
        });
        return caseDetail(tx, ring, user, caseId, detailOptions);
      });
    },

    /**
     * Break-glass: a grant of BREAK_GLASS_HOURS on a restricted case the user cannot see, with a coded reason (and
     * a sealed note). `created: false` (nothing recorded) when the user can already open it.
     */
    async breakGlass(actor: Actor, user: AuthUser, reference: string, reason: string, note?: string) {
      return db.transaction(async (tx) => {
        const c = await repo.findByReference(tx, reference.trim().toUpperCase());
        if (!c) throw notFound();
        if (await repo.isVisible(tx, user.id, c.id))
          return { created: false, case_id: c.id, expires_at: null as string | null };
        const id = randomUUID();
        const expiresAt = new Date(Date.now() + BREAK_GLASS_HOURS * 3600_000);
        await tx.insert(caseAccessGrant).values({
          id,
          caseId: c.id,
          userId: user.id,
          reason,
          noteSealed: seal(note?.trim(), id),
          expiresAt,
        });
        await caseEventAndPublish(tx, c.id, 'break_glass', user.id, { grant_id: id, reason });
        await recordAudit(tx, actor, {
          action: 'case.break_glass',
          targetType: 'case',
          targetId: c.id,
          reason,
          details: { grant_id: id, hours: BREAK_GLASS_HOURS },
        });
        return { created: true, case_id: c.id, expires_at: expiresAt.toISOString() };
      });
    },
  };
}

interface HandOver {
  tasks: number;
  owner: boolean;
}

/**
 * A case now restricted to `teamId` (restricted, or merged with a restricted case): nothing may stay with someone
 * who can no longer open it — a call-back whose assignee lost access is a person not called back. Open tasks of
 * anyone `repo.assignees` does not list for the team (the one rule for who may hold a task), and the ownership
 * (`ownerId`, when given and not listed), go to `toUserId`, who must be listed (else 403 TEAM_NOT_MEMBER: nothing
 * is changed). The caller holds the case's row lock, which every task edit takes too. Moved tasks get a new
 * version, so an edit made from the old one is a 409, not a silent overwrite.
 */
async function handOverOutsideTeam(
  tx: Db,
  caseId: string,
  teamId: string,
  toUserId: string,
  options: { ownerId: string | null },
): Promise<HandOver> {
  const eligible = new Set((await repo.assignees(tx, teamId)).map((u) => u.id));
  const open = await tx
    .select({ id: caseTask.id, assigneeId: caseTask.assigneeId })
    .from(caseTask)
    .where(and(eq(caseTask.caseId, caseId), isNull(caseTask.doneAt), isNotNull(caseTask.assigneeId)));
  const stranded = open.filter((t) => !eligible.has(t.assigneeId as string)).map((t) => t.id);
  const owner = options.ownerId !== null && !eligible.has(options.ownerId);
  if (stranded.length === 0 && !owner) return { tasks: 0, owner: false };
  if (!eligible.has(toUserId)) throw new AppError('TEAM_NOT_MEMBER', 403);
  if (stranded.length > 0)
    await tx
      .update(caseTask)
      .set({ assigneeId: toUserId, version: sql`${caseTask.version} + 1` })
      .where(inArray(caseTask.id, stranded));
  if (owner) await tx.update(caseFile).set({ ownerId: toUserId }).where(eq(caseFile.id, caseId));
  return { tasks: stranded.length, owner };
}

export type CasesService = ReturnType<typeof createCasesService>;
