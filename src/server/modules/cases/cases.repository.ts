import { and, asc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import { CASE_STATUSES } from '../../../shared/cases.js';
import {
  type CaseRow,
  caseEvent,
  caseFile,
  caseNote,
  casePerson,
  casePlaceEvent,
  caseSignal,
  caseTask,
  screening,
  signal,
  team,
  teamMember,
  users,
} from '../../db/schema.js';
import { type Db, rowsOf as rows } from '../../platform/db.js';
import { CASE_ROLES, visibleCase } from './access.js';

/**
 * Case queries (docs/api/cases.md). Every list joins `visibleCase(userId)` in SQL; pages are keyset on
 * (last_activity_at desc, id) for cases and (at desc, id desc) for the timeline, with microsecond cursors.
 */

/** Exact microsecond UTC text of a timestamp: keyset cursors must not lose PostgreSQL's precision to JS dates. */
const microIso = (col: unknown) =>
  sql<string>`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export interface SummaryRow {
  row: CaseRow;
  signalCount: number;
  openTaskCount: number;
  ownerName: string | null;
  cursorAt: string;
}

const summaryFields = {
  row: caseFile,
  signalCount: sql<number>`(select count(*)::int from ${caseSignal} where ${caseSignal.caseId} = ${caseFile.id})`,
  openTaskCount: sql<number>`(select count(*)::int from ${caseTask} where ${caseTask.caseId} = ${caseFile.id} and ${caseTask.doneAt} is null)`,
  ownerName: users.displayName,
  cursorAt: microIso(caseFile.lastActivityAt),
};

export interface SearchFilters {
  q?: string[];
  reference?: string;
  statuses?: string[];
  region?: string;
  city?: string;
  from?: string;
  to?: string;
  /** Contact hashes (every key of the ring) of the signal given as same_contact_as. */
  contactHashes?: string[];
  mineUserId?: string;
  cursor?: { at: string; id: string };
  limit: number;
}

type CaseRole = (typeof CASE_ROLES)[number];

/** `%`, `_` and `\` typed by a user match themselves. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export const casesRepository = {
  async displayNames(db: Db, ids: Iterable<string | null | undefined>): Promise<Map<string, string>> {
    const unique = [...new Set([...ids].filter((i): i is string => !!i))];
    if (unique.length === 0) return new Map();
    const found = await db
      .select({ id: users.id, name: users.displayName })
      .from(users)
      .where(inArray(users.id, unique));
    return new Map(found.map((r) => [r.id, r.name]));
  },

  /** A case by its `HC-` reference or by the `HB-` reference of one of its signals (no permission filter). */
  async findByReference(db: Db, reference: string): Promise<CaseRow | undefined> {
    if (reference.startsWith('HB-')) {
      const [found] = await db
        .select({ row: caseFile })
        .from(signal)
        .innerJoin(caseSignal, eq(caseSignal.signalId, signal.id))
        .innerJoin(caseFile, eq(caseFile.id, caseSignal.caseId))
        .where(eq(signal.reference, reference))
        .limit(1);
      return found?.row;
    }
    const [found] = await db.select().from(caseFile).where(eq(caseFile.reference, reference)).limit(1);
    return found;
  },

  async isVisible(db: Db, userId: string, caseId: string): Promise<boolean> {
    const [found] = await db
      .select({ visible: sql<boolean>`${visibleCase(userId)}` })
      .from(caseFile)
      .where(eq(caseFile.id, caseId));
    return Boolean(found?.visible);
  },

  async summary(db: Db, caseId: string): Promise<SummaryRow | undefined> {
    const [found] = await db
      .select(summaryFields)
      .from(caseFile)
      .leftJoin(users, eq(users.id, caseFile.ownerId))
      .where(eq(caseFile.id, caseId));
    return found;
  },

  /** One page of the cases the user may see, filtered; `limit + 1` rows are read to know whether more follow. */
  async search(db: Db, userId: string, f: SearchFilters): Promise<SummaryRow[]> {
    // Merged cases leave lists; an exact reference still finds one (the console follows merged_into).
    const where: SQL[] = [visibleCase(userId)];
    if (!f.reference) where.push(isNull(caseFile.mergedIntoId));
    for (const term of f.q ?? []) where.push(sql`${caseFile.searchText} ilike ${`%${likeEscape(term)}%`}`);
    if (f.reference) {
      if (f.reference.startsWith('HB-'))
        where.push(
          sql`${caseFile.id} = (select ${caseSignal.caseId} from ${caseSignal} join ${signal} on ${signal.id} = ${caseSignal.signalId} where ${signal.reference} = ${f.reference})`,
        );
      else where.push(eq(caseFile.reference, f.reference));
    }
    if (f.region) where.push(eq(caseFile.region, f.region));
    if (f.city)
      where.push(
        sql`${caseFile.id} in (select ${casePlaceEvent.caseId} from ${casePlaceEvent} where lower(${casePlaceEvent.city}) = lower(${f.city}))`,
      );
    if (f.from || f.to) {
      const created: SQL[] = [];
      const placed: SQL[] = [];
      if (f.from) {
        created.push(sql`${caseFile.createdAt} >= ${f.from}::date`);
        placed.push(
          sql`coalesce(${casePlaceEvent.occurredTo}, ${casePlaceEvent.occurredFrom}) >= ${f.from}::date`,
        );
      }
      if (f.to) {
        created.push(sql`${caseFile.createdAt} < (${f.to}::date + 1)`);
        placed.push(sql`${casePlaceEvent.occurredFrom} <= ${f.to}::date`);
      }
      where.push(
        sql`((${and(...created)}) or ${caseFile.id} in (select ${casePlaceEvent.caseId} from ${casePlaceEvent} where ${casePlaceEvent.occurredFrom} is not null and ${and(...placed)}))`,
      );
    }
    if (f.contactHashes) {
      if (f.contactHashes.length === 0) return [];
      where.push(
        sql`${caseFile.id} in (select ${caseSignal.caseId} from ${signal} join ${caseSignal} on ${caseSignal.signalId} = ${signal.id} where ${inArray(signal.contactHash, f.contactHashes)})`,
      );
    }
    if (f.mineUserId)
      where.push(
        sql`(${caseFile.ownerId} = ${f.mineUserId} or exists (select 1 from ${caseTask} where ${caseTask.caseId} = ${caseFile.id} and ${caseTask.assigneeId} = ${f.mineUserId} and ${caseTask.doneAt} is null))`,
      );
    if (f.cursor)
      where.push(
        sql`(${caseFile.lastActivityAt} < ${f.cursor.at}::timestamptz or (${caseFile.lastActivityAt} = ${f.cursor.at}::timestamptz and ${caseFile.id} > ${f.cursor.id}))`,
      );
    // One branch per status, each walking case_file_status_activity_idx backwards (newest first) and stopping at
    // limit + 1 rows; then the summaries (counts, owner) of that page only.
    const n = f.limit + 1;
    const statuses = f.statuses?.length ? f.statuses : [...CASE_STATUSES];
    const branches = statuses.map(
      (status) =>
        sql`(select ${caseFile.id} as id, ${caseFile.lastActivityAt} as act from ${caseFile}
          where ${caseFile.status} = ${status} and ${and(...where)}
          order by ${caseFile.lastActivityAt} desc, ${caseFile.id} asc limit ${n})`,
    );
    const page = await rows<{ id: string; cursor_at: string }>(
      db,
      sql`select id, ${microIso(sql`act`)} as cursor_at from (${sql.join(branches, sql` union all `)}) u
        order by act desc, id asc limit ${n}`,
    );
    if (page.length === 0) return [];
    const found = await db
      .select(summaryFields)
      .from(caseFile)
      .leftJoin(users, eq(users.id, caseFile.ownerId))
      .where(
        inArray(
          caseFile.id,
          page.map((p) => p.id),
        ),
      );
    const byId = new Map(found.map((r) => [r.row.id, r]));
    return page
      .map((p) => {
        const r = byId.get(p.id);
        return r ? { ...r, cursorAt: p.cursor_at } : undefined;
      })
      .filter((r): r is SummaryRow => r !== undefined);
  },

  async caseSignals(db: Db, caseId: string) {
    return db
      .select({
        id: signal.id,
        reference: signal.reference,
        channel: signal.channel,
        language: signal.language,
        arrivedAt: signal.arrivedAt,
        answeredAt: signal.answeredAt,
        endedAt: signal.endedAt,
        callerType: signal.callerType,
        region: signal.region,
        classification: screening.classification,
        safety: screening.safety,
      })
      .from(caseSignal)
      .innerJoin(signal, eq(signal.id, caseSignal.signalId))
      .leftJoin(screening, eq(screening.signalId, signal.id))
      .where(eq(caseSignal.caseId, caseId))
      .orderBy(asc(signal.arrivedAt), asc(signal.id));
  },

  async people(db: Db, caseId: string) {
    return db
      .select()
      .from(casePerson)
      .where(eq(casePerson.caseId, caseId))
      .orderBy(asc(casePerson.createdAt), asc(casePerson.id));
  },

  async places(db: Db, caseId: string) {
    return db
      .select()
      .from(casePlaceEvent)
      .where(eq(casePlaceEvent.caseId, caseId))
      .orderBy(asc(casePlaceEvent.createdAt), asc(casePlaceEvent.id));
  },

  async tasks(db: Db, caseId: string) {
    return db
      .select()
      .from(caseTask)
      .where(eq(caseTask.caseId, caseId))
      .orderBy(asc(caseTask.dueAt), asc(caseTask.id));
  },

  /**
   * Who may be given a task on a case: active advocates and supervisors who open it without break-glass (for a case
   * restricted to a team, that team's members), by display name. `onlyId` narrows to one user, so the assignee
   * check and the list the console offers never disagree.
   */
  async assignees(
    db: Db,
    restrictedTeamId: string | null,
    onlyId?: string,
  ): Promise<{ id: string; displayName: string; role: CaseRole }[]> {
    const where: SQL[] = [inArray(users.role, [...CASE_ROLES]), isNull(users.disabledAt)];
    if (restrictedTeamId)
      where.push(
        sql`exists (select 1 from ${teamMember} where ${teamMember.teamId} = ${restrictedTeamId} and ${teamMember.userId} = ${users.id})`,
      );
    if (onlyId) where.push(eq(users.id, onlyId));
    return db
      .select({ id: users.id, displayName: users.displayName, role: sql<CaseRole>`${users.role}` })
      .from(users)
      .where(and(...where))
      .orderBy(asc(sql`lower(${users.displayName})`), asc(users.displayName), asc(users.id));
  },

  async teamName(db: Db, teamId: string): Promise<string | null> {
    const [t] = await db.select({ name: team.name }).from(team).where(eq(team.id, teamId));
    return t?.name ?? null;
  },

  async reference(db: Db, caseId: string): Promise<string | null> {
    const [c] = await db
      .select({ reference: caseFile.reference })
      .from(caseFile)
      .where(eq(caseFile.id, caseId));
    return c?.reference ?? null;
  },

  /** The newest `limit` timeline entries (before the cursor), newest first, plus one to know whether more follow. */
  async timeline(db: Db, caseId: string, limit: number, cursor?: { at: string; id: number }) {
    const before = cursor
      ? sql`and (${caseEvent.at} < ${cursor.at}::timestamptz or (${caseEvent.at} = ${cursor.at}::timestamptz and ${caseEvent.id} < ${cursor.id}))`
      : sql``;
    return rows<{
      id: string | number;
      type: string;
      at: string | Date;
      user_id: string | null;
      data: Record<string, unknown> | string;
      cursor_at: string;
    }>(
      db,
      sql`select ${caseEvent.id} as id, ${caseEvent.type} as type, ${caseEvent.at} as at, ${caseEvent.userId} as user_id,
        ${caseEvent.data} as data, ${microIso(caseEvent.at)} as cursor_at
      from ${caseEvent} where ${caseEvent.caseId} = ${caseId} ${before}
      order by ${caseEvent.at} desc, ${caseEvent.id} desc limit ${limit + 1}`,
    );
  },

  async notes(db: Db, ids: string[]) {
    if (ids.length === 0) return [];
    return db.select().from(caseNote).where(inArray(caseNote.id, ids));
  },

  /** Who last changed the case (or one of its parts, when `key` names the id field in the event data). */
  async lastChanger(db: Db, caseId: string, key?: { field: string; id: string }) {
    const match = key ? sql`and ${caseEvent.data} ->> ${key.field} = ${key.id}` : sql``;
    const [found] = await rows<{ id: string | null; name: string | null }>(
      db,
      sql`select ${users.id} as id, ${users.displayName} as name from ${caseEvent}
        left join ${users} on ${users.id} = ${caseEvent.userId}
        where ${caseEvent.caseId} = ${caseId} ${match}
        order by ${caseEvent.at} desc, ${caseEvent.id} desc limit 1`,
    );
    return found?.id && found.name ? { id: found.id, display_name: found.name } : null;
  },

  /** The codes a case is found by (beside its reference, keywords and region): people's coded labels. */
  async personCodes(db: Db, caseId: string): Promise<string[]> {
    const found = await db
      .select({
        exploitationTypes: casePerson.exploitationTypes,
        venue: casePerson.venue,
        industry: casePerson.industry,
      })
      .from(casePerson)
      .where(eq(casePerson.caseId, caseId));
    return found.flatMap((p) => [...p.exploitationTypes, p.venue ?? '']);
  },

  async anyMinor(db: Db, caseId: string): Promise<boolean> {
    const [found] = await db
      .select({ id: casePerson.id })
      .from(casePerson)
      .where(and(eq(casePerson.caseId, caseId), eq(casePerson.isMinor, true)))
      .limit(1);
    return Boolean(found);
  },
};
