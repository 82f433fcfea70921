import type { Role } from '../../../shared/roles.js';
import type { Translations } from '../../db/directory.schema.js';
import type { Actor } from '../../platform/audit.js';
import { recordAudit } from '../../platform/audit.js';
import type { Db } from '../../platform/db.js';
import { AppError, forbidden, notFound } from '../../platform/errors.js';
import { identityRepository } from '../identity/identity.repository.js';
import { POPULATIONS_TAXONOMY, refreshSearch, SERVICE_TYPE_TAXONOMIES } from './directory.projection.js';
import { directoryRepository as repo } from './directory.repository.js';
import {
  describeHours,
  hoursFromSchedules,
  normalizeWeeklyHours,
  schedulesFromHours,
  type WeeklyHours,
} from './hours.js';

export interface DirectoryDeps {
  db: Db;
  /** Months between verifications of a listing (the hotline's policy: every 6 months). */
  verificationMonths?: number;
  now?: () => Date;
}

export type ResourceType = 'organization' | 'service' | 'location';
/** What a partner may propose a change to: a record, a service's beds, or a service's weekly hours. */
export type ProposalResource = ResourceType | 'capacity' | 'schedule';

/** Zone assumed for hours stored without one (the search's default too). */
const DEFAULT_HOURS_ZONE = 'America/Toronto';

export interface OrganizationInput {
  name?: string;
  alternateName?: string | null;
  description?: string | null;
  email?: string | null;
  website?: string | null;
  organizationType?: string;
  jurisdiction?: string[];
  confidential?: boolean;
  translations?: Translations;
}

export interface ServiceInput {
  organizationId?: string;
  name?: string;
  alternateName?: string | null;
  description?: string | null;
  url?: string | null;
  email?: string | null;
  status?: string;
  interpretationServices?: string | null;
  applicationProcess?: string | null;
  feesDescription?: string | null;
  eligibilityDescription?: string | null;
  minimumAge?: number | null;
  maximumAge?: number | null;
  intakeNotes?: string | null;
  confidential?: boolean;
  translations?: Translations;
  populations?: string[];
  serviceTypes?: string[];
  languages?: string[];
  phones?: Array<{ number: string; type?: string; description?: string }>;
}

export interface LocationInput {
  organizationId?: string;
  name?: string | null;
  description?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  confidential?: boolean;
  translations?: Translations;
  address?: {
    address1: string;
    address2?: string;
    city: string;
    stateProvince: string;
    postalCode: string;
    country: string;
  } | null;
  serviceIds?: string[];
}

/** The staff member behind a change, as HSDS `metadata.updated_by` and for partner checks. */
export interface Editor {
  actor: Actor;
  role: Role;
}

const SCALAR_ORG = [
  'name',
  'alternateName',
  'description',
  'email',
  'website',
  'organizationType',
  'jurisdiction',
  'confidential',
  'translations',
] as const;
const SCALAR_SERVICE = [
  'name',
  'alternateName',
  'description',
  'url',
  'email',
  'status',
  'interpretationServices',
  'applicationProcess',
  'feesDescription',
  'eligibilityDescription',
  'minimumAge',
  'maximumAge',
  'intakeNotes',
  'confidential',
  'translations',
] as const;
const SCALAR_LOCATION = [
  'name',
  'description',
  'latitude',
  'longitude',
  'confidential',
  'translations',
] as const;

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const show = (v: unknown): string =>
  v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
const same = (a: unknown, b: unknown) => show(a) === show(b);

function pick<T extends object, K extends readonly (keyof T)[]>(
  input: T,
  keys: K,
): Partial<Pick<T, K[number]>> {
  const out: Partial<Pick<T, K[number]>> = {};
  for (const k of keys) if (input[k] !== undefined) out[k] = input[k];
  return out;
}

/**
 * The directory's write side: every edit is validated, recorded field by field in HSDS `metadata`,
 * audited, and re-projected for search — all in one transaction.
 */
