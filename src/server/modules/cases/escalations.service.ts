import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray, isNotNull, or, sql } from 'drizzle-orm';
import {
  casePlaceEvent,
  directorySearch,
  type EscalationRow,
  escalation,
  organization,
  type ProtocolRow,
  protocol,
  users,
} from '../../db/schema.js';
import type { Actor } from '../../platform/audit.js';
import { recordAudit } from '../../platform/audit.js';
import { publish } from '../../platform/bus.js';
import { encrypt } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { AppError, notFound, versionConflict } from '../../platform/errors.js';
import { CANADIAN_PLACES, findPlace, isProvinceCode } from '../directory/places.js';
import { type CaseUser, requireCase } from './access.js';
import type { CasesDeps } from './cases.module.js';
import { escalationRow, type ProtocolSnapshot, presentEscalations } from './escalations.repository.js';
import { addCaseEvent } from './events.js';
import { lastChangedBy } from './referrals.repository.js';

/**
 * Escalations (docs/api/cases.md "Escalations", ADR 0007): to police, child protection or 911, following the kind's
 * protocol as it stood when the escalation started (a snapshot); approval by a supervisor when the protocol asks;
 * completion only with every required step done.
 *
 * States: awaiting_approval → open (approve); open → made (made); open | made → completed (complete, required
 * steps done); open | awaiting_approval | made → cancelled (cancel). Anything else: 409
 * ESCALATION_TRANSITION_INVALID (made or completed while awaiting approval: 409 ESCALATION_APPROVAL_REQUIRED).
 */

const RUNNING = new Set(['open', 'awaiting_approval', 'made']);
/** Directory organisation type and Harbour service type of the agencies for each escalation kind. */
const AGENCY_TYPES: Record<string, { orgType: string; serviceType: string }> = {
  law_enforcement: { orgType: 'law_enforcement', serviceType: 'law-enforcement' },
  child_protection: { orgType: 'child_protection', serviceType: 'child-protection' },
  emergency: { orgType: 'law_enforcement', serviceType: 'law-enforcement' },
};

/** Largest city of each province (where a case known only by its province measures distances from). */
const PROVINCE_ORIGIN = new Map<string, { lat: number; lng: number; pop: number }>();
for (const [, province, lat, lng, pop] of CANADIAN_PLACES) {
  if (pop > (PROVINCE_ORIGIN.get(province)?.pop ?? -1)) PROVINCE_ORIGIN.set(province, { lat, lng, pop });
}

