import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { staff } from '../../platform/policy.js';
import { ErrorResponse } from '../../platform/schemas.js';
import { CASE_ROLES } from './access.js';
import { type SupervisionService, TEAM_MANAGERS } from './supervision.service.js';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const UserRef = Type.Object({ id: Type.String(), display_name: Type.String() });
const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

/** A team; `members` only for those who manage teams (admins, supervisors). */
const TeamView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  member: Type.Boolean(),
  members: Type.Optional(Type.Array(UserRef)),
});

/** Case workers see the teams (to restrict a case to theirs); admins too, to manage them. */
const TEAM_READERS = staff([...CASE_ROLES, 'admin']);
const TEAM_EDITORS = staff([...TEAM_MANAGERS]);

/** Teams a case can be restricted to (docs/api/cases.md "Supervision"): registered from supervisionRoutes. */
export async function teamRoutes(app: FastifyInstance, svc: SupervisionService): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/teams',
    {
      config: { policy: TEAM_READERS },
      schema: {
        tags: ['supervision'],
        summary: 'Teams, with whether I am a member (managers also see the members)',
        response: { 200: Type.Object({ items: Type.Array(TeamView) }), ...errors },
      },
    },
    async (request) => svc.teams(request.auth!.user),
  );

  r.post(
    '/api/teams',
    {
      config: { policy: TEAM_EDITORS },
      schema: {
        tags: ['supervision'],
        summary: 'Create a team (admins, supervisors)',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 201: TeamView, ...errors, 409: ErrorResponse },
      },
    },
    async (request, reply) => {
      const view = await svc.createTeam(request.actor, request.auth!.user, request.body.name);
      return reply.code(201).send(view);
    },
  );

  r.put(
    '/api/teams/:id/members',
    {
      config: { policy: TEAM_EDITORS },
      schema: {
        tags: ['supervision'],
        summary: "Replace a team's members (advocates and supervisors; admins, supervisors)",
        params: IdParams,
        body: Type.Object({
          user_ids: Type.Array(Type.String({ format: 'uuid' }), { maxItems: 500, uniqueItems: true }),
        }),
        response: { 200: TeamView, ...errors },
      },
    },
    async (request) =>
      svc.setMembers(request.actor, request.auth!.user, request.params.id, request.body.user_ids),
  );
}