export function createDirectoryService(deps: DirectoryDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const months = deps.verificationMonths ?? 6;

  async function historyRows(
    tx: Db,
    type: ResourceType,
    id: string,
    action: 'create' | 'update',
    before: Record<string, unknown>,
    after: Record<string, unknown>,
    editor: Editor,
  ) {
    const at = now();
    const rows = Object.keys(after)
      .filter((k) => !same(before[k], after[k]))
      .map((k) => ({
        resourceId: id,
        resourceType: type,
        lastActionDate: at,
        lastActionType: action,
        fieldName: snake(k),
        previousValue: show(before[k]),
        replacementValue: show(after[k]),
        updatedBy: editor.actor.label,
      }));
    await repo.insertHistory(tx, rows);
    return rows.map((r) => r.fieldName);
  }

  async function termIds(
    tx: Db,
    taxonomies: readonly string[],
    codes: string[],
    errorCode: 'UNKNOWN_POPULATION' | 'UNKNOWN_SERVICE_TYPE',
  ) {
    const unique = [...new Set(codes)];
    const found = await repo.termsByCodes(tx, taxonomies, unique);
    const missing = unique.filter((c) => !found.some((f) => f.code === c));
    if (missing.length) throw new AppError(errorCode, 400, { codes: missing.join(', ') });
    return found.map((f) => f.id);
  }

  async function applyServiceCollections(
    tx: Db,
    serviceId: string,
    input: ServiceInput,
    before: Record<string, unknown>,
  ) {
    const after: Record<string, unknown> = {};
    if (input.populations) {
      before.populations = await repo.serviceTermCodes(tx, serviceId, [POPULATIONS_TAXONOMY]);
      await repo.replaceServiceTerms(
        tx,
        serviceId,
        [POPULATIONS_TAXONOMY],
        await termIds(tx, [POPULATIONS_TAXONOMY], input.populations, 'UNKNOWN_POPULATION'),
      );
      after.populations = [...new Set(input.populations)].sort();
    }
    if (input.serviceTypes) {
      before.serviceTypes = await repo.serviceTermCodes(tx, serviceId, SERVICE_TYPE_TAXONOMIES);
      await repo.replaceServiceTerms(
        tx,
        serviceId,
        SERVICE_TYPE_TAXONOMIES,
        await termIds(tx, SERVICE_TYPE_TAXONOMIES, input.serviceTypes, 'UNKNOWN_SERVICE_TYPE'),
      );
      after.serviceTypes = [...new Set(input.serviceTypes)].sort();
    }
    if (input.languages) {
      before.languages = await repo.serviceLanguages(tx, serviceId);
      const codes = [...new Set(input.languages.map((c) => c.toLowerCase()))].sort();
      await repo.replaceServiceLanguages(tx, serviceId, codes);
      after.languages = codes;
    }
    if (input.phones) {
      before.phones = (await repo.servicePhones(tx, serviceId)).map((p) => p.number);
      await repo.replaceServicePhones(tx, serviceId, input.phones);
      after.phones = input.phones.map((p) => p.number).sort();
    }
    return after;
  }

  /** A partner may touch only its own organisation's records. */
  async function organizationOf(tx: Db, type: ResourceType, id: string): Promise<string> {
    if (type === 'organization') {
      if (!(await repo.findOrganization(tx, id))) throw notFound();
      return id;
    }
    if (type === 'service') {
      const s = await repo.findService(tx, id);
      if (!s) throw notFound();
      return s.organizationId;
    }
    const l = await repo.findLocation(tx, id);
    if (!l?.organizationId) throw notFound();
    return l.organizationId;
  }

  const api = {
    async createOrganization(input: OrganizationInput & { name: string }, editor: Editor, tx0?: Db) {
      const run = async (tx: Db) => {
        const values = pick(input, SCALAR_ORG);
        const row = await repo.insertOrganization(tx, { ...values, name: input.name });
        await historyRows(tx, 'organization', row.id, 'create', {}, values, editor);
        await recordAudit(tx, editor.actor, {
          action: 'directory.organization_created',
          targetType: 'organization',
          targetId: row.id,
        });
        return row;
      };
      return tx0 ? run(tx0) : db.transaction(run);
    },

    async updateOrganization(id: string, input: OrganizationInput, editor: Editor, tx0?: Db) {
      const run = async (tx: Db) => {
        const before = await repo.findOrganization(tx, id);
        if (!before) throw notFound();
        const values = pick(input, SCALAR_ORG);
        const row = (await repo.updateOrganization(tx, id, { ...values, updatedAt: now() })) ?? before;
        const fields = await historyRows(tx, 'organization', id, 'update', before, values, editor);
        await recordAudit(tx, editor.actor, {
          action: 'directory.organization_updated',
          targetType: 'organization',
          targetId: id,
          details: { fields },
        });
        await refreshSearch(tx, await repo.serviceIdsOfOrganization(tx, id));
        return row;
      };
      return tx0 ? run(tx0) : db.transaction(run);
    },

    async createService(input: ServiceInput & { organizationId: string; name: string }, editor: Editor) {
      return db.transaction(async (tx) => {
        if (!(await repo.findOrganization(tx, input.organizationId))) throw new AppError('NOT_FOUND', 404);
        const values = pick(input, SCALAR_SERVICE);
        const row = await repo.insertService(tx, {
          ...values,
          organizationId: input.organizationId,
          name: input.name,
          lastModified: now(),
        });
        const collections = await applyServiceCollections(tx, row.id, input, {});
        await historyRows(tx, 'service', row.id, 'create', {}, { ...values, ...collections }, editor);
        await recordAudit(tx, editor.actor, {
          action: 'directory.service_created',
          targetType: 'service',
          targetId: row.id,
        });
        await refreshSearch(tx, [row.id]);
        return row;
      });
    },

    async updateService(id: string, input: ServiceInput, editor: Editor, tx0?: Db) {
      const run = async (tx: Db) => {
        const before = await repo.findService(tx, id);
        if (!before) throw notFound();
        const values = pick(input, SCALAR_SERVICE);
        const row =
          (await repo.updateService(tx, id, { ...values, lastModified: now(), updatedAt: now() })) ?? before;
        const beforeAll: Record<string, unknown> = { ...before };
        const collections = await applyServiceCollections(tx, id, input, beforeAll);
        const fields = await historyRows(
          tx,
          'service',
          id,
          'update',
          beforeAll,
          { ...values, ...collections },
          editor,
        );
        await recordAudit(tx, editor.actor, {
          action: 'directory.service_updated',
          targetType: 'service',
          targetId: id,
          details: { fields },
        });
        await refreshSearch(tx, [id]);
        return row;
      };
      return tx0 ? run(tx0) : db.transaction(run);
    },

    async createLocation(input: LocationInput & { organizationId: string }, editor: Editor) {
      return db.transaction(async (tx) => {
        if (!(await repo.findOrganization(tx, input.organizationId))) throw notFound();
        const values = pick(input, SCALAR_LOCATION);
        const row = await repo.insertLocation(tx, { ...values, organizationId: input.organizationId });
        if (input.address) await repo.replaceAddress(tx, row.id, input.address);
        for (const serviceId of input.serviceIds ?? []) {
          const s = await repo.findService(tx, serviceId);
          if (!s || s.organizationId !== input.organizationId)
            throw new AppError('VALIDATION_FAILED', 400, { fields: 'serviceIds' });
          await repo.linkServiceToLocation(tx, serviceId, row.id);
        }
        await historyRows(
          tx,
          'location',
          row.id,
          'create',
          {},
          { ...values, ...(input.address ? { address: input.address } : {}) },
          editor,
        );
        await recordAudit(tx, editor.actor, {
          action: 'directory.location_created',
          targetType: 'location',
          targetId: row.id,
        });
        await refreshSearch(tx, input.serviceIds ?? []);
        return row;
      });
    },

    async updateLocation(id: string, input: LocationInput, editor: Editor, tx0?: Db) {
      const run = async (tx: Db) => {
        const before = await repo.findLocation(tx, id);
        if (!before) throw notFound();
        const values = pick(input, SCALAR_LOCATION);
        const row = (await repo.updateLocation(tx, id, { ...values, updatedAt: now() })) ?? before;
        const beforeAll: Record<string, unknown> = { ...before };
        const after: Record<string, unknown> = { ...values };
        if (input.address !== undefined) {
          const old = await repo.addressOf(tx, id);
          beforeAll.address = old
            ? {
                address1: old.address1,
                address2: old.address2 ?? undefined,
                city: old.city,
                stateProvince: old.stateProvince,
                postalCode: old.postalCode,
                country: old.country,
              }
            : null;
          await repo.replaceAddress(tx, id, input.address);
          after.address = input.address;
        }
        for (const serviceId of input.serviceIds ?? []) {
          const s = await repo.findService(tx, serviceId);
          if (!s || s.organizationId !== before.organizationId)
            throw new AppError('VALIDATION_FAILED', 400, { fields: 'serviceIds' });
          await repo.linkServiceToLocation(tx, serviceId, id);
        }
        const fields = await historyRows(tx, 'location', id, 'update', beforeAll, after, editor);
        await recordAudit(tx, editor.actor, {
          action: 'directory.location_updated',
          targetType: 'location',
          targetId: id,
          details: { fields },
        });
        await refreshSearch(tx, await repo.serviceIdsAtLocation(tx, id));
        return row;
      };
      return tx0 ? run(tx0) : db.transaction(run);
    },

    /** Beds (or other units) available now; partners report it through proposals, staff directly. */
    async setCapacity(
      serviceId: string,
      input: { available: number; maximum?: number | null },
      editor: Editor,
      tx0?: Db,
    ) {
      const run = async (tx: Db) => {
        if (!(await repo.findService(tx, serviceId))) throw notFound();
        if (input.maximum != null && input.available > input.maximum) {
          throw new AppError('VALIDATION_FAILED', 400, { fields: 'available' });
        }
        const bed = await repo.bedUnit(tx);
        const [old] = await repo.capacityOf(tx, serviceId);
        await repo.setCapacity(tx, serviceId, bed.id, input.available, input.maximum ?? null, now());
        await historyRows(
          tx,
          'service',
          serviceId,
          'update',
          { capacity: old ? `${old.available}/${old.maximum ?? ''}` : '' },
          { capacity: `${input.available}/${input.maximum ?? ''}` },
          editor,
        );
        await recordAudit(tx, editor.actor, {
          action: 'directory.capacity_updated',
          targetType: 'service',
          targetId: serviceId,
        });
        await refreshSearch(tx, [serviceId]);
        return repo.capacityOf(tx, serviceId);
      };
      return tx0 ? run(tx0) : db.transaction(run);
    },

    /**
     * Replaces a service's regular weekly hours (partners propose them; applied when a manager approves), with the
     * HSDS metadata history ("hours", before → after), an audit row and the search rows (open now) rebuilt.
     */
    async setWeeklyHours(serviceId: string, input: WeeklyHours, editor: Editor, tx0?: Db) {
      const run = async (tx: Db) => {
        if (!(await repo.findService(tx, serviceId))) throw notFound();
        const next = normalizeWeeklyHours(input);
        const before = hoursFromSchedules(await repo.weeklySchedules(tx, serviceId), DEFAULT_HOURS_ZONE);
        await repo.replaceWeeklySchedules(tx, serviceId, schedulesFromHours(next));
        await repo.updateService(tx, serviceId, { lastModified: now(), updatedAt: now() });
        await historyRows(
          tx,
          'service',
          serviceId,
          'update',
          { hours: describeHours(before) },
          { hours: describeHours(next) },
          editor,
        );
        await recordAudit(tx, editor.actor, {
          action: 'directory.hours_updated',
          targetType: 'service',
          targetId: serviceId,
        });
        await refreshSearch(tx, [serviceId]);
        return next;
      };
      return tx0 ? run(tx0) : db.transaction(run);
    },

    /** Records that a listing was checked today; the next check falls due after the policy's months. */
    async verifyService(serviceId: string, editor: Editor & { email: string }, note?: string) {
      return db.transaction(async (tx) => {
        const before = await repo.findService(tx, serviceId);
        if (!before) throw notFound();
        const today = now();
        const due = new Date(today);
        due.setUTCMonth(due.getUTCMonth() + months);
        const values = {
          assuredDate: today.toISOString().slice(0, 10),
          assurerEmail: editor.email,
          assuredBy: editor.actor.id,
          verificationDue: due.toISOString().slice(0, 10),
        };
        const row = (await repo.updateService(tx, serviceId, values)) ?? before;
        await historyRows(
          tx,
          'service',
          serviceId,
          'update',
          before,
          { assuredDate: values.assuredDate, verificationDue: values.verificationDue },
          editor,
        );
        await recordAudit(tx, editor.actor, {
          action: 'directory.service_verified',
          targetType: 'service',
          targetId: serviceId,
          ...(note ? { reason: note } : {}),
        });
        return row;
      });
    },

    async overdue(limit: number, offset: number) {
      return repo.overdue(db, now().toISOString().slice(0, 10), limit, offset);
    },

    async history(type: ResourceType, id: string, limit = 200) {
      return repo.history(db, type, id, limit);
    },

    async getService(id: string) {
      const row = await repo.findService(db, id);
      if (!row) return undefined;
      const [populations, serviceTypes, languages, phones, capacity, schedules] = await Promise.all([
        repo.serviceTermCodes(db, id, [POPULATIONS_TAXONOMY]),
        repo.serviceTermCodes(db, id, SERVICE_TYPE_TAXONOMIES),
        repo.serviceLanguages(db, id),
        repo.servicePhones(db, id),
        repo.capacityOf(db, id),
        repo.weeklySchedules(db, id),
      ]);
      const hours = hoursFromSchedules(schedules, DEFAULT_HOURS_ZONE);
      return { row, populations, serviceTypes, languages, phones, capacity, hours };
    },
    getOrganization: (id: string) => repo.findOrganization(db, id),
    servicesOfOrganization: (id: string) => repo.servicesOfOrganization(db, id),
    locationsOf: (by: { organizationId?: string; serviceId?: string }) => repo.locationsOf(db, by),
    async getLocation(id: string) {
      const row = await repo.findLocation(db, id);
      if (!row) return undefined;
      return { row, address: await repo.addressOf(db, id) };
    },

    /** The organisation a partner user works for, or forbidden. */
    async partnerOrganization(userId: string): Promise<string> {
      const user = await identityRepository.findUser(db, userId);
      if (!user?.organizationId) throw forbidden();
      return user.organizationId;
    },

    async assertCanRead(editor: Editor, type: ResourceType, id: string) {
      if (editor.role !== 'partner') return;
      const mine = await api.partnerOrganization(editor.actor.id ?? '');
      if ((await organizationOf(db, type, id)) !== mine) throw notFound();
    },

    /** A partner's proposed change to its own listing (capacity, weekly hours); applied only when a manager approves. */
    async propose(
      editor: Editor,
      input: {
        resourceType: ProposalResource;
        resourceId: string;
        changes: Record<string, unknown>;
      },
    ) {
      const mine = await api.partnerOrganization(editor.actor.id ?? '');
      // Hours are stored in one canonical order, so the same hours sent twice are recognised as a duplicate.
      if (input.resourceType === 'schedule')
        input = { ...input, changes: { ...normalizeWeeklyHours(input.changes as unknown as WeeklyHours) } };
      return db.transaction(async (tx) => {
        const type: ResourceType =
          input.resourceType === 'capacity' || input.resourceType === 'schedule'
            ? 'service'
            : input.resourceType;
        const owner = await organizationOf(tx, type, input.resourceId).catch(() => undefined);
        if (owner !== mine) throw notFound();
        // The same change sent again while the first still waits is refused, not merged: it is nearly always a
        // double click or a partner who did not see that it is waiting, and a manager wants one card per change
        // to review (two identical cards invite approving both, or rejecting one and wondering about the other).
        // The partner learns it is already waiting (409 PROPOSAL_DUPLICATE). Different changes to the same
        // record are kept side by side: each is reviewed, and applied in the order approved.
        const target = {
          organizationId: mine,
          resourceType: input.resourceType,
          resourceId: input.resourceId,
          changes: input.changes,
        };
        await repo.lockProposalTarget(tx, input.resourceId);
        if (await repo.findPendingDuplicate(tx, target)) throw new AppError('PROPOSAL_DUPLICATE', 409);
        const row = await repo.insertProposal(tx, {
          organizationId: mine,
          resourceType: input.resourceType,
          resourceId: input.resourceId,
          changes: input.changes,
          proposedBy: editor.actor.id,
          proposedAt: now(),
        });
        await recordAudit(tx, editor.actor, {
          action: 'directory.change_proposed',
          targetType: input.resourceType,
          targetId: input.resourceId,
          details: { proposalId: row.id, fields: Object.keys(input.changes) },
        });
        return row;
      });
    },

    async listProposals(editor: Editor, status: 'pending' | 'approved' | 'rejected') {
      const orgId =
        editor.role === 'partner' ? await api.partnerOrganization(editor.actor.id ?? '') : undefined;
      return repo.listProposals(db, status, orgId);
    },

    /** Applies a pending proposal through the same update paths as a manager's own edit. */
    async decide(id: string, decision: 'approved' | 'rejected', editor: Editor, note?: string) {
      return db.transaction(async (tx) => {
        const proposal = await repo.decideProposal(tx, id, {
          status: decision,
          reviewedBy: editor.actor.id,
          reviewedAt: now(),
          reviewNote: note ?? null,
        });
        if (!proposal) throw new AppError('PROPOSAL_NOT_PENDING', 409);
        if (decision === 'approved') {
          const c = proposal.changes;
          if (proposal.resourceType === 'organization')
            await api.updateOrganization(proposal.resourceId, c as OrganizationInput, editor, tx);
          else if (proposal.resourceType === 'service')
            await api.updateService(proposal.resourceId, c as ServiceInput, editor, tx);
          else if (proposal.resourceType === 'location')
            await api.updateLocation(proposal.resourceId, c as LocationInput, editor, tx);
          else if (proposal.resourceType === 'schedule')
            await api.setWeeklyHours(proposal.resourceId, c as unknown as WeeklyHours, editor, tx);
          else
            await api.setCapacity(
              proposal.resourceId,
              c as { available: number; maximum?: number },
              editor,
              tx,
            );
        }
        await recordAudit(tx, editor.actor, {
          action: `directory.proposal_${decision}`,
          targetType: 'change_proposal',
          targetId: id,
          ...(note ? { reason: note } : {}),
        });
        return proposal;
      });
    },
  };
  return api;
}

export type DirectoryService = ReturnType<typeof createDirectoryService>;
