import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { ROLES } from '../../../shared/roles.js';
import type { Config } from '../../config.js';
import { listAudit, recordAudit } from '../../platform/audit.js';
import type { Db } from '../../platform/db.js';
import { SESSION_COOKIE } from '../../platform/http.js';
import { publicPolicy, signInPolicy, staff } from '../../platform/policy.js';
import { ErrorResponse } from '../../platform/schemas.js';
import {
  LocaleSchema,
  presentToken,
  presentUser,
  RoleSchema,
  ScopeSchema,
  TokenView,
  UserView,
} from './identity.presenter.js';
import type { IdentityService, SessionIssued } from './identity.service.js';

const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
const Code = Type.String({ minLength: 1, maxLength: 12 });
const Reason = Type.Optional(Type.String({ maxLength: 500 }));
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const StepResponse = Type.Object({
  step: Type.Union([Type.Literal('mfa'), Type.Literal('mfa_enrol'), Type.Literal('done')]),
  csrfToken: Type.String(),
  user: Type.Optional(UserView),
});
const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
};
const admin = staff(['admin']);

export interface IdentityRoutesDeps {
  identity: IdentityService;
  db: Db;
  config: Pick<Config, 'env' | 'sessionMaxHours' | 'signInRateLimit' | 'demo'>;
}

