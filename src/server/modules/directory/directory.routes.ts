import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';
import { AppError } from '../../platform/errors.js';
import { staff } from '../../platform/policy.js';
import { ErrorResponse } from '../../platform/schemas.js';
import type { LocationRow, MetadataRow, OrganizationRow, ServiceRow } from './directory.repository.js';
import type { DirectoryService, Editor, ProposalResource, ResourceType } from './directory.service.js';
import { MAX_PERIODS_PER_DAY, WEEK_DAYS, type WeekDay } from './hours.js';

const Text = (max = 2000) => Type.String({ maxLength: max });
const Opt = <T extends TSchema>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));
const Id = Type.String({ format: 'uuid' });
const Translations = Type.Record(
  Type.String({ pattern: '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$' }),
  Type.Record(Type.String({ maxLength: 60 }), Type.String({ maxLength: 5000 })),
);
const Province = Type.String({ pattern: '^(AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT)$' });
const Codes = Type.Array(Type.String({ minLength: 1, maxLength: 80, pattern: '^[A-Za-z0-9_.:-]+$' }), {
  maxItems: 50,
});

export const OrganizationBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  alternateName: Opt(Text(300)),
  description: Opt(Text(5000)),
  email: Opt(Type.String({ format: 'email', maxLength: 254 })),
  website: Opt(Type.String({ format: 'uri', maxLength: 500 })),
  organizationType: Type.Optional(
    Type.Unsafe<string>({
      type: 'string',
      enum: ['service_provider', 'law_enforcement', 'child_protection', 'government', 'other'],
    }),
  ),
  jurisdiction: Type.Optional(Type.Array(Province, { maxItems: 13 })),
  confidential: Type.Optional(Type.Boolean()),
  translations: Type.Optional(Translations),
});

export const ServiceBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  alternateName: Opt(Text(300)),
  description: Opt(Text(5000)),
  url: Opt(Type.String({ format: 'uri', maxLength: 500 })),
  email: Opt(Type.String({ format: 'email', maxLength: 254 })),
  status: Type.Optional(
    Type.Unsafe<string>({ type: 'string', enum: ['active', 'inactive', 'defunct', 'temporarily closed'] }),
  ),
  interpretationServices: Opt(Text()),
  applicationProcess: Opt(Text(5000)),
  feesDescription: Opt(Text()),
  eligibilityDescription: Opt(Text(5000)),
  minimumAge: Opt(Type.Number({ minimum: 0, maximum: 130 })),
  maximumAge: Opt(Type.Number({ minimum: 0, maximum: 130 })),
  intakeNotes: Opt(Text(5000)),
  confidential: Type.Optional(Type.Boolean()),
  translations: Type.Optional(Translations),
  populations: Type.Optional(Codes),
  serviceTypes: Type.Optional(Codes),
  languages: Type.Optional(Type.Array(Type.String({ pattern: '^[a-zA-Z]{2,3}$' }), { maxItems: 50 })),
  phones: Type.Optional(
    Type.Array(
      Type.Object({
        number: Type.String({ minLength: 3, maxLength: 40, pattern: '^[0-9+()#*. -]+$' }),
        type: Type.Optional(
          Type.Unsafe<string>({
            type: 'string',
            enum: ['voice', 'text', 'fax', 'cell', 'video', 'pager', 'textphone'],
          }),
        ),
        description: Type.Optional(Text(300)),
      }),
      { maxItems: 20 },
    ),
  ),
});

const Address = Type.Object({
  address1: Type.String({ minLength: 1, maxLength: 300 }),
  address2: Type.Optional(Text(300)),
  city: Type.String({ minLength: 1, maxLength: 120 }),
  stateProvince: Province,
  postalCode: Type.String({ pattern: '^[A-Za-z][0-9][A-Za-z] ?[0-9][A-Za-z][0-9]$' }),
  country: Type.String({ pattern: '^[A-Z]{2}$' }),
});

