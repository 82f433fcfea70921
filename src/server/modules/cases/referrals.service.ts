import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gte, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { ANSWER_MARKERS, REFERRAL_TRANSITIONS } from '../../../shared/cases.js';
import {
  caseFile,
  casePerson,
  casePlaceEvent,
  caseSignal,
  caseTask,
  organization,
  type ReferralRow,
  referral,
  screening,
  service,
  users,
} from '../../db/schema.js';
import type { Actor } from '../../platform/audit.js';
import { recordAudit } from '../../platform/audit.js';
import { publish } from '../../platform/bus.js';
import { encrypt } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { AppError, notFound, versionConflict } from '../../platform/errors.js';
import { hotlineTimeZone, localDayBounds } from '../../platform/period.js';
import { CANADIAN_PLACES, findPlace, isProvinceCode } from '../directory/places.js';
import type { SearchParams } from '../directory/search.service.js';
import { type CaseUser, requireCase } from './access.js';
import type { CasesDeps } from './cases.module.js';
import { addCaseEvent } from './events.js';
import { lastChangedBy, openText, presentReferrals, referralRow } from './referrals.repository.js';
import { loadSafetyPlan } from './safety.js';

/**
 * Referrals (docs/api/cases.md "Referrals", ADR 0007): consent or a supervisor's override, sending only what was
 * consented (sealed, AAD = referral id), a follow-up task for the sender, an e-mail without personal data to the
 * partner organisation, and the partner's answer and outcome.
 */

/** A referral's need → the directory's service types (Open Eligibility codes and Harbour's own types). */
export const NEED_SERVICE_TYPES: Record<string, string[]> = {
  shelter_housing: [
    '1103',
    '1121',
    '1125',
    '1135',
    '1136',
    '1145',
    '1146',
    '1151',
    '1152',
    'trafficking-emergency-shelter',
    'transitional-housing',
  ],
  counselling: ['1220', '1304', '1309', '1310', '1312', 'trauma-counselling', 'survivor-peer-support'],
  case_management: ['1292', '1309', 'trafficking-case-management'],
  mental_health: ['1214', '1220', '1231', '1304', 'trauma-counselling'],
  medical: ['1206', '1206a', '1210', '1219', 'medical-forensic-care'],
  legal: ['1111', '1375', '1389', 'court-accompaniment', 'labour-rights'],
  immigration: ['1346', '1381', 'immigration-status-support'],
  transport: ['1105', '1172', '1175', '1176', 'safe-return'],
  financial: ['1107', '1232', '1256', '1262'],
  education_job_training: ['1109', '1323', '1326', '1349', '1357', '1358', '1365', '1373'],
  life_skills: ['1191', '1352'],
  interpretation: ['1390', 'interpretation'],
  other: [],
};

/** Final statuses: the follow-up task is done. */
const FINAL = new Set(['declined', 'service_received', 'could_not_reach', 'withdrawn']);
const FOLLOW_UP_DAYS = 7;
const isMarker = (v: string | null | undefined) => !v || (ANSWER_MARKERS as readonly string[]).includes(v);

export interface ConsentInput {
  kind: 'verbal' | 'written';
  agreed: string;
  shared_fields: string[];
}

export interface SharedPayload {
  first_name?: string;
  contact?: string;
  language?: string;
  age_band?: string;
  gender?: string;
  need_details?: string;
  safe_times?: { time_zone: string; times: { days: string[]; from: string; to: string }[] };
}

/** The largest city of each province: where a case known only by its province searches from. */
const PROVINCE_CITY = new Map<string, string>();
{
  const best = new Map<string, number>();
  for (const [name, province, , , population] of CANADIAN_PLACES) {
    if (population > (best.get(province) ?? -1)) {
      best.set(province, population);
      PROVINCE_CITY.set(province, name);
    }
  }
}