/** Sign-in, MFA, invitations, own profile, and user/token administration. */
export async function identityRoutes(app: FastifyInstance, deps: IdentityRoutesDeps) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { identity, config } = deps;
  const signInLimit = { max: config.signInRateLimit, timeWindow: '1 minute' };

  function setSessionCookie(reply: FastifyReply, issued: SessionIssued) {
    reply.setCookie(SESSION_COOKIE, issued.cookie, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: config.env === 'production',
    });
    return {
      step: issued.step,
      csrfToken: issued.csrfToken,
      ...(issued.step === 'done' ? { user: presentUser(issued.user) } : {}),
    };
  }

  r.get(
    '/api/session',
    {
      config: { policy: staff('all') },
      schema: {
        tags: ['identity'],
        summary: 'The signed-in user and the CSRF token for writes',
        response: {
          200: Type.Object({ user: UserView, csrfToken: Type.String(), demo: Type.Boolean() }),
          401: ErrorResponse,
          403: ErrorResponse,
        },
      },
    },
    async (request) => {
      const auth = request.auth!;
      const user = await identity.currentUser(auth);
      if (!user) throw new Error('session user vanished');
      return {
        user: presentUser(user),
        csrfToken: auth.kind === 'session' ? auth.csrfToken : '',
        demo: config.demo,
      };
    },
  );

  r.post(
    '/api/auth/sign-in',
    {
      config: { policy: publicPolicy, rateLimit: signInLimit },
      schema: {
        tags: ['identity'],
        summary: 'Step 1 of sign-in: e-mail and password',
        body: Type.Object({ email: Email, password: Type.String({ minLength: 1, maxLength: 1024 }) }),
        response: { 200: StepResponse, ...errors, 423: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (request, reply) => {
      const issued = await identity.signIn(request.body.email, request.body.password, request.actor);
      return setSessionCookie(reply, issued);
    },
  );

  r.post(
    '/api/auth/mfa/verify',
    {
      config: { policy: signInPolicy, rateLimit: signInLimit },
      schema: {
        tags: ['identity'],
        summary: 'Step 2 of sign-in: the TOTP code',
        body: Type.Object({ code: Code }),
        response: { 200: StepResponse, ...errors, 423: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (request, reply) => {
      const issued = await identity.verifyMfa(
        request.auth!,
        request.body.code.replace(/\s/g, ''),
        request.actor,
      );
      return setSessionCookie(reply, issued);
    },
  );

  r.post(
    '/api/auth/mfa/enrol',
    {
      config: { policy: signInPolicy },
      schema: {
        tags: ['identity'],
        summary: 'Start TOTP enrolment: a new key and its QR code',
        body: Type.Optional(Type.Object({})),
        response: {
          200: Type.Object({ secret: Type.String(), otpauthUri: Type.String(), qrSvg: Type.String() }),
          ...errors,
        },
      },
    },
    async (request) => identity.startEnrolment(request.auth!),
  );

  r.post(
    '/api/auth/mfa/enrol/confirm',
    {
      config: { policy: signInPolicy, rateLimit: signInLimit },
      schema: {
        tags: ['identity'],
        summary: 'Finish TOTP enrolment with a first code',
        body: Type.Object({ code: Code }),
        response: { 200: StepResponse, ...errors, 423: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (request, reply) => {
      const issued = await identity.confirmEnrolment(
        request.auth!,
        request.body.code.replace(/\s/g, ''),
        request.actor,
      );
      return setSessionCookie(reply, issued);
    },
  );

  r.post(
    '/api/auth/sign-out',
    {
      config: { policy: signInPolicy },
      schema: { tags: ['identity'], summary: 'End this session', response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      await identity.signOut(request.auth!, request.actor);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/auth/accept-invite',
    {
      config: { policy: publicPolicy, rateLimit: signInLimit },
      schema: {
        tags: ['identity'],
        summary: 'Set a password from an invitation link',
        body: Type.Object({
          token: Type.String({ minLength: 10, maxLength: 200 }),
          password: Type.String({ minLength: 1, maxLength: 1024 }),
          displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
        }),
        response: { 200: StepResponse, ...errors, 429: ErrorResponse },
      },
    },
    async (request, reply) => {
      const { token, password, displayName } = request.body;
      const issued = await identity.acceptInvite(token, password, displayName, request.actor);
      return setSessionCookie(reply, issued);
    },
  );

  r.patch(
    '/api/me',
    {
      config: { policy: staff('all') },
      schema: {
        tags: ['identity'],
        summary: 'Change my language or display name',
        body: Type.Object({
          locale: Type.Optional(LocaleSchema),
          displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
        }),
        response: { 200: Type.Object({ user: UserView }), ...errors },
      },
    },
    async (request) => {
      const user = await identity.updateMe(request.auth!, request.body, request.actor);
      return { user: presentUser(user) };
    },
  );

  // ── administration ───────────────────────────────────────────────────────────
  r.get(
    '/api/admin/users',
    {
      config: { policy: staff(['admin'], 'users:read') },
      schema: {
        tags: ['administration'],
        summary: 'All staff accounts (audited read)',
        response: { 200: Type.Object({ users: Type.Array(UserView) }), ...errors },
      },
    },
    async (request) => ({ users: (await identity.listUsers(request.actor)).map(presentUser) }),
  );

  r.post(
    '/api/admin/users',
    {
      config: { policy: staff(['admin'], 'users:write') },
      schema: {
        tags: ['administration'],
        summary: 'Invite a staff member',
        body: Type.Object({
          email: Email,
          displayName: Type.String({ minLength: 1, maxLength: 120 }),
          role: RoleSchema,
          locale: Type.Optional(LocaleSchema),
        }),
        response: { 201: Type.Object({ user: UserView, inviteUrl: Type.String() }), ...errors },
      },
    },
    async (request, reply) => {
      const { user, inviteToken } = await identity.inviteUser(request.body, request.actor);
      return reply.code(201).send({ user: presentUser(user), inviteUrl: identity.inviteUrl(inviteToken) });
    },
  );

  r.patch(
    '/api/admin/users/:id',
    {
      config: { policy: staff(['admin'], 'users:write') },
      schema: {
        tags: ['administration'],
        summary: 'Change a role, disable or enable an account',
        params: IdParams,
        body: Type.Object({
          role: Type.Optional(RoleSchema),
          disabled: Type.Optional(Type.Boolean()),
          reason: Reason,
        }),
        response: { 200: Type.Object({ user: UserView }), ...errors },
      },
    },
    async (request) => {
      const { reason, ...changes } = request.body;
      return {
        user: presentUser(await identity.updateUser(request.params.id, changes, reason, request.actor)),
      };
    },
  );

  r.post(
    '/api/admin/users/:id/reset-mfa',
    {
      config: { policy: staff(['admin'], 'users:write') },
      schema: {
        tags: ['administration'],
        summary: "Remove a user's authenticator; they enrol again at next sign-in",
        params: IdParams,
        body: Type.Optional(Type.Object({ reason: Reason })),
        response: { 200: Type.Object({ user: UserView }), ...errors },
      },
    },
    async (request) => ({
      user: presentUser(await identity.resetMfa(request.params.id, request.body?.reason, request.actor)),
    }),
  );

  r.post(
    '/api/admin/users/:id/invite',
    {
      config: { policy: staff(['admin'], 'users:write') },
      schema: {
        tags: ['administration'],
        summary: 'A new invitation / password-reset link (older links stop working)',
        params: IdParams,
        body: Type.Optional(Type.Object({})),
        response: { 200: Type.Object({ inviteUrl: Type.String() }), ...errors },
      },
    },
    async (request) => ({
      inviteUrl: identity.inviteUrl(await identity.newInvite(request.params.id, request.actor)),
    }),
  );

  r.get(
    '/api/admin/audit',
    {
      config: { policy: staff(['admin'], 'audit:read') },
      schema: {
        tags: ['administration'],
        summary: 'The audit log, newest first',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          before: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
        response: {
          200: Type.Object({
            events: Type.Array(
              Type.Object({
                id: Type.String(),
                at: Type.String({ format: 'date-time' }),
                actorId: Type.Union([Type.String(), Type.Null()]),
                actorEmail: Type.Union([Type.String(), Type.Null()]),
                action: Type.String(),
                targetType: Type.Union([Type.String(), Type.Null()]),
                targetId: Type.Union([Type.String(), Type.Null()]),
                reason: Type.Union([Type.String(), Type.Null()]),
                requestId: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const events = await deps.db.transaction(async (tx) => {
        const rows = await listAudit(tx, request.query.limit ?? 50, request.query.before);
        await recordAudit(tx, request.actor, { action: 'audit.read', details: { count: rows.length } });
        return rows;
      });
      return {
        events: events.map((e) => ({ ...e, at: e.at.toISOString(), actorEmail: e.actorLabel })),
      };
    },
  );

  r.get(
    '/api/admin/tokens',
    {
      config: { policy: admin },
      schema: {
        tags: ['administration'],
        summary: 'API tokens (never their secrets)',
        response: { 200: Type.Object({ tokens: Type.Array(TokenView) }), ...errors },
      },
    },
    async (request) => ({
      tokens: (await identity.listTokens(request.actor)).map((t) => presentToken(t.token, t.userEmail)),
    }),
  );

  r.post(
    '/api/admin/tokens',
    {
      config: { policy: admin },
      schema: {
        tags: ['administration'],
        summary: 'Create a scoped, expiring API token; the secret is shown once',
        body: Type.Object({
          userId: Type.String({ format: 'uuid' }),
          name: Type.String({ minLength: 1, maxLength: 100 }),
          scopes: Type.Array(ScopeSchema, { minItems: 1, maxItems: 20 }),
          expiresInDays: Type.Integer({ minimum: 1, maximum: 365 }),
        }),
        response: { 201: Type.Object({ token: TokenView, secret: Type.String() }), ...errors },
      },
    },
    async (request, reply) => {
      const { token, userEmail, secret } = await identity.createToken(request.body, request.actor);
      return reply.code(201).send({ token: presentToken(token, userEmail), secret });
    },
  );

  r.delete(
    '/api/admin/tokens/:id',
    {
      config: { policy: admin },
      schema: {
        tags: ['administration'],
        summary: 'Revoke an API token',
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await identity.revokeToken(request.params.id, request.actor);
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/meta',
    {
      config: { policy: publicPolicy },
      schema: {
        tags: ['system'],
        summary: 'Public facts the console needs before sign-in',
        response: {
          200: Type.Object({
            demo: Type.Boolean(),
            roles: Type.Array(Type.String()),
            locales: Type.Array(Type.String()),
            version: Type.String(),
          }),
        },
      },
    },
    async () => ({ demo: config.demo, roles: [...ROLES], locales: ['en-CA', 'fr-CA'], version: '0.1.0' }),
  );
}
