import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import {
  caseEvent,
  caseTask,
  organization,
  type ReferralRow,
  referral,
  service,
  users,
} from '../../db/schema.js';
import { decrypt, type Keyring } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { iso, type ReferralJson } from './referrals.presenter.js';

/** Opens a sealed text (AAD = the row id); null stays null. */
export function openText(ring: Keyring, sealed: string | null, aad: string): string | null {
  return sealed ? decrypt(ring, sealed, aad).toString('utf8') : null;
}

type UserRef = { id: string; display_name: string };

async function userRefs(db: Db, ids: (string | null)[]): Promise<Map<string, UserRef>> {
  const wanted = [...new Set(ids.filter((v): v is string => Boolean(v)))];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .select({ id: users.id, name: users.displayName })
    .from(users)
    .where(inArray(users.id, wanted));
  return new Map(rows.map((r) => [r.id, { id: r.id, display_name: r.name }]));
}

/** Referral rows in the contract's `Referral` shape (names joined, sealed texts opened). */
export async function presentReferrals(db: Db, ring: Keyring, rows: ReferralRow[]): Promise<ReferralJson[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const orgIds = [...new Set(rows.map((r) => r.organizationId))];
  const serviceIds = [...new Set(rows.map((r) => r.serviceId).filter((v): v is string => Boolean(v)))];
  const [orgs, services, tasks, people] = await Promise.all([
    db
      .select({ id: organization.id, name: organization.name })
      .from(organization)
      .where(inArray(organization.id, orgIds)),
    serviceIds.length
      ? db.select({ id: service.id, name: service.name }).from(service).where(inArray(service.id, serviceIds))
      : Promise.resolve([]),
    db
      .select({ id: caseTask.id, referralId: caseTask.referralId })
      .from(caseTask)
      .where(and(inArray(caseTask.referralId, ids), eq(caseTask.kind, 'referral_follow_up')))
      .orderBy(asc(caseTask.createdAt)),
    userRefs(
      db,
      rows.flatMap((r) => [r.consentRecordedBy, r.overrideBy]),
    ),
  ]);
  const orgName = new Map(orgs.map((o) => [o.id, o.name]));
  const serviceName = new Map(services.map((s) => [s.id, s.name]));
  const taskOf = new Map<string, string>();
  for (const t of tasks) if (t.referralId) taskOf.set(t.referralId, t.id);
  return rows.map((r) => {
    const consent = openText(ring, r.consentSealed, r.id);
    const agreed = consent ? ((JSON.parse(consent) as { agreed?: string }).agreed ?? null) : null;
    return {
      id: r.id,
      case_id: r.caseId,
      person_id: r.personId,
      need: r.need,
      organization: { id: r.organizationId, name: orgName.get(r.organizationId) ?? '' },
      service: r.serviceId ? { id: r.serviceId, name: serviceName.get(r.serviceId) ?? '' } : null,
      status: r.status,
      consent:
        r.consentKind && r.consentAt
          ? {
              kind: r.consentKind,
              agreed,
              at: r.consentAt.toISOString(),
              recorded_by: r.consentRecordedBy ? (people.get(r.consentRecordedBy) ?? null) : null,
            }
          : null,
      override: r.overrideAt
        ? {
            by: r.overrideBy ? (people.get(r.overrideBy) ?? null) : null,
            at: r.overrideAt.toISOString(),
            reason: openText(ring, r.overrideReasonSealed, r.id),
          }
        : null,
      shared_fields: r.sharedFields,
      sent_at: iso(r.sentAt),
      responded_at: iso(r.respondedAt),
      outcome_at: iso(r.outcomeAt),
      outcome_note: openText(ring, r.outcomeNoteSealed, r.id),
      follow_up_task_id: taskOf.get(r.id) ?? null,
      version: r.version,
      created_at: r.createdAt.toISOString(),
    };
  });
}

/** A case's referrals in the `Referral` shape of docs/api/cases.md (snake_case JSON), oldest first. */
export async function referralsForCase(
  db: Db,
  ring: Keyring,
  caseId: string,
): Promise<Record<string, unknown>[]> {
  const rows = await db
    .select()
    .from(referral)
    .where(eq(referral.caseId, caseId))
    .orderBy(asc(referral.createdAt), asc(referral.id));
  return presentReferrals(db, ring, rows);
}

/** True when a referral of the case reached accepted or service_received (closing → closed_referred). */
export async function caseHasAcceptedReferral(db: Db, caseId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: referral.id })
    .from(referral)
    .where(and(eq(referral.caseId, caseId), inArray(referral.status, ['accepted', 'service_received'])))
    .limit(1);
  return Boolean(row);
}

/** One referral row; `forUpdate` locks it. */
export async function referralRow(db: Db, id: string, forUpdate = false): Promise<ReferralRow | undefined> {
  const q = db.select().from(referral).where(eq(referral.id, id));
  const [row] = forUpdate ? await q.for('update') : await q;
  return row;
}

/**
 * Who last changed a record of a case, from the timeline (`data[key] = id`): the `changed_by` of a 409.
 */
export async function lastChangedBy(
  db: Db,
  caseId: string,
  key: 'referral_id' | 'escalation_id',
  id: string,
): Promise<UserRef | null> {
  const [row] = await db
    .select({ id: users.id, name: users.displayName })
    .from(caseEvent)
    .innerJoin(users, eq(users.id, caseEvent.userId))
    .where(and(eq(caseEvent.caseId, caseId), sql`${caseEvent.data}->>${key} = ${id}`))
    .orderBy(desc(caseEvent.id))
    .limit(1);
  return row ? { id: row.id, display_name: row.name } : null;
}
