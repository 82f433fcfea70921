import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Locale } from '../../shared/roles.js';
import type { Actor } from './audit.js';
import { AppError } from './errors.js';
import { localeFromHeader, t } from './i18n.js';
import { type Auth, decide, type RoutePolicy } from './policy.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling: a session, an API token, or nobody. Set before any handler runs. */
    auth: Auth | null;
    /** The caller's language for messages: Accept-Language when sent, else the user's choice, else en-CA. */
    locale: Locale;
    /** For audit rows. */
    actor: Actor;
    /** A session cookie was sent but had expired. */
    sessionExpired: boolean;
  }
  interface FastifyContextConfig {
    policy?: RoutePolicy;
  }
}

export const SESSION_COOKIE = 'harbour_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Authenticator {
  session(cookie: string): Promise<Auth | 'expired' | undefined>;
  token(secret: string): Promise<Auth | undefined>;
}

export interface RegisteredRoute {
  method: string;
  url: string;
  policy: RoutePolicy | undefined;
}

/** Error body, the one shape of every API error. */
/** `If-Match: 3`, `"3"` or `W/"3"` → 3 (optimistic concurrency); undefined when missing or malformed. */
export function parseVersion(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const m = value ? /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(value) : null;
  return m ? Number(m[1]) : undefined;
}

/** The `If-Match` version of an update, or 428 IF_MATCH_REQUIRED. */
export function requireVersion(header: string | string[] | undefined): number {
  const version = parseVersion(header);
  if (version === undefined) throw new AppError('IF_MATCH_REQUIRED', 428);
  return version;
}

export function errorBody(locale: Locale, code: string, values?: Record<string, string | number>) {
  return { error: { code, message: t(locale, code, values) } };
}

function actorFor(request: FastifyRequest): Actor {
  const auth = request.auth;
  if (!auth) return { id: null, label: 'anonymous', requestId: request.id };
  if (auth.kind === 'token')
    return { id: auth.user.id, label: `token:${auth.tokenName}`, requestId: request.id };
  return { id: auth.user.id, label: auth.user.email, requestId: request.id };
}

/**
 * Deny by default: every route must declare a policy (checked at registration), every request is
 * authenticated and authorised before its body is even parsed, and cookie-authenticated writes
 * must carry the session's CSRF token.
 */
export function registerAccessControl(
  app: FastifyInstance,
  authn: Authenticator,
  routes: RegisteredRoute[],
  publicPrefixes: string[],
  publicRateLimit: number,
) {
  app.decorateRequest('auth', null);
  app.decorateRequest('locale', 'en-CA');
  app.decorateRequest('actor', null as unknown as Actor);
  app.decorateRequest('sessionExpired', false);

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // Routes added by plugins we trust with public files (console assets, API docs) are public by declaration here.
    if (!route.config?.policy && publicPrefixes.some((p) => route.url.startsWith(p))) {
      route.config = { ...(route.config ?? {}), policy: { kind: 'public' } };
    }
    // Public API routes are rate-limited per IP unless they set a tighter limit themselves.
    const config = route.config as { policy?: RoutePolicy; rateLimit?: unknown } | undefined;
    if (
      config?.policy?.kind === 'public' &&
      route.url.startsWith('/api/') &&
      config.rateLimit === undefined
    ) {
      route.config = {
        ...config,
        rateLimit: { max: publicRateLimit, timeWindow: '1 minute' },
      } as typeof route.config;
    }
    for (const method of methods) {
      if (method === 'HEAD' && route.url && routes.some((r) => r.url === route.url && r.method === 'GET'))
        continue;
      routes.push({ method, url: route.url, policy: route.config?.policy });
    }
    if (!route.config?.policy) {
      throw new Error(`Route ${methods.join(',')} ${route.url} declares no policy (config.policy): refused`);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    request.locale = localeFromHeader(request.headers['accept-language']);
    const policy = request.routeOptions.config?.policy;

    const bearer = request.headers.authorization;
    if (bearer?.startsWith('Bearer ')) {
      const auth = await authn.token(bearer.slice(7).trim());
      if (!auth) {
        request.actor = actorFor(request);
        return reply.code(401).send(errorBody(request.locale, 'TOKEN_INVALID'));
      }
      request.auth = auth;
    } else {
      const cookie = request.cookies[SESSION_COOKIE];
      if (cookie) {
        const result = await authn.session(cookie);
        if (result === 'expired') request.sessionExpired = true;
        else if (result) request.auth = result;
      }
    }
    // An explicit Accept-Language (the console sends its current UI language) wins; else the user's choice.
    if (request.auth && !request.headers['accept-language']) request.locale = request.auth.user.locale;
    request.actor = actorFor(request);

    if (!policy) return; // not-found handler: answers 404 itself
    const decision = decide(policy, request.auth);
    if (decision !== 'allow') {
      const code = decision === 'UNAUTHENTICATED' && request.sessionExpired ? 'SESSION_EXPIRED' : decision;
      return reply.code(decision === 'UNAUTHENTICATED' ? 401 : 403).send(errorBody(request.locale, code));
    }
    // CSRF matters where the session's authority is used; a public route (sign-in, a partner's survey form)
    // acts on no one's behalf, so a signed-in browser posting it must not be refused.
    if (request.auth?.kind === 'session' && policy.kind !== 'public' && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || sent !== request.auth.csrfToken) {
        return reply.code(403).send(errorBody(request.locale, 'CSRF_TOKEN_INVALID'));
      }
    }
  });
}

