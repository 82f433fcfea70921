import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { type EscalationRow, escalation, organization, protocol, users } from '../../db/schema.js';
import type { Keyring } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import type { EscalationJson } from './escalations.presenter.js';
import { iso } from './referrals.presenter.js';
import { openText } from './referrals.repository.js';

/** The protocol as an escalation keeps it when it starts. */
export interface ProtocolSnapshot {
  version: number;
  steps: { key: string; en: string; fr: string; required: boolean }[];
}

/** Escalations still running (a child-protection one in these counts as started). */
export const RUNNING_ESCALATION = ['open', 'awaiting_approval', 'made'] as const;

/** Escalation rows in the contract's `Escalation` shape (protocol snapshot + which steps are done, by whom). */
export async function presentEscalations(
  db: Db,
  ring: Keyring,
  rows: EscalationRow[],
): Promise<EscalationJson[]> {
  if (rows.length === 0) return [];
  const orgIds = [...new Set(rows.map((r) => r.organizationId).filter((v): v is string => Boolean(v)))];
  const userIds = new Set<string>();
  for (const r of rows) {
    if (r.approvedBy) userIds.add(r.approvedBy);
    for (const s of Object.values(r.stepsDone ?? {})) if (s?.doneBy) userIds.add(s.doneBy);
  }
  const [orgs, people] = await Promise.all([
    orgIds.length
      ? db
          .select({ id: organization.id, name: organization.name })
          .from(organization)
          .where(inArray(organization.id, orgIds))
      : Promise.resolve([]),
    userIds.size
      ? db
          .select({ id: users.id, name: users.displayName })
          .from(users)
          .where(inArray(users.id, [...userIds]))
      : Promise.resolve([]),
  ]);
  const orgName = new Map(orgs.map((o) => [o.id, o.name]));
  const who = new Map(people.map((p) => [p.id, { id: p.id, display_name: p.name }]));
  return rows.map((r) => {
    const snap = r.protocolSnapshot as unknown as ProtocolSnapshot;
    const done = r.stepsDone ?? {};
    return {
      id: r.id,
      case_id: r.caseId,
      kind: r.kind,
      organization: r.organizationId
        ? { id: r.organizationId, name: orgName.get(r.organizationId) ?? '' }
        : null,
      status: r.status,
      protocol: {
        version: snap.version,
        steps: snap.steps.map((s) => ({
          key: s.key,
          en: s.en,
          fr: s.fr,
          required: s.required,
          done_at: done[s.key]?.doneAt ?? null,
          done_by: done[s.key]?.doneBy ? (who.get(done[s.key]!.doneBy) ?? null) : null,
        })),
      },
      consent_given: r.consentGiven,
      override_reason: r.overrideReason,
      override_note: openText(ring, r.overrideNoteSealed, r.id),
      approval_required: r.approvalRequired,
      approved_by: r.approvedBy ? (who.get(r.approvedBy) ?? null) : null,
      approved_at: iso(r.approvedAt),
      agency_reference: r.agencyReference,
      outcome: r.outcome,
      outcome_note: openText(ring, r.outcomeNoteSealed, r.id),
      made_at: iso(r.madeAt),
      completed_at: iso(r.completedAt),
      version: r.version,
      created_at: r.createdAt.toISOString(),
    };
  });
}

/** A case's escalations in the `Escalation` shape of docs/api/cases.md (snake_case JSON), oldest first. */
export async function escalationsForCase(
  db: Db,
  ring: Keyring,
  caseId: string,
): Promise<Record<string, unknown>[]> {
  const rows = await db
    .select()
    .from(escalation)
    .where(eq(escalation.caseId, caseId))
    .orderBy(asc(escalation.createdAt), asc(escalation.id));
  return presentEscalations(db, ring, rows);
}

/**
 * Mandatory protocols not yet completed: when the case involves a minor and no child_protection escalation is
 * completed → [{kind: 'child_protection', escalation_id: <running one> | null}]; else [].
 */
export async function pendingProtocols(
  db: Db,
  caseId: string,
  involvesMinor: boolean,
): Promise<{ kind: string; escalation_id: string | null }[]> {
  if (!involvesMinor) return [];
  const rows = await db
    .select({ id: escalation.id, status: escalation.status })
    .from(escalation)
    .where(and(eq(escalation.caseId, caseId), eq(escalation.kind, 'child_protection')))
    .orderBy(desc(escalation.createdAt), desc(escalation.id));
  if (rows.some((r) => r.status === 'completed')) return [];
  const running = rows.find((r) => (RUNNING_ESCALATION as readonly string[]).includes(r.status));
  return [{ kind: 'child_protection', escalation_id: running?.id ?? null }];
}

export async function escalationRow(
  db: Db,
  id: string,
  forUpdate = false,
): Promise<EscalationRow | undefined> {
  const q = db.select().from(escalation).where(eq(escalation.id, id));
  const [row] = forUpdate ? await q.for('update') : await q;
  return row;
}

export async function allProtocols(db: Db) {
  return db.select().from(protocol).orderBy(asc(protocol.kind));
}
