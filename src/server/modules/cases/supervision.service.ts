import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, notInArray, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config.js';
import {
  caseAccessGrant,
  caseFile,
  escalation,
  organization,
  referral,
  team,
  teamMember,
  users,
} from '../../db/schema.js';
import { type Actor, recordAudit } from '../../platform/audit.js';
import { decrypt } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { AppError, forbidden, notFound } from '../../platform/errors.js';
import type { AuthUser } from '../../platform/policy.js';
import { CASE_ROLES } from './access.js';

/**
 * Supervision (docs/api/cases.md "Supervision"): break-glass grants to review, decisions taken without consent or
 * with a waiver, escalations waiting for approval; and the teams a case can be restricted to. Lists carry ids,
 * references, codes and dates; the only free text is the reason a person wrote (opened for supervisors only).
 * Every read of these lists is audited (`supervision.read`, the list's name and the count).
 */

/** How far back the overrides list looks. */
export const OVERRIDES_DAYS = 90;
/** Longest list returned (newest first); supervision lists are short in practice. */
export const SUPERVISION_LIST_LIMIT = 200;
/** Roles that manage teams. */
export const TEAM_MANAGERS = ['admin', 'supervisor'] as const;

export type UserRef = { id: string; display_name: string };

export interface SupervisionDeps {
  db: Db;
  config: Pick<Config, 'encryptionKey'>;
  log: FastifyBaseLogger;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const ref = (id: string | null, name: string | null): UserRef | null =>
  id && name !== null ? { id, display_name: name } : null;

export function createSupervisionService(deps: SupervisionDeps) {
  const { db, log } = deps;
  const ring = deps.config.encryptionKey;

  /** Opens a sealed text; a value that cannot be opened (retired key, damage) shows as null, never fails the list. */
  function open(sealed: string | null, aad: string): string | null {
    if (!sealed) return null;
    try {
      return decrypt(ring, sealed, aad).toString('utf8');
    } catch (err) {
      log.warn({ err: { type: (err as Error)?.name }, aad }, 'sealed value could not be opened');
      return null;
    }
  }

  const audited = (tx: Db, actor: Actor, list: string, count: number, extra: Record<string, unknown> = {}) =>
    recordAudit(tx, actor, { action: 'supervision.read', details: { list, count, ...extra } });

  const grantUser = alias(users, 'grant_user');
  const reviewer = alias(users, 'grant_reviewer');

  async function grants(tx: Db, where: SQL | undefined) {
    const rows = await tx
      .select({
        g: caseAccessGrant,
        caseReference: caseFile.reference,
        userName: grantUser.displayName,
        reviewerName: reviewer.displayName,
      })
      .from(caseAccessGrant)
      .innerJoin(caseFile, eq(caseFile.id, caseAccessGrant.caseId))
      .innerJoin(grantUser, eq(grantUser.id, caseAccessGrant.userId))
      .leftJoin(reviewer, eq(reviewer.id, caseAccessGrant.reviewedBy))
      .where(where)
      .orderBy(desc(caseAccessGrant.grantedAt), desc(caseAccessGrant.id))
      .limit(SUPERVISION_LIST_LIMIT);
    return rows.map((r) => ({
      id: r.g.id,
      case_id: r.g.caseId,
      case_reference: r.caseReference,
      user: { id: r.g.userId, display_name: r.userName },
      reason: r.g.reason,
      note: open(r.g.noteSealed, r.g.id),
      granted_at: r.g.grantedAt.toISOString(),
      expires_at: r.g.expiresAt.toISOString(),
      reviewed_by: ref(r.g.reviewedBy, r.reviewerName),
      reviewed_at: iso(r.g.reviewedAt),
    }));
  }

  /** Break-glass grants, newest first; `reviewed` false = still to review, true = reviewed, absent = all. */
  async function breakGlass(actor: Actor, filter: { reviewed?: boolean }) {
    return db.transaction(async (tx) => {
      const where =
        filter.reviewed === undefined
          ? undefined
          : filter.reviewed
            ? isNotNull(caseAccessGrant.reviewedAt)
            : isNull(caseAccessGrant.reviewedAt);
      const items = await grants(tx, where);
      await audited(tx, actor, 'break_glass', items.length, {
        ...(filter.reviewed === undefined ? {} : { reviewed: filter.reviewed }),
      });
      return { items };
    });
  }

  /**
   * Marks a grant reviewed (once: reviewing it again changes nothing). Nobody reviews their own break-glass.
   * Audited `case.break_glass_review`.
   */
  async function review(actor: Actor, user: Pick<AuthUser, 'id'>, grantId: string) {
    return db.transaction(async (tx) => {
      const [g] = await tx
        .select()
        .from(caseAccessGrant)
        .where(eq(caseAccessGrant.id, grantId))
        .for('update');
      if (!g) throw notFound();
      if (g.userId === user.id) throw forbidden();
      if (!g.reviewedAt) {
        await tx
          .update(caseAccessGrant)
          .set({ reviewedBy: user.id, reviewedAt: new Date() })
          .where(eq(caseAccessGrant.id, grantId));
        await recordAudit(tx, actor, {
          action: 'case.break_glass_review',
          targetType: 'case',
          targetId: g.caseId,
          details: { grant: g.id },
        });
      }
      const [item] = await grants(tx, eq(caseAccessGrant.id, grantId));
      return item!;
    });
  }

  const overrider = alias(users, 'overrider');

  /**
   * What was decided without consent or with a waiver in the last 90 days: referrals with a supervisor's override,
   * escalations without consent, cases closed with a protocol waiver. Newest first.
   */
  async function overrides(actor: Actor) {
    return db.transaction(async (tx) => {
      const since = sql`now() - make_interval(days => ${OVERRIDES_DAYS})`;
      const refs = await tx
        .select({
          r: referral,
          caseReference: caseFile.reference,
          orgName: organization.name,
          byName: overrider.displayName,
        })
        .from(referral)
        .innerJoin(caseFile, eq(caseFile.id, referral.caseId))
        .innerJoin(organization, eq(organization.id, referral.organizationId))
        .leftJoin(overrider, eq(overrider.id, referral.overrideBy))
        .where(and(isNotNull(referral.overrideAt), gte(referral.overrideAt, since)))
        .orderBy(desc(referral.overrideAt), desc(referral.id))
        .limit(SUPERVISION_LIST_LIMIT);
      const escs = await tx
        .select({ e: escalation, caseReference: caseFile.reference, byName: overrider.displayName })
        .from(escalation)
        .innerJoin(caseFile, eq(caseFile.id, escalation.caseId))
        .leftJoin(overrider, eq(overrider.id, escalation.createdBy))
        .where(and(eq(escalation.consentGiven, false), gte(escalation.createdAt, since)))
        .orderBy(desc(escalation.createdAt), desc(escalation.id))
        .limit(SUPERVISION_LIST_LIMIT);
      const waivers = await tx
        .select({
          id: caseFile.id,
          reference: caseFile.reference,
          status: caseFile.status,
          closeReason: caseFile.closeReason,
          closedAt: caseFile.closedAt,
          updatedAt: caseFile.updatedAt,
          sealed: caseFile.protocolWaiverSealed,
        })
        .from(caseFile)
        .where(
          and(
            isNotNull(caseFile.protocolWaiverSealed),
            gte(sql`coalesce(${caseFile.closedAt}, ${caseFile.updatedAt})`, since),
          ),
        )
        .orderBy(desc(sql`coalesce(${caseFile.closedAt}, ${caseFile.updatedAt})`), desc(caseFile.id))
        .limit(SUPERVISION_LIST_LIMIT);
      const result = {
        referrals: refs.map(({ r, caseReference, orgName, byName }) => ({
          id: r.id,
          case_id: r.caseId,
          case_reference: caseReference,
          need: r.need,
          status: r.status,
          organization: { id: r.organizationId, name: orgName },
          override_by: ref(r.overrideBy, byName),
          override_at: iso(r.overrideAt) as string,
          reason: open(r.overrideReasonSealed, r.id),
          sent_at: iso(r.sentAt),
        })),
        escalations: escs.map(({ e, caseReference, byName }) => ({
          id: e.id,
          case_id: e.caseId,
          case_reference: caseReference,
          kind: e.kind,
          status: e.status,
          override_reason: e.overrideReason,
          note: open(e.overrideNoteSealed, e.id),
          created_by: ref(e.createdBy, byName),
          created_at: e.createdAt.toISOString(),
        })),
        waivers: waivers.map((c) => ({
          case_id: c.id,
          case_reference: c.reference,
          status: c.status,
          close_reason: c.closeReason,
          closed_at: iso(c.closedAt),
          waiver: open(c.sealed, c.id),
        })),
      };
      await audited(
        tx,
        actor,
        'overrides',
        result.referrals.length + result.escalations.length + result.waivers.length,
      );
      return result;
    });
  }

  /** Escalations waiting for a supervisor's approval, the longest waiting first. */
  async function approvals(actor: Actor) {
    return db.transaction(async (tx) => {
      const rows = await tx
        .select({ e: escalation, caseReference: caseFile.reference, byName: overrider.displayName })
        .from(escalation)
        .innerJoin(caseFile, eq(caseFile.id, escalation.caseId))
        .leftJoin(overrider, eq(overrider.id, escalation.createdBy))
        .where(eq(escalation.status, 'awaiting_approval'))
        .orderBy(asc(escalation.createdAt), asc(escalation.id))
        .limit(SUPERVISION_LIST_LIMIT);
      const items = rows.map(({ e, caseReference, byName }) => ({
        id: e.id,
        case_id: e.caseId,
        case_reference: caseReference,
        kind: e.kind,
        consent_given: e.consentGiven,
        override_reason: e.overrideReason,
        created_by: ref(e.createdBy, byName),
        created_at: e.createdAt.toISOString(),
        version: e.version,
      }));
      await audited(tx, actor, 'approvals', items.length);
      return { items };
    });
  }

  // --- Teams ---

  const isManager = (user: Pick<AuthUser, 'role'>) =>
    (TEAM_MANAGERS as readonly string[]).includes(user.role);

  async function membersOf(tx: Db, teamIds: string[]) {
    const out = new Map<string, UserRef[]>();
    if (teamIds.length === 0) return out;
    const rows = await tx
      .select({ teamId: teamMember.teamId, id: users.id, display_name: users.displayName })
      .from(teamMember)
      .innerJoin(users, eq(users.id, teamMember.userId))
      .where(inArray(teamMember.teamId, teamIds))
      .orderBy(asc(users.displayName), asc(users.id));
    for (const r of rows) {
      const list = out.get(r.teamId) ?? [];
      list.push({ id: r.id, display_name: r.display_name });
      out.set(r.teamId, list);
    }
    return out;
  }

  /** Teams by name; `member` = the caller belongs to it; managers also see who does. */
  async function listTeams(tx: Db, user: Pick<AuthUser, 'id' | 'role'>, where?: SQL) {
    const rows = await tx
      .select({
        id: team.id,
        name: team.name,
        member: sql<boolean>`exists (select 1 from ${teamMember} where ${teamMember.teamId} = ${team.id} and ${teamMember.userId} = ${user.id})`,
      })
      .from(team)
      .where(where)
      .orderBy(sql`lower(${team.name})`, asc(team.id));
    if (!isManager(user)) return rows.map((t) => ({ id: t.id, name: t.name, member: Boolean(t.member) }));
    const members = await membersOf(
      tx,
      rows.map((t) => t.id),
    );
    return rows.map((t) => ({
      id: t.id,
      name: t.name,
      member: Boolean(t.member),
      members: members.get(t.id) ?? [],
    }));
  }

  async function teams(user: Pick<AuthUser, 'id' | 'role'>) {
    return { items: await listTeams(db, user) };
  }

  async function createTeam(actor: Actor, user: Pick<AuthUser, 'id' | 'role'>, rawName: string) {
    const name = rawName.trim().replace(/\s+/g, ' ');
    if (!name) throw new AppError('VALIDATION_FAILED', 400, { fields: 'name' });
    return db.transaction(async (tx) => {
      const [same] = await tx
        .select({ id: team.id })
        .from(team)
        .where(sql`lower(${team.name}) = lower(${name})`);
      if (same) throw new AppError('TEAM_NAME_TAKEN', 409);
      const [created] = await tx.insert(team).values({ name }).onConflictDoNothing().returning();
      if (!created) throw new AppError('TEAM_NAME_TAKEN', 409);
      await recordAudit(tx, actor, { action: 'team.create', targetType: 'team', targetId: created.id });
      const [view] = await listTeams(tx, user, eq(team.id, created.id));
      return view!;
    });
  }

  /**
   * Replaces a team's members. Members must be active staff with a case role (advocate, supervisor); anything else
   * is 400 VALIDATION_FAILED naming `user_ids`. Only an administrator may add themselves-as-caller (403 otherwise). Audited `team.members` with the ids added and removed.
   */
  async function setMembers(
    actor: Actor,
    user: Pick<AuthUser, 'id' | 'role'>,
    teamId: string,
    userIds: string[],
  ) {
    const wanted = [...new Set(userIds)];
    return db.transaction(async (tx) => {
      const [t] = await tx.select().from(team).where(eq(team.id, teamId)).for('update');
      if (!t) throw notFound();
      if (wanted.length) {
        const ok = await tx
          .select({ id: users.id })
          .from(users)
          .where(
            and(inArray(users.id, wanted), isNull(users.disabledAt), inArray(users.role, [...CASE_ROLES])),
          );
        if (ok.length !== wanted.length) throw new AppError('VALIDATION_FAILED', 400, { fields: 'user_ids' });
      }
      const before = (
        await tx.select({ id: teamMember.userId }).from(teamMember).where(eq(teamMember.teamId, teamId))
      ).map((r) => r.id);
      const removed = before.filter((id) => !wanted.includes(id)).sort();
      const added = wanted.filter((id) => !before.includes(id)).sort();
      // Joining a team opens its restricted cases for good: a supervisor cannot add themselves (that would bypass
      // break-glass and its review); an administrator can.
      if (user.role !== 'admin' && added.includes(user.id)) throw new AppError('FORBIDDEN', 403);
      if (removed.length || added.length) {
        await tx
          .delete(teamMember)
          .where(
            and(
              eq(teamMember.teamId, teamId),
              wanted.length ? notInArray(teamMember.userId, wanted) : undefined,
            ),
          );
        if (added.length)
          await tx
            .insert(teamMember)
            .values(added.map((userId) => ({ teamId, userId })))
            .onConflictDoNothing();
        await recordAudit(tx, actor, {
          action: 'team.members',
          targetType: 'team',
          targetId: teamId,
          details: { added, removed },
        });
      }
      const [view] = await listTeams(tx, user, eq(team.id, teamId));
      return view!;
    });
  }

  return { breakGlass, review, overrides, approvals, teams, createTeam, setMembers };
}

export type SupervisionService = ReturnType<typeof createSupervisionService>;