interface ValidationIssue {
  instancePath?: string;
  params?: { missingProperty?: string; additionalProperty?: string };
}

/** One global handler: known errors keep their code; anything else is a 500 whose details stay in the log. */
export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) => {
    const locale = request.locale ?? localeFromHeader(request.headers['accept-language']);
    if (error instanceof AppError) {
      return reply
        .code(error.statusCode)
        .send({ ...errorBody(locale, error.code, error.values), ...(error.extra ?? {}) });
    }
    const fe = error as FastifyError & { validation?: ValidationIssue[]; validationContext?: string };
    if (fe.validation) {
      const fields = [
        ...new Set(
          fe.validation.map((v) => {
            const base = (v.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
            const leaf = v.params?.missingProperty;
            return [fe.validationContext, base, leaf].filter(Boolean).join('.') || 'body';
          }),
        ),
      ].join(', ');
      return reply.code(400).send(errorBody(locale, 'VALIDATION_FAILED', { fields }));
    }
    switch (fe.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.code(413).send(errorBody(locale, 'PAYLOAD_TOO_LARGE'));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return reply.code(415).send(errorBody(locale, 'UNSUPPORTED_MEDIA_TYPE'));
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return reply.code(400).send(errorBody(locale, 'MALFORMED_JSON'));
    }
    if (fe.statusCode === 429) return reply.code(429).send(errorBody(locale, 'RATE_LIMITED'));
    if (fe instanceof SyntaxError || (fe.statusCode === 400 && /JSON/i.test(fe.message))) {
      return reply.code(400).send(errorBody(locale, 'MALFORMED_JSON'));
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      const code =
        fe.statusCode === 404
          ? 'NOT_FOUND'
          : fe.statusCode === 405
            ? 'METHOD_NOT_ALLOWED'
            : 'VALIDATION_FAILED';
      return reply.code(fe.statusCode).send(errorBody(locale, code, { fields: 'request' }));
    }
    // The message line may quote SQL or input values: log only the error's type, code and call sites.
    request.log.error(
      { err: { type: fe.name, code: fe.code, stack: fe.stack?.split('\n').slice(1).join('\n') } },
      'unhandled error',
    );
    return reply.code(500).send(errorBody(locale, 'INTERNAL_ERROR'));
  });

  app.setNotFoundHandler((request, reply) => {
    const locale = request.locale ?? localeFromHeader(request.headers['accept-language']);
    return reply.code(404).send(errorBody(locale, 'NOT_FOUND'));
  });
}