export const LocationBody = Type.Object({
  name: Opt(Text(300)),
  description: Opt(Text(5000)),
  latitude: Opt(Type.Number({ minimum: -90, maximum: 90 })),
  longitude: Opt(Type.Number({ minimum: -180, maximum: 180 })),
  confidential: Type.Optional(Type.Boolean()),
  translations: Type.Optional(Translations),
  address: Opt(Address),
  serviceIds: Type.Optional(Type.Array(Id, { maxItems: 100 })),
});

const CapacityBody = Type.Object({
  available: Type.Integer({ minimum: 0, maximum: 100000 }),
  maximum: Opt(Type.Integer({ minimum: 0, maximum: 100000 })),
});

const Clock = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });
/** Weekly opening hours; the zone must be named (checked against the runtime's zone data in the service). */
export const WeeklyHoursBody = Type.Object({
  timezone: Type.String({ minLength: 3, maxLength: 64, pattern: '^[A-Z][A-Za-z]+(/[A-Za-z0-9_+-]+){1,2}$' }),
  hours: Type.Array(
    Type.Object({
      day: Type.Unsafe<WeekDay>({ type: 'string', enum: [...WEEK_DAYS] }),
      opens: Clock,
      closes: Clock,
    }),
    { maxItems: WEEK_DAYS.length * MAX_PERIODS_PER_DAY },
  ),
});

const PROPOSAL_SCHEMAS: Record<ProposalResource, TSchema> = {
  organization: OrganizationBody,
  service: ServiceBody,
  location: LocationBody,
  capacity: CapacityBody,
  schedule: WeeklyHoursBody,
};

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
};
const IdParams = Type.Object({ id: Id });
const Row = Type.Object({}, { additionalProperties: true });

const MANAGERS = ['directory_manager', 'admin'] as const;
const READERS = ['advocate', 'supervisor', 'directory_manager', 'admin', 'partner'] as const;

function editorOf(request: FastifyRequest): Editor {
  return { actor: request.actor, role: request.auth!.user.role };
}

const dates = <T extends { createdAt?: Date; updatedAt?: Date; lastModified?: Date }>(r: T) => ({
  ...r,
  ...(r.createdAt ? { createdAt: r.createdAt.toISOString() } : {}),
  ...(r.updatedAt ? { updatedAt: r.updatedAt.toISOString() } : {}),
  ...(r.lastModified ? { lastModified: r.lastModified.toISOString() } : {}),
});
const presentOrganization = (o: OrganizationRow) => dates(o);
const presentService = (s: ServiceRow) => dates(s);
const presentLocation = (l: LocationRow) => dates(l);
const presentHistory = (m: MetadataRow) => ({ ...m, lastActionDate: m.lastActionDate.toISOString() });