function km(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 6371 * 2 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function presentProtocol(p: ProtocolRow) {
  return { kind: p.kind, version: p.version, steps: p.steps, requires_approval: p.requiresApproval };
}

export function createEscalationsService(deps: CasesDeps) {
  const { db, config } = deps;
  const ring = config.encryptionKey;
  const present = async (tx: Db, row: EscalationRow) => (await presentEscalations(tx, ring, [row]))[0]!;

  async function lockEscalation(tx: Db, user: CaseUser, id: string, version: number | undefined) {
    // Lock order: the case, then the escalation (as merge and every case write do), so writers never deadlock.
    const peek = await escalationRow(tx, id);
    if (!peek) throw notFound();
    await requireCase(tx, user, peek.caseId, { forUpdate: true });
    const row = await escalationRow(tx, id, true);
    if (!row || row.caseId !== peek.caseId) throw notFound();
    if (version !== undefined && version !== row.version)
      throw versionConflict(
        await present(tx, row),
        await lastChangedBy(tx, row.caseId, 'escalation_id', row.id),
      );
    return row;
  }

  async function save(
    tx: Db,
    actor: Actor,
    row: EscalationRow,
    set: Partial<typeof escalation.$inferInsert>,
    event: 'escalation_step' | 'escalation_approved' | 'escalation_status',
    data: Record<string, unknown>,
    action: string,
  ) {
    const [saved] = await tx
      .update(escalation)
      .set({ ...set, version: row.version + 1, updatedAt: new Date() })
      .where(eq(escalation.id, row.id))
      .returning();
    await addCaseEvent(tx, row.caseId, event, actor.id, { escalation_id: row.id, kind: row.kind, ...data });
    await recordAudit(tx, actor, {
      action,
      targetType: 'escalation',
      targetId: row.id,
      details: { case_id: row.caseId, kind: row.kind, ...data },
    });
    await publish(tx, { topic: 'case', id: row.caseId, kind: event });
    return present(tx, saved!);
  }

  return {
    async create(
      actor: Actor,
      user: CaseUser,
      caseId: string,
      input: {
        kind: string;
        organization_id?: string | undefined;
        consent_given: boolean;
        override_reason?: string | undefined;
        override_note?: string | undefined;
      },
    ) {
      if (!input.consent_given && !input.override_reason)
        throw new AppError('ESCALATION_OVERRIDE_REQUIRED', 422);
      return db.transaction(async (tx) => {
        await requireCase(tx, user, caseId, { forUpdate: true, open: true });
        if (input.organization_id) {
          const [org] = await tx
            .select({ id: organization.id })
            .from(organization)
            .where(eq(organization.id, input.organization_id));
          if (!org) throw new AppError('VALIDATION_FAILED', 400, { fields: 'organization_id' });
        }
        const [p] = await tx.select().from(protocol).where(eq(protocol.kind, input.kind));
        if (!p) throw new AppError('VALIDATION_FAILED', 400, { fields: 'kind' });
        const supervisor = user.role === 'supervisor';
        const needsApproval = p.requiresApproval && !supervisor;
        const id = randomUUID();
        const now = new Date();
        const snapshot: ProtocolSnapshot = { version: p.version, steps: p.steps };
        const [row] = await tx
          .insert(escalation)
          .values({
            id,
            caseId,
            kind: input.kind,
            organizationId: input.organization_id ?? null,
            status: needsApproval ? 'awaiting_approval' : 'open',
            protocolSnapshot: snapshot as unknown as Record<string, unknown>,
            consentGiven: input.consent_given,
            overrideReason: input.consent_given ? null : (input.override_reason ?? null),
            overrideNoteSealed: input.override_note ? encrypt(ring, input.override_note, id) : null,
            approvalRequired: p.requiresApproval,
            // A supervisor starting one that needs approval approves it by starting it.
            ...(p.requiresApproval && supervisor ? { approvedBy: user.id, approvedAt: now } : {}),
            createdBy: user.id,
          })
          .returning();
        const data = {
          escalation_id: id,
          kind: input.kind,
          status: row!.status,
          consent_given: input.consent_given,
          ...(input.consent_given ? {} : { override_reason: input.override_reason }),
        };
        await addCaseEvent(tx, caseId, 'escalation_created', user.id, data);
        await recordAudit(tx, actor, {
          action: 'escalation.create',
          targetType: 'escalation',
          targetId: id,
          details: { case_id: caseId, ...data, protocol_version: p.version },
        });
        await publish(tx, { topic: 'case', id: caseId, kind: 'escalation_created' });
        return present(tx, row!);
      });
    },

    async approve(actor: Actor, user: CaseUser, id: string, version: number | undefined) {
      return db.transaction(async (tx) => {
        const row = await lockEscalation(tx, user, id, version);
        if (row.status !== 'awaiting_approval') throw new AppError('ESCALATION_TRANSITION_INVALID', 409);
        return save(
          tx,
          actor,
          row,
          { status: 'open', approvedBy: user.id, approvedAt: new Date() },
          'escalation_approved',
          { status: 'open' },
          'escalation.approve',
        );
      });
    },

    async step(actor: Actor, user: CaseUser, id: string, version: number, key: string, done: boolean) {
      return db.transaction(async (tx) => {
        const row = await lockEscalation(tx, user, id, version);
        const snap = row.protocolSnapshot as unknown as ProtocolSnapshot;
        if (!snap.steps.some((s) => s.key === key))
          throw new AppError('VALIDATION_FAILED', 400, { fields: 'key' });
        if (!RUNNING.has(row.status)) throw new AppError('ESCALATION_TRANSITION_INVALID', 409);
        const steps = { ...(row.stepsDone ?? {}) };
        if (done) steps[key] = steps[key] ?? { doneAt: new Date().toISOString(), doneBy: user.id };
        else delete steps[key];
        return save(
          tx,
          actor,
          row,
          { stepsDone: steps },
          'escalation_step',
          { key, done },
          'escalation.step',
        );
      });
    },

    async made(
      actor: Actor,
      user: CaseUser,
      id: string,
      version: number,
      agencyReference: string | undefined,
    ) {
      return db.transaction(async (tx) => {
        const row = await lockEscalation(tx, user, id, version);
        if (row.status === 'awaiting_approval') throw new AppError('ESCALATION_APPROVAL_REQUIRED', 409);
        if (row.status !== 'open') throw new AppError('ESCALATION_TRANSITION_INVALID', 409);
        return save(
          tx,
          actor,
          row,
          { status: 'made', madeAt: new Date(), ...(agencyReference ? { agencyReference } : {}) },
          'escalation_status',
          { status: 'made', from: row.status },
          'escalation.made',
        );
      });
    },

    async complete(
      actor: Actor,
      user: CaseUser,
      id: string,
      version: number,
      outcome: string,
      note: string | undefined,
    ) {
      return db.transaction(async (tx) => {
        const row = await lockEscalation(tx, user, id, version);
        if (row.status === 'awaiting_approval') throw new AppError('ESCALATION_APPROVAL_REQUIRED', 409);
        if (row.status !== 'open' && row.status !== 'made')
          throw new AppError('ESCALATION_TRANSITION_INVALID', 409);
        const snap = row.protocolSnapshot as unknown as ProtocolSnapshot;
        const done = row.stepsDone ?? {};
        if (snap.steps.some((s) => s.required && !done[s.key]))
          throw new AppError('ESCALATION_STEPS_PENDING', 409);
        return save(
          tx,
          actor,
          row,
          {
            status: 'completed',
            completedAt: new Date(),
            outcome,
            ...(note ? { outcomeNoteSealed: encrypt(ring, note, row.id) } : {}),
          },
          'escalation_status',
          { status: 'completed', from: row.status, outcome },
          'escalation.complete',
        );
      });
    },

    async cancel(actor: Actor, user: CaseUser, id: string, version: number, note: string) {
      return db.transaction(async (tx) => {
        const row = await lockEscalation(tx, user, id, version);
        if (!RUNNING.has(row.status)) throw new AppError('ESCALATION_TRANSITION_INVALID', 409);
        return save(
          tx,
          actor,
          row,
          { status: 'cancelled', outcomeNoteSealed: encrypt(ring, note, row.id) },
          'escalation_status',
          { status: 'cancelled', from: row.status },
          'escalation.cancel',
        );
      });
    },

    async protocols() {
      const rows = await db.select().from(protocol);
      return rows.sort((a, b) => a.kind.localeCompare(b.kind)).map(presentProtocol);
    },

    async putProtocol(
      actor: Actor,
      userId: string,
      kind: string,
      version: number,
      body: { steps: ProtocolSnapshot['steps']; requires_approval: boolean },
    ) {
      const keys = body.steps.map((s) => s.key);
      if (new Set(keys).size !== keys.length)
        throw new AppError('VALIDATION_FAILED', 400, { fields: 'steps' });
      if (body.steps.some((s) => !s.en.trim() || !s.fr.trim()))
        throw new AppError('VALIDATION_FAILED', 400, { fields: 'steps' });
      return db.transaction(async (tx) => {
        const [p] = await tx.select().from(protocol).where(eq(protocol.kind, kind)).for('update');
        if (!p) throw notFound();
        if (p.version !== version) {
          const [by] = p.updatedBy
            ? await tx
                .select({ id: users.id, display_name: users.displayName })
                .from(users)
                .where(eq(users.id, p.updatedBy))
            : [];
          throw versionConflict(presentProtocol(p), by ?? null);
        }
        const steps = body.steps.map((s) => ({ key: s.key, en: s.en, fr: s.fr, required: s.required }));
        const [saved] = await tx
          .update(protocol)
          .set({
            steps,
            requiresApproval: body.requires_approval,
            version: p.version + 1,
            updatedBy: userId,
            updatedAt: new Date(),
          })
          .where(eq(protocol.kind, kind))
          .returning();
        await recordAudit(tx, actor, {
          action: 'escalation.protocol_update',
          targetType: 'protocol',
          targetId: kind,
          details: { version: saved!.version, steps: keys, requires_approval: body.requires_approval },
        });
        return presentProtocol(saved!);
      });
    },

    /**
     * Agencies for an escalation kind: directory organisations of that type (or with services of that type) whose
     * jurisdiction or service area covers the case's province; nearest first from the case's latest place (city)
     * or, without one, the province's largest city; then by name.
     */
    async agencies(actor: Actor, user: CaseUser, caseId: string, kind: string) {
      return db.transaction(async (tx) => {
        const c = await requireCase(tx, user, caseId);
        const t = AGENCY_TYPES[kind]!;
        const [place] = await tx
          .select({ city: casePlaceEvent.city, region: casePlaceEvent.region })
          .from(casePlaceEvent)
          .where(and(eq(casePlaceEvent.caseId, caseId), isNotNull(casePlaceEvent.city)))
          .orderBy(desc(casePlaceEvent.createdAt))
          .limit(1);
        const region =
          c.region && isProvinceCode(c.region)
            ? c.region
            : place?.region && isProvinceCode(place.region)
              ? place.region
              : null;
        let origin: { lat: number; lng: number } | null = null;
        if (place?.city && place.city !== 'declined' && place.city !== 'unknown') {
          const found = await findPlace(tx, region ? `${place.city}, ${region}` : place.city);
          if (found) origin = { lat: found.latitude, lng: found.longitude };
        }
        if (!origin && region) origin = PROVINCE_ORIGIN.get(region) ?? null;
        const orgs = await tx
          .select({
            id: organization.id,
            name: organization.name,
            organizationType: organization.organizationType,
            jurisdiction: organization.jurisdiction,
          })
          .from(organization)
          .where(
            and(
              or(
                eq(organization.organizationType, t.orgType),
                sql`exists (select 1 from ${directorySearch} where ${directorySearch.organizationId} = ${organization.id} and ${t.serviceType}::text = any(${directorySearch.serviceTypes}))`,
              ),
              region
                ? sql`(${region}::text = any(${organization.jurisdiction}) or exists (select 1 from ${directorySearch} where ${directorySearch.organizationId} = ${organization.id} and ${region}::text = any(${directorySearch.provinces})))`
                : undefined,
            ),
          )
          .limit(200);
        const places = orgs.length
          ? await tx
              .select({
                organizationId: directorySearch.organizationId,
                city: directorySearch.city,
                provinces: directorySearch.provinces,
                lat: directorySearch.latitude,
                lng: directorySearch.longitude,
                confidential: directorySearch.locationConfidential,
              })
              .from(directorySearch)
              .where(
                inArray(
                  directorySearch.organizationId,
                  orgs.map((o) => o.id),
                ),
              )
          : [];
        const items = orgs.map((o) => {
          let best: { city: string | null; province: string | null; distance: number | null } = {
            city: null,
            province: o.jurisdiction[0] ?? null,
            distance: null,
          };
          for (const p of places) {
            if (p.organizationId !== o.id || p.confidential) continue;
            const d =
              origin && p.lat !== null && p.lng !== null ? km(origin, { lat: p.lat, lng: p.lng }) : null;
            if (best.city === null || (d !== null && (best.distance === null || d < best.distance)))
              best = { city: p.city, province: p.provinces[0] ?? best.province, distance: d };
          }
          return {
            id: o.id,
            name: o.name,
            organization_type: o.organizationType,
            jurisdiction: o.jurisdiction,
            city: best.city,
            province: best.province,
            distance_km: best.distance === null ? null : Math.round(best.distance * 10) / 10,
          };
        });
        items.sort(
          (a, b) =>
            (a.distance_km ?? Number.POSITIVE_INFINITY) - (b.distance_km ?? Number.POSITIVE_INFINITY) ||
            a.name.localeCompare(b.name),
        );
        await recordAudit(tx, actor, {
          action: 'case.read',
          targetType: 'case',
          targetId: caseId,
          details: { view: 'agencies', kind, count: items.length },
        });
        return items.slice(0, 50);
      });
    },
  };
}

export type EscalationsService = ReturnType<typeof createEscalationsService>;