export function createReferralsService(deps: CasesDeps) {
  const { db, config } = deps;
  const ring = config.encryptionKey;

  const present = async (tx: Db, row: ReferralRow) => (await presentReferrals(tx, ring, [row]))[0]!;

  /** Loads and locks a referral, then checks the case (visible; open when asked) and the If-Match version. */
  async function lockReferral(
    tx: Db,
    user: CaseUser,
    id: string,
    version: number | undefined,
    open: boolean,
  ): Promise<ReferralRow> {
    // Lock order: the case, then the referral (as merge and every case write do), so two writers never deadlock.
    const peek = await referralRow(tx, id);
    if (!peek) throw notFound();
    await requireCase(tx, user, peek.caseId, { open, forUpdate: true });
    const row = await referralRow(tx, id, true);
    if (!row || row.caseId !== peek.caseId) throw notFound();
    if (version !== undefined && version !== row.version)
      throw versionConflict(
        await present(tx, row),
        await lastChangedBy(tx, row.caseId, 'referral_id', row.id),
      );
    return row;
  }

  async function completeFollowUp(tx: Db, actor: Actor, row: ReferralRow, userId: string) {
    const done = await tx
      .update(caseTask)
      .set({ doneAt: new Date(), doneBy: userId, version: sql`${caseTask.version} + 1` })
      .where(
        and(
          eq(caseTask.referralId, row.id),
          eq(caseTask.kind, 'referral_follow_up'),
          isNull(caseTask.doneAt),
        ),
      )
      .returning({ id: caseTask.id });
    for (const t of done)
      await addCaseEvent(tx, row.caseId, 'task_done', actor.id, { task_id: t.id, referral_id: row.id });
  }

  /** The values a partner may see: only the consented fields, from the person, the need and the safety plan. */
  async function buildShared(tx: Db, row: ReferralRow): Promise<SharedPayload> {
    const fields = new Set(row.sharedFields);
    const shared: SharedPayload = {};
    if (row.personId) {
      const [person] = await tx
        .select()
        .from(casePerson)
        .where(and(eq(casePerson.id, row.personId), eq(casePerson.caseId, row.caseId)));
      if (person) {
        const identity = person.identitySealed
          ? (JSON.parse(openText(ring, person.identitySealed, person.id) ?? '{}') as {
              name?: string;
              contact?: string;
            })
          : {};
        const firstName = identity.name?.trim().split(/\s+/)[0];
        if (fields.has('first_name') && firstName) shared.first_name = firstName;
        if (fields.has('contact') && identity.contact?.trim()) shared.contact = identity.contact.trim();
        const language = person.languages.find((l) => !isMarker(l));
        if (fields.has('language') && language) shared.language = language;
        if (fields.has('age_band') && !isMarker(person.ageBand)) shared.age_band = person.ageBand!;
        if (fields.has('gender') && !isMarker(person.gender)) shared.gender = person.gender!;
      }
    }
    if (fields.has('need_details')) shared.need_details = row.need;
    if (fields.has('safe_times')) {
      const [screened] = await tx
        .select({ signalId: screening.signalId })
        .from(caseSignal)
        .innerJoin(screening, eq(screening.signalId, caseSignal.signalId))
        .where(and(eq(caseSignal.caseId, row.caseId), isNotNull(screening.safetyPlanSealed)))
        .orderBy(desc(screening.updatedAt))
        .limit(1);
      const plan = screened ? await loadSafetyPlan(tx, ring, screened.signalId) : null;
      if (plan?.safe_times?.length)
        shared.safe_times = {
          time_zone: plan.time_zone ?? hotlineTimeZone(config),
          times: plan.safe_times.map((t) => ({ days: [...t.days], from: t.from, to: t.to })),
        };
    }
    return shared;
  }

  /** "A referral is waiting": to every active partner user of the organisation; after the commit; no personal data. */
  async function notifyPartners(organizationId: string) {
    try {
      const recipients = await db
        .select({ email: users.email })
        .from(users)
        .where(
          and(eq(users.role, 'partner'), eq(users.organizationId, organizationId), isNull(users.disabledAt)),
        );
      const link = `${config.publicUrl}/console/partner/referrals`;
      for (const r of recipients) {
        try {
          await deps.mailer.send({
            to: r.email,
            subject: 'A referral is waiting for you in Harbour / Une orientation vous attend dans Harbour',
            text:
              `A referral is waiting for you in Harbour. Sign in to read it:\n${link}\n\n` +
              `Une orientation vous attend dans Harbour. Connectez-vous pour la consulter :\n${link}\n`,
          });
        } catch (err) {
          deps.log.warn(
            { err: { type: (err as Error)?.name, code: (err as { code?: unknown })?.code } },
            'referral notification e-mail failed',
          );
        }
      }
    } catch (err) {
      deps.log.warn({ err: { type: (err as Error)?.name } }, 'referral notification failed');
    }
  }

  return {
    async create(
      actor: Actor,
      user: CaseUser,
      caseId: string,
      input: {
        person_id?: string | undefined;
        need: string;
        organization_id: string;
        service_id?: string | undefined;
        consent?: ConsentInput | undefined;
      },
    ) {
      return db.transaction(async (tx) => {
        await requireCase(tx, user, caseId, { forUpdate: true, open: true });
        if (input.person_id) {
          const [p] = await tx
            .select({ id: casePerson.id })
            .from(casePerson)
            .where(and(eq(casePerson.id, input.person_id), eq(casePerson.caseId, caseId)));
          if (!p) throw new AppError('VALIDATION_FAILED', 400, { fields: 'person_id' });
        }
        const [org] = await tx
          .select({ id: organization.id })
          .from(organization)
          .where(eq(organization.id, input.organization_id));
        if (!org) throw new AppError('VALIDATION_FAILED', 400, { fields: 'organization_id' });
        if (input.service_id) {
          const [s] = await tx
            .select({ id: service.id })
            .from(service)
            .where(and(eq(service.id, input.service_id), eq(service.organizationId, input.organization_id)));
          if (!s) throw new AppError('VALIDATION_FAILED', 400, { fields: 'service_id' });
        }
        const id = randomUUID();
        const now = new Date();
        const c = input.consent;
        const [row] = await tx
          .insert(referral)
          .values({
            id,
            caseId,
            personId: input.person_id ?? null,
            need: input.need,
            organizationId: input.organization_id,
            serviceId: input.service_id ?? null,
            status: 'proposed',
            ...(c
              ? {
                  consentKind: c.kind,
                  consentAt: now,
                  consentRecordedBy: user.id,
                  sharedFields: [...new Set(c.shared_fields)],
                  consentSealed: encrypt(ring, JSON.stringify({ agreed: c.agreed }), id),
                }
              : {}),
            createdBy: user.id,
          })
          .returning();
        await addCaseEvent(tx, caseId, 'referral_created', user.id, {
          referral_id: id,
          need: input.need,
          organization_id: input.organization_id,
          consent: Boolean(c),
        });
        await recordAudit(tx, actor, {
          action: 'referral.create',
          targetType: 'referral',
          targetId: id,
          details: {
            case_id: caseId,
            need: input.need,
            consent: Boolean(c),
            shared_fields: c?.shared_fields ?? [],
          },
        });
        await publish(tx, { topic: 'case', id: caseId, kind: 'referral_created' });
        return present(tx, row!);
      });
    },

    async consent(actor: Actor, user: CaseUser, id: string, version: number, c: ConsentInput) {
      return db.transaction(async (tx) => {
        const row = await lockReferral(tx, user, id, version, true);
        if (row.status !== 'proposed') throw new AppError('REFERRAL_TRANSITION_INVALID', 409);
        const [saved] = await tx
          .update(referral)
          .set({
            consentKind: c.kind,
            consentAt: new Date(),
            consentRecordedBy: user.id,
            sharedFields: [...new Set(c.shared_fields)],
            consentSealed: encrypt(ring, JSON.stringify({ agreed: c.agreed }), id),
            version: row.version + 1,
            updatedAt: new Date(),
          })
          .where(eq(referral.id, id))
          .returning();
        await addCaseEvent(tx, row.caseId, 'referral_status', user.id, {
          referral_id: id,
          status: row.status,
          consent: c.kind,
        });
        await recordAudit(tx, actor, {
          action: 'referral.consent',
          targetType: 'referral',
          targetId: id,
          details: { case_id: row.caseId, kind: c.kind, shared_fields: c.shared_fields },
        });
        await publish(tx, { topic: 'case', id: row.caseId, kind: 'referral_status' });
        return present(tx, saved!);
      });
    },

    async override(actor: Actor, user: CaseUser, id: string, version: number | undefined, reason: string) {
      if (user.role !== 'supervisor') throw new AppError('OVERRIDE_NEEDS_SUPERVISOR', 403);
      return db.transaction(async (tx) => {
        const row = await lockReferral(tx, user, id, version, true);
        if (row.status !== 'proposed') throw new AppError('REFERRAL_TRANSITION_INVALID', 409);
        const [saved] = await tx
          .update(referral)
          .set({
            overrideBy: user.id,
            overrideAt: new Date(),
            overrideReasonSealed: encrypt(ring, reason, id),
            version: row.version + 1,
            updatedAt: new Date(),
          })
          .where(eq(referral.id, id))
          .returning();
        await addCaseEvent(tx, row.caseId, 'referral_override', user.id, { referral_id: id });
        await recordAudit(tx, actor, {
          action: 'referral.override',
          targetType: 'referral',
          targetId: id,
          details: { case_id: row.caseId },
        });
        await publish(tx, { topic: 'case', id: row.caseId, kind: 'referral_override' });
        return present(tx, saved!);
      });
    },

    async send(actor: Actor, user: CaseUser, id: string, version: number) {
      const result = await db.transaction(async (tx) => {
        const row = await lockReferral(tx, user, id, version, true);
        if (!(REFERRAL_TRANSITIONS[row.status] ?? []).includes('sent'))
          throw new AppError('REFERRAL_TRANSITION_INVALID', 409);
        if (!row.consentKind && !row.overrideAt) throw new AppError('REFERRAL_CONSENT_REQUIRED', 422);
        const shared = await buildShared(tx, row);
        const now = new Date();
        const [saved] = await tx
          .update(referral)
          .set({
            status: 'sent',
            sentAt: now,
            sharedSealed: encrypt(ring, JSON.stringify(shared), id),
            version: row.version + 1,
            updatedAt: now,
          })
          .where(eq(referral.id, id))
          .returning();
        const taskId = randomUUID();
        await tx.insert(caseTask).values({
          id: taskId,
          caseId: row.caseId,
          kind: 'referral_follow_up',
          titleSealed: encrypt(ring, 'Follow up on the referral', taskId),
          dueAt: new Date(now.getTime() + FOLLOW_UP_DAYS * 86_400_000),
          assigneeId: user.id,
          referralId: id,
          createdBy: user.id,
        });
        await addCaseEvent(tx, row.caseId, 'referral_status', user.id, {
          referral_id: id,
          status: 'sent',
          from: row.status,
          override: !row.consentKind,
        });
        await addCaseEvent(tx, row.caseId, 'task_added', user.id, {
          task_id: taskId,
          kind: 'referral_follow_up',
          referral_id: id,
        });
        await recordAudit(tx, actor, {
          action: 'referral.send',
          targetType: 'referral',
          targetId: id,
          details: {
            case_id: row.caseId,
            organization_id: row.organizationId,
            shared_fields: Object.keys(shared),
            override: !row.consentKind,
          },
        });
        await publish(tx, { topic: 'case', id: row.caseId, kind: 'referral_status' });
        return { referral: await present(tx, saved!), organizationId: row.organizationId };
      });
      await notifyPartners(result.organizationId);
      return result.referral;
    },

    async setStatus(
      actor: Actor,
      user: CaseUser,
      id: string,
      version: number,
      status: string,
      note: string | undefined,
    ) {
      return db.transaction(async (tx) => {
        const row = await lockReferral(tx, user, id, version, false);
        const saved = await transition(tx, actor, row, user.id, status, note, 'referral.status');
        return present(tx, saved);
      });
    },

    /** The partner's organisation (users.organization_id); null when the partner user has none. */
    async partnerOrg(userId: string): Promise<string | null> {
      const [u] = await db.select({ org: users.organizationId }).from(users).where(eq(users.id, userId));
      return u?.org ?? null;
    },

    async partnerList(actor: Actor, userId: string, status: string | undefined) {
      const org = await this.partnerOrg(userId);
      if (!org) return [];
      const rows = await db
        .select()
        .from(referral)
        .where(
          and(
            eq(referral.organizationId, org),
            isNotNull(referral.sentAt),
            status ? eq(referral.status, status) : undefined,
          ),
        )
        .orderBy(desc(referral.sentAt), asc(referral.id))
        .limit(500);
      await db.transaction(async (tx) =>
        recordAudit(tx, actor, {
          action: 'referral.partner_list',
          targetType: 'organization',
          targetId: org,
          details: { count: rows.length, ...(status ? { filters: ['status'] } : {}) },
        }),
      );
      return rows.map((r) => presentPartner(r));
    },

    async partnerGet(actor: Actor, userId: string, id: string) {
      return db.transaction(async (tx) => {
        const row = await partnerRow(tx, userId, id, false);
        await recordAudit(tx, actor, {
          action: 'referral.partner_read',
          targetType: 'referral',
          targetId: id,
        });
        return presentPartner(row);
      });
    },

    async partnerUpdate(
      actor: Actor,
      userId: string,
      id: string,
      version: number,
      status: string,
      note: string | undefined,
      action: 'referral.partner_respond' | 'referral.partner_outcome',
    ) {
      return db.transaction(async (tx) => {
        const row = await partnerRow(tx, userId, id, true);
        if (version !== row.version) throw versionConflict(presentPartner(row), null);
        const saved = await transition(tx, actor, row, userId, status, note, action);
        return presentPartner(saved);
      });
    },

    /**
     * Needs of referrals created from local midnight of `from` to the end of `to` (days in the hotline's zone, as
     * the screening report counts them), each referral counted once; share rounded to 0.1 %.
     */
    async needs(from: string | undefined, to: string | undefined) {
      const zone = hotlineTimeZone(config);
      const rows = await db
        .select({ need: referral.need, count: sql<number>`count(*)::int` })
        .from(referral)
        .where(
          and(
            from ? gte(referral.createdAt, localDayBounds(from, from, zone).start) : undefined,
            to ? lt(referral.createdAt, localDayBounds(to, to, zone).end) : undefined,
          ),
        )
        .groupBy(referral.need);
      const total = rows.reduce((s, r) => s + Number(r.count), 0);
      const needs = rows
        .map((r) => ({
          need: r.need,
          count: Number(r.count),
          share: total ? Math.round((Number(r.count) / total) * 1000) / 1000 : 0,
        }))
        .sort((a, b) => b.count - a.count || a.need.localeCompare(b.need));
      return { total, needs };
    },

    /** Directory search parameters pre-filled from the case (need → service types, place, language). */
    async searchParams(
      actor: Actor,
      user: CaseUser,
      caseId: string,
      q: {
        need?: string;
        near?: string;
        language?: string;
        population?: string[];
        limit?: number;
        offset?: number;
      },
    ): Promise<SearchParams> {
      return db.transaction(async (tx) => {
        const c = await requireCase(tx, user, caseId);
        let near = q.near;
        let province: string | null = c.region && isProvinceCode(c.region) ? c.region : null;
        if (!near) {
          const [place] = await tx
            .select({ city: casePlaceEvent.city, region: casePlaceEvent.region })
            .from(casePlaceEvent)
            .where(and(eq(casePlaceEvent.caseId, caseId), isNotNull(casePlaceEvent.city)))
            .orderBy(desc(casePlaceEvent.createdAt))
            .limit(1);
          if (place?.city && !isMarker(place.city)) {
            const region = place.region && isProvinceCode(place.region) ? place.region : province;
            near = region ? `${place.city}, ${region}` : place.city;
            province = region;
          } else if (province) near = `${PROVINCE_CITY.get(province)}, ${province}`;
          // A place the directory does not know (reference data not loaded): search without a place.
          if (near && !(await findPlace(tx, near))) near = undefined;
        }
        let language = q.language;
        if (!language) {
          const people = await tx
            .select({ languages: casePerson.languages, role: casePerson.role })
            .from(casePerson)
            .where(eq(casePerson.caseId, caseId))
            .orderBy(asc(casePerson.createdAt));
          const victim =
            people.find(
              (p) =>
                ['potential_victim', 'survivor'].includes(p.role) && p.languages.some((l) => !isMarker(l)),
            ) ?? people.find((p) => p.languages.some((l) => !isMarker(l)));
          const tag = victim?.languages.find((l) => !isMarker(l));
          const base = tag?.split('-')[0];
          if (base && /^[a-z]{2,3}$/.test(base)) language = base;
        }
        await recordAudit(tx, actor, {
          action: 'case.read',
          targetType: 'case',
          targetId: caseId,
          details: {
            view: 'referral_search',
            filters: Object.keys(q).filter((k) => q[k as keyof typeof q] !== undefined),
          },
        });
        return {
          ...(near ? { near } : {}),
          radiusKm: 100,
          // Services serving the case's province, nearest first; without a province, near the place.
          mode: province && near && !q.near ? 'serving' : 'near',
          populations: q.population ?? [],
          types: q.need ? (NEED_SERVICE_TYPES[q.need] ?? []) : [],
          ...(language ? { language } : {}),
          openNow: false,
          hasCapacity: false,
          limit: q.limit ?? 25,
          offset: q.offset ?? 0,
        };
      });
    },
  };

  /** Moves a referral to `status` (REFERRAL_TRANSITIONS), stamps response/outcome, completes the follow-up. */
  async function transition(
    tx: Db,
    actor: Actor,
    row: ReferralRow,
    userId: string,
    status: string,
    note: string | undefined,
    action: string,
  ): Promise<ReferralRow> {
    if (!(REFERRAL_TRANSITIONS[row.status] ?? []).includes(status))
      throw new AppError('REFERRAL_TRANSITION_INVALID', 409);
    const now = new Date();
    const responded = status === 'accepted' || status === 'declined';
    const outcome = status === 'service_received' || status === 'could_not_reach';
    const [saved] = await tx
      .update(referral)
      .set({
        status,
        ...(responded ? { respondedAt: now, respondedBy: userId } : {}),
        ...(outcome ? { outcomeAt: now, outcomeBy: userId } : {}),
        ...(note !== undefined ? { outcomeNoteSealed: encrypt(ring, note, row.id) } : {}),
        version: row.version + 1,
        updatedAt: now,
      })
      .where(eq(referral.id, row.id))
      .returning();
    await addCaseEvent(tx, row.caseId, 'referral_status', userId, {
      referral_id: row.id,
      status,
      from: row.status,
    });
    if (FINAL.has(status)) await completeFollowUp(tx, actor, row, userId);
    await recordAudit(tx, actor, {
      action,
      targetType: 'referral',
      targetId: row.id,
      details: { case_id: row.caseId, from: row.status, to: status, note: note !== undefined },
    });
    await publish(tx, { topic: 'case', id: row.caseId, kind: 'referral_status' });
    return saved!;
  }

  /** A referral of the partner's organisation that was sent; anything else is 404. */
  async function partnerRow(tx: Db, userId: string, id: string, forUpdate: boolean): Promise<ReferralRow> {
    const [u] = await tx.select({ org: users.organizationId }).from(users).where(eq(users.id, userId));
    const peek = await referralRow(tx, id);
    if (!peek || !u?.org || peek.organizationId !== u.org || !peek.sentAt) throw notFound();
    if (!forUpdate) return peek;
    // Lock order: the case, then the referral (see lockReferral).
    await tx.select({ id: caseFile.id }).from(caseFile).where(eq(caseFile.id, peek.caseId)).for('update');
    const row = await referralRow(tx, id, true);
    if (!row || row.caseId !== peek.caseId) throw notFound();
    return row;
  }

  /** Once withdrawn, or declined by the partner, the referral's personal data are no longer theirs to see. */
  function presentPartner(r: ReferralRow) {
    const closedToPartner = r.status === 'withdrawn' || r.status === 'declined';
    const shared =
      r.sharedSealed && !closedToPartner
        ? (JSON.parse(openText(ring, r.sharedSealed, r.id) ?? '{}') as SharedPayload)
        : {};
    return {
      id: r.id,
      need: r.need,
      status: r.status,
      sent_at: r.sentAt?.toISOString() ?? null,
      responded_at: r.respondedAt?.toISOString() ?? null,
      outcome_at: r.outcomeAt?.toISOString() ?? null,
      shared,
      version: r.version,
    };
  }
}

export type ReferralsService = ReturnType<typeof createReferralsService>;