/** Directory editing for managers, partner proposals, verification queue and history. */
export async function directoryRoutes(app: FastifyInstance, deps: { directory: DirectoryService }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { directory } = deps;
  const manage = staff(MANAGERS, 'directory:write');
  const read = staff(READERS, 'directory:read');

  r.post(
    '/api/directory/organizations',
    {
      config: { policy: manage },
      schema: {
        tags: ['directory'],
        summary: 'Create an organization',
        // One object schema (not allOf): the validator strips unknown fields per subschema.
        body: Type.Object({
          ...OrganizationBody.properties,
          name: Type.String({ minLength: 1, maxLength: 300 }),
        }),
        response: { 201: Type.Object({ organization: Row }), ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body as Static<typeof OrganizationBody> & { name: string };
      const org = await directory.createOrganization(body, editorOf(request));
      return reply.code(201).send({ organization: presentOrganization(org) });
    },
  );

  r.patch(
    '/api/directory/organizations/:id',
    {
      config: { policy: manage },
      schema: {
        tags: ['directory'],
        summary: 'Edit an organization',
        params: IdParams,
        body: OrganizationBody,
        response: { 200: Type.Object({ organization: Row }), ...errors },
      },
    },
    async (request) => ({
      organization: presentOrganization(
        await directory.updateOrganization(request.params.id, request.body, editorOf(request)),
      ),
    }),
  );

  r.get(
    '/api/directory/organizations/:id',
    {
      config: { policy: read },
      schema: {
        tags: ['directory'],
        summary: 'An organization, as staff see it',
        params: IdParams,
        response: { 200: Type.Object({ organization: Row }), ...errors },
      },
    },
    async (request) => {
      await directory.assertCanRead(editorOf(request), 'organization', request.params.id);
      const org = await directory.getOrganization(request.params.id);
      if (!org) throw new AppError('NOT_FOUND', 404);
      return { organization: presentOrganization(org) };
    },
  );

  r.get(
    '/api/directory/organizations/:id/services',
    {
      config: { policy: read },
      schema: {
        tags: ['directory'],
        summary: "An organization's services",
        params: IdParams,
        response: { 200: Type.Object({ services: Type.Array(Row) }), ...errors },
      },
    },
    async (request) => {
      await directory.assertCanRead(editorOf(request), 'organization', request.params.id);
      if (!(await directory.getOrganization(request.params.id))) throw new AppError('NOT_FOUND', 404);
      return { services: await directory.servicesOfOrganization(request.params.id) };
    },
  );

  r.get(
    '/api/directory/organizations/:id/locations',
    {
      config: { policy: read },
      schema: {
        tags: ['directory'],
        summary: "An organization's locations (staff only: includes confidential ones, marked)",
        params: IdParams,
        response: { 200: Type.Object({ locations: Type.Array(Row) }), ...errors },
      },
    },
    async (request) => {
      await directory.assertCanRead(editorOf(request), 'organization', request.params.id);
      if (!(await directory.getOrganization(request.params.id))) throw new AppError('NOT_FOUND', 404);
      return { locations: await directory.locationsOf({ organizationId: request.params.id }) };
    },
  );

  r.get(
    '/api/directory/services/:id/locations',
    {
      config: { policy: read },
      schema: {
        tags: ['directory'],
        summary: 'Where a service is offered',
        params: IdParams,
        response: { 200: Type.Object({ locations: Type.Array(Row) }), ...errors },
      },
    },
    async (request) => {
      await directory.assertCanRead(editorOf(request), 'service', request.params.id);
      return { locations: await directory.locationsOf({ serviceId: request.params.id }) };
    },
  );

  r.post(
    '/api/directory/services',
    {
      config: { policy: manage },
      schema: {
        tags: ['directory'],
        summary: 'Create a service',
        body: Type.Object({
          ...ServiceBody.properties,
          organizationId: Id,
          name: Type.String({ minLength: 1, maxLength: 300 }),
        }),
        response: { 201: Type.Object({ service: Row }), ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body as Static<typeof ServiceBody> & { organizationId: string; name: string };
      const svc = await directory.createService(body, editorOf(request));
      return reply.code(201).send({ service: presentService(svc) });
    },
  );

  r.patch(
    '/api/directory/services/:id',
    {
      config: { policy: manage },
      schema: {
        tags: ['directory'],
        summary: 'Edit a service',
        params: IdParams,
        body: ServiceBody,
        response: { 200: Type.Object({ service: Row }), ...errors },
      },
    },
    async (request) => ({
      service: presentService(
        await directory.updateService(request.params.id, request.body, editorOf(request)),
      ),
    }),
  );

  r.get(
    '/api/directory/services/:id',
    {
      config: { policy: read },
      schema: {
        tags: ['directory'],
        summary: 'A service with its populations, types, languages, phones, capacity and weekly hours',
        params: IdParams,
        response: { 200: Row, ...errors },
      },
    },
    async (request) => {
      await directory.assertCanRead(editorOf(request), 'service', request.params.id);
      const found = await directory.getService(request.params.id);
      if (!found) throw new AppError('NOT_FOUND', 404);
      return {
        service: presentService(found.row),
        populations: found.populations,
        serviceTypes: found.serviceTypes,
        languages: found.languages,
        phones: found.phones.map((p) => ({ number: p.number, type: p.type, description: p.description })),
        capacity: found.capacity.map((c) => ({
          available: c.available,
          maximum: c.maximum,
          updated: c.updated.toISOString(),
        })),
        // The service's regular weekly hours (null when it has none), as a partner proposes them.
        hours: found.hours,
      };
    },
  );

  r.put(
    '/api/directory/services/:id/capacity',
    {
      config: { policy: manage },
      schema: {
        tags: ['directory'],
        summary: 'Set the beds available now',
        params: IdParams,
        body: CapacityBody,
        response: { 200: Type.Object({ capacity: Type.Array(Row) }), ...errors },
      },
    },
    async (request) => {
      const rows = await directory.setCapacity(request.params.id, request.body, editorOf(request));
      return {
        capacity: rows.map((c) => ({
          available: c.available,
          maximum: c.maximum,
          updated: c.updated.toISOString(),
        })),
      };
    },
  );

  r.post(
    '/api/directory/services/:id/verify',
    {
      config: { policy: manage },
      schema: {
        tags: ['directory'],
        summary: 'Record that this listing was checked today',
        params: IdParams,
        body: Type.Optional(Type.Object({ note: Type.Optional(Text(500)) })),
        response: { 200: Type.Object({ service: Row }), ...errors },
      },
    },
    async (request) => {
      const svc = await directory.verifyService(
        request.params.id,
        { ...editorOf(request), email: request.auth!.user.email },
        request.body?.note,
      );
      return { service: presentService(svc) };
    },
  );

  r.post(
    '/api/directory/locations',
    {
      config: { policy: manage },
      schema: {
        tags: ['directory'],
        summary: 'Create a location (and link services to it)',
        body: Type.Object({ ...LocationBody.properties, organizationId: Id }),
        response: { 201: Type.Object({ location: Row }), ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body as Static<typeof LocationBody> & { organizationId: string };
      return reply
        .code(201)
        .send({ location: presentLocation(await directory.createLocation(body, editorOf(request))) });
    },
  );

  r.patch(
    '/api/directory/locations/:id',
    {
      config: { policy: manage },
      schema: {
        tags: ['directory'],
        summary: 'Edit a location',
        params: IdParams,
        body: LocationBody,
        response: { 200: Type.Object({ location: Row }), ...errors },
      },
    },
    async (request) => ({
      location: presentLocation(
        await directory.updateLocation(request.params.id, request.body, editorOf(request)),
      ),
    }),
  );

  r.get(
    '/api/directory/locations/:id',
    {
      config: { policy: read },
      schema: {
        tags: ['directory'],
        summary: 'A location with its address (staff only)',
        params: IdParams,
        response: { 200: Row, ...errors },
      },
    },
    async (request) => {
      await directory.assertCanRead(editorOf(request), 'location', request.params.id);
      const found = await directory.getLocation(request.params.id);
      if (!found) throw new AppError('NOT_FOUND', 404);
      return { location: presentLocation(found.row), address: found.address ?? null };
    },
  );

  r.get(
    '/api/directory/history/:type/:id',
    {
      config: { policy: staff(['directory_manager', 'admin', 'supervisor'], 'directory:read') },
      schema: {
        tags: ['directory'],
        summary: "A record's change history (HSDS metadata)",
        params: Type.Object({
          type: Type.Unsafe<ResourceType>({ type: 'string', enum: ['organization', 'service', 'location'] }),
          id: Id,
        }),
        response: { 200: Type.Object({ history: Type.Array(Row) }), ...errors },
      },
    },
    async (request) => ({
      history: (await directory.history(request.params.type, request.params.id)).map(presentHistory),
    }),
  );

  r.get(
    '/api/directory/verification/overdue',
    {
      config: { policy: staff(MANAGERS, 'directory:read') },
      schema: {
        tags: ['directory'],
        summary: 'Listings whose verification is due or overdue, oldest first',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
        }),
        response: { 200: Type.Object({ services: Type.Array(Row) }), ...errors },
      },
    },
    async (request) => ({
      services: await directory.overdue(request.query.limit ?? 50, request.query.offset ?? 0),
    }),
  );

  r.post(
    '/api/directory/proposals',
    {
      config: { policy: staff(['partner']) },
      schema: {
        tags: ['directory'],
        summary:
          "A partner proposes a change to its own organisation's listing, a service's capacity or its weekly hours",
        description:
          '`changes` follows the body of the matching edit: organization, service, location, capacity ' +
          '(`available`, `maximum`) or schedule (`timezone`: a named zone such as America/Toronto; `hours`: ' +
          '`[{ day: MO…SU, opens: "HH:MM", closes: "HH:MM" }]`, the whole week; a period closing before it ' +
          'opens runs past midnight). The same change still waiting for review is refused: 409 PROPOSAL_DUPLICATE.',
        body: Type.Object({
          resourceType: Type.Unsafe<ProposalResource>({
            type: 'string',
            enum: ['organization', 'service', 'location', 'capacity', 'schedule'],
          }),
          resourceId: Id,
          // Validated per resource type in the handler (the body validator would strip unknown keys here).
          changes: Type.Unknown(),
        }),
        response: { 201: Type.Object({ proposal: Row }), ...errors },
      },
    },
    async (request, reply) => {
      const { resourceType, resourceId } = request.body;
      const schema = PROPOSAL_SCHEMAS[resourceType]!;
      // Partners may not change confidentiality or intake notes: those are the hotline's decisions.
      const raw = request.body.changes;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        throw new AppError('VALIDATION_FAILED', 400, { fields: 'changes' });
      const changes = Value.Clean(schema, Value.Clone(raw)) as Record<string, unknown>;
      delete changes.confidential;
      delete changes.intakeNotes;
      delete changes.serviceIds;
      if (!Value.Check(schema, changes) || Object.keys(changes).length === 0) {
        throw new AppError('VALIDATION_FAILED', 400, { fields: 'changes' });
      }
      const proposal = await directory.propose(editorOf(request), { resourceType, resourceId, changes });
      return reply
        .code(201)
        .send({ proposal: { ...proposal, proposedAt: proposal.proposedAt.toISOString(), reviewedAt: null } });
    },
  );

  r.get(
    '/api/directory/proposals',
    {
      config: { policy: staff(['directory_manager', 'admin', 'partner'], 'directory:read') },
      schema: {
        tags: ['directory'],
        summary: 'Proposed changes (partners see their own)',
        querystring: Type.Object({
          status: Type.Optional(
            Type.Unsafe<'pending' | 'approved' | 'rejected'>({
              type: 'string',
              enum: ['pending', 'approved', 'rejected'],
              default: 'pending',
            }),
          ),
        }),
        response: { 200: Type.Object({ proposals: Type.Array(Row) }), ...errors },
      },
    },
    async (request) => {
      const rows = await directory.listProposals(editorOf(request), request.query.status ?? 'pending');
      return {
        proposals: rows.map(({ proposal, organizationName }) => ({
          ...proposal,
          organizationName,
          proposedAt: proposal.proposedAt.toISOString(),
          reviewedAt: proposal.reviewedAt?.toISOString() ?? null,
        })),
      };
    },
  );

  for (const decision of ['approve', 'reject'] as const) {
    r.post(
      `/api/directory/proposals/:id/${decision}`,
      {
        config: { policy: manage },
        schema: {
          tags: ['directory'],
          summary:
            decision === 'approve' ? 'Approve and apply a proposed change' : 'Reject a proposed change',
          params: IdParams,
          body: Type.Optional(Type.Object({ note: Type.Optional(Text(1000)) })),
          response: { 200: Type.Object({ proposal: Row }), ...errors },
        },
      },
      async (request) => {
        const p = await directory.decide(
          request.params.id,
          decision === 'approve' ? 'approved' : 'rejected',
          editorOf(request),
          request.body?.note,
        );
        return {
          proposal: {
            ...p,
            proposedAt: p.proposedAt.toISOString(),
            reviewedAt: p.reviewedAt?.toISOString() ?? null,
          },
        };
      },
    );
  }
}
