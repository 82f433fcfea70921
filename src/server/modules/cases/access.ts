import { and, eq, gt, type SQL, sql } from 'drizzle-orm';
import type { Role } from '../../../shared/roles.js';
import { type CaseRow, caseAccessGrant, caseFile, teamMember } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { AppError, notFound } from '../../platform/errors.js';
import { staff } from '../../platform/policy.js';

/**
 * Who may work with cases, and which cases each may see (docs/api/cases.md "Permissions"; ADR 0007).
 * Every list, search and read joins `visibleCase` so that a list never shows what opening the record would refuse.
 */

/** Roles that work on cases (partners see only their referrals, through /api/partner/*). */
export const CASE_ROLES = ['advocate', 'supervisor'] as const satisfies readonly Role[];
export const CASE_WORKERS = staff(CASE_ROLES);
export const SUPERVISORS = staff(['supervisor']);

/** A break-glass grant lasts this long. */
export const BREAK_GLASS_HOURS = 8;

/**
 * SQL predicate over `case_file` (as `caseFile`): not restricted, or the user is in its team, or holds an unexpired
 * break-glass grant. Use in every query that lists or reads cases.
 */
export function visibleCase(userId: string): SQL {
  return sql`(${caseFile.restrictedTeamId} is null
    or exists (select 1 from ${teamMember} where ${teamMember.teamId} = ${caseFile.restrictedTeamId} and ${teamMember.userId} = ${userId})
    or exists (select 1 from ${caseAccessGrant} where ${caseAccessGrant.caseId} = ${caseFile.id} and ${caseAccessGrant.userId} = ${userId} and ${caseAccessGrant.expiresAt} > now()))`;
}

export interface CaseUser {
  id: string;
  role: Role;
}

/**
 * Loads a case the user may open, or throws: 404 NOT_FOUND (no such case, or the role cannot work on cases),
 * 403 CASE_RESTRICTED (restricted to a team: break-glass needed), 409 CASE_MERGED (merged into another; the body's
 * message names the other reference). `forUpdate` locks the row (writes); `open` refuses closed cases (409
 * CASE_CLOSED) for writes that need an open case.
 */
export async function requireCase(
  tx: Db,
  user: CaseUser,
  caseId: string,
  options: { forUpdate?: boolean; open?: boolean; allowMerged?: boolean } = {},
): Promise<CaseRow> {
  if (!(CASE_ROLES as readonly string[]).includes(user.role)) throw notFound();
  const query = tx
    .select({ row: caseFile, visible: sql<boolean>`${visibleCase(user.id)}` })
    .from(caseFile)
    .where(eq(caseFile.id, caseId));
  const [found] = options.forUpdate ? await query.for('update', { of: caseFile }) : await query;
  if (!found) throw notFound();
  if (!found.visible)
    throw new AppError('CASE_RESTRICTED', 403, undefined, {
      reference: found.row.reference,
      restricted: true,
    });
  if (found.row.mergedIntoId && !options.allowMerged) {
    const [target] = await tx
      .select({ id: caseFile.id, reference: caseFile.reference })
      .from(caseFile)
      .where(eq(caseFile.id, found.row.mergedIntoId));
    throw new AppError(
      'CASE_MERGED',
      409,
      { reference: target?.reference ?? '' },
      { merged_into: target?.id ?? null },
    );
  }
  if (options.open && (found.row.status === 'closed' || found.row.status === 'closed_referred'))
    throw new AppError('CASE_CLOSED', 409);
  return found.row;
}

/** True when the user holds an unexpired break-glass grant on the case. */
export async function hasGrant(tx: Db, userId: string, caseId: string): Promise<boolean> {
  const [g] = await tx
    .select({ id: caseAccessGrant.id })
    .from(caseAccessGrant)
    .where(
      and(
        eq(caseAccessGrant.caseId, caseId),
        eq(caseAccessGrant.userId, userId),
        gt(caseAccessGrant.expiresAt, sql`now()`),
      ),
    )
    .limit(1);
  return Boolean(g);
}
