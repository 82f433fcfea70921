import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fastifyWebsocket from '@fastify/websocket';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { registerCases } from './modules/cases/cases.module.js';
import { createChannels, registerChannels } from './modules/channels/channels.module.js';
import { directoryRoutes } from './modules/directory/directory.routes.js';
import { createDirectoryService } from './modules/directory/directory.service.js';
import { hsdsRoutes } from './modules/directory/hsds.routes.js';
import { interchangeRoutes } from './modules/directory/interchange.routes.js';
import { createInterchangeService } from './modules/directory/interchange.service.js';
import { searchRoutes } from './modules/directory/search.routes.js';
import { surveyRoutes } from './modules/directory/survey.routes.js';
import { createSurveyService } from './modules/directory/survey.service.js';
import { identityRoutes } from './modules/identity/identity.routes.js';
import { createIdentityService } from './modules/identity/identity.service.js';
import { cannedRoutes } from './modules/queue/canned.routes.js';
import { chatPageRoutes } from './modules/queue/chat.page.js';
import { chatLimits, chatSocketRoutes } from './modules/queue/chat.socket.js';
import { presenceRoutes } from './modules/queue/presence.routes.js';
import { createPresenceService } from './modules/queue/presence.service.js';
import { reportPageRoutes } from './modules/queue/report.page.js';
import { reportRoutes } from './modules/queue/reports.routes.js';
import { createRouter, DEFAULT_OFFER_TIMEOUT_S } from './modules/queue/routing.service.js';
import { createSignalsService } from './modules/queue/signals.service.js';
import { staffRoutes } from './modules/queue/staff.routes.js';
import { createStaffService } from './modules/queue/staff.service.js';
import { staffSocketRoutes } from './modules/queue/staff.ws.js';
import { wallboardRoutes } from './modules/queue/wallboard.routes.js';
import { createWallboardService } from './modules/queue/wallboard.service.js';
import { registerReports } from './modules/reports/reports.module.js';
import { systemRoutes } from './modules/system/system.routes.js';
import { createBus } from './platform/bus.js';
import type { Db } from './platform/db.js';
import { AppError } from './platform/errors.js';
import {
  errorBody,
  type RegisteredRoute,
  registerAccessControl,
  registerErrorHandling,
} from './platform/http.js';
import { loggerOptions } from './platform/logger.js';
import { createMailer } from './platform/mail.js';
import { hotlineTimeZone } from './platform/period.js';
import { publicPolicy } from './platform/policy.js';

export interface AppDeps {
  config: Config;
  db: Db;
  /** Set by main.ts during graceful shutdown so /readyz turns 503 before connections drain. */
  isShuttingDown?: () => boolean;
  /** Where logs go (tests capture them to prove nothing personal is written). Default: stdout. */
  logStream?: { write(msg: string): void };
}

export interface HarbourApp {
  app: FastifyInstance;
  /** Every registered route with its declared policy (the route-policy test reads this). */
  routes: RegisteredRoute[];
}

const BODY_LIMIT = 100 * 1024;
const STRICT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  if (Array.isArray(value)) return value.map(withoutNul);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [withoutNul(k) as string, withoutNul(v)]),
    );
  }
  return value;
}

function makeAjv(coerceTypes: boolean) {
  // Unknown fields are stripped; bodies are never coerced ("123" is not a number), query strings are.
  const ajv = new Ajv({
    removeAdditional: 'all',
    useDefaults: true,
    coerceTypes,
    allErrors: false,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

/** Builds the whole server; every module is registered here explicitly (no autoload). */
export async function buildApp(deps: AppDeps): Promise<HarbourApp> {
  const { config, db } = deps;
  const app = Fastify({
    logger: loggerOptions(config.logLevel, deps.logStream),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT,
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: false },
  });
  // JSON only, unless a route's module registers another parser (e.g. form posts from the portal).
  app.removeContentTypeParser('text/plain');
  const bodyAjv = makeAjv(false);
  const otherAjv = makeAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? bodyAjv.compile(schema) : otherAjv.compile(schema),
  );
  // PostgreSQL cannot store U+0000 in text: drop it from every JSON body before validation, so a hostile
  // string is stored without it instead of failing the whole request. (Query strings that reach SQL refuse control
  // characters in their schema instead: `SearchText` in platform/schemas.ts.)
  app.addHook('preValidation', async (request) => {
    if (request.body && typeof request.body === 'object') request.body = withoutNul(request.body);
    // A route that takes a body may be called without one (POST /api/offers/:id/accept): that is an empty body,
    // valid when no field is required, a 400 naming the fields otherwise — never a null reaching a handler.
    else if (request.body == null && request.routeOptions.schema?.body) request.body = {};
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const routes: RegisteredRoute[] = [];
  const identity = createIdentityService({
    db,
    encryptionKey: config.encryptionKey,
    demo: config.demo,
    publicUrl: config.publicUrl,
    sessionIdleMinutes: config.sessionIdleMinutes,
    sessionMaxHours: config.sessionMaxHours,
  });

  registerErrorHandling(app);
  await app.register(fastifyCookie);
  registerAccessControl(
    app,
    { session: (c) => identity.authenticateSession(c), token: (s) => identity.authenticateToken(s) },
    routes,
    ['/api/docs', '/console/'],
    config.publicRateLimit,
  );
  const voiceSdk = Boolean(config.twilio?.twimlAppSid);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        // The Twilio Voice SDK (answering calls in the browser, docs/api/channels.md) talks to Twilio's signalling
        // and event gateways and plays its own ring tones: allowed only when the SDK is configured.
        connectSrc: voiceSdk ? ["'self'", 'wss://*.twilio.com', 'https://eventgw.twilio.com'] : ["'self'"],
        ...(voiceSdk ? { mediaSrc: ["'self'", 'https://sdk.twilio.com'] } : {}),
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(config.env === 'production' ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: config.env === 'production',
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: () => new AppError('RATE_LIMITED', 429),
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Harbour API',
        version: '0.1.0',
        description:
          'Harbour runs a national anti-human-trafficking hotline. Errors: `{ "error": { "code", "message" } }`, message in the caller\'s language.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'harbour_session' },
          token: { type: 'http', scheme: 'bearer', description: 'API token `hbr_…`' },
        },
      },
    },
  });
  // Swagger UI gets the same strict policy as everything else (its default allows https: styles and a validator).
  await app.register(fastifySwaggerUi, {
    routePrefix: '/api/docs',
    uiConfig: { validatorUrl: null },
    staticCSP: true,
    transformStaticCSP: () => STRICT_CSP,
  });

  // Realtime fan-out (LISTEN/NOTIFY) shared by the queue modules: one listener per app.
  const bus = await createBus(db);
  app.addHook('onClose', async () => bus.close());
  // WebSockets (visitor chat /chat/ws, staff /api/ws): registered once here. Frames over 64 KB close the socket;
  // the routes refuse smaller oversize frames themselves with an error frame.
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(systemRoutes, { db, isShuttingDown: deps.isShuttingDown ?? (() => false) });
  await app.register(identityRoutes, { identity, db, config });
  await app.register(hsdsRoutes, {
    db,
    publicRateLimit: config.publicRateLimit,
    publicUrl: config.publicUrl,
  });
  await app.register(directoryRoutes, { directory: createDirectoryService({ db }) });
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, dataDir: config.dataDir });
  app.addHook('onClose', async () => mailer.close());
  const surveys = createSurveyService({
    db,
    mailer,
    publicUrl: config.publicUrl,
    production: config.env === 'production',
  });
  await app.register(surveyRoutes, { surveys, publicRateLimit: config.publicRateLimit });
  await app.register(interchangeRoutes, { interchange: createInterchangeService({ db }) });
  await app.register(searchRoutes, { db });
  // The live queue, visitor side: the chat socket and page, the report form.
  await app.register(chatSocketRoutes, {
    signals: createSignalsService({ db, encryptionKey: config.encryptionKey }),
    bus,
    limits: chatLimits(config.publicRateLimit),
  });
  await app.register(chatPageRoutes);
  await app.register(reportRoutes, {
    signals: createSignalsService({ db, encryptionKey: config.encryptionKey }),
    publicRateLimit: config.publicRateLimit,
  });
  await app.register(reportPageRoutes, {
    signals: createSignalsService({ db, encryptionKey: config.encryptionKey }),
    publicRateLimit: config.publicRateLimit,
  });
  // The live queue, staff side: the router runs while the app is up (ticks, bus events), then the routes.
  const router = createRouter({
    db,
    bus,
    offerTimeoutMs: (config.offerTimeoutS ?? DEFAULT_OFFER_TIMEOUT_S) * 1000,
    onError: (err) =>
      app.log.warn(
        { err: { type: (err as Error)?.name, code: (err as { code?: string })?.code } },
        'routing pass failed',
      ),
  });
  app.addHook('onReady', async () => router.start());
  app.addHook('onClose', async () => router.stop());
  await app.register(presenceRoutes, { presence: createPresenceService({ db }) });
  // Phone, SMS, WhatsApp, e-mail (docs/api/channels.md): webhooks, the outbox, the SMTP listener; the voice
  // module's hooks connect, move and hang up calls when the queue's staff routes answer, transfer or end.
  const channels = createChannels({
    db,
    config,
    bus,
    signals: createSignalsService({ db, encryptionKey: config.encryptionKey }),
    mailer: createMailer({
      smtpUrl: config.email?.relayUrl ?? config.smtpUrl,
      from: config.mailFrom,
      dataDir: config.dataDir,
    }),
    log: app.log,
  });
  app.addHook('onClose', async () => channels.deps.mailer.close());
  await registerChannels(app, channels.deps);
  await app.register(staffRoutes, {
    staff: createStaffService({
      db,
      signals: createSignalsService({ db, encryptionKey: config.encryptionKey }),
    }),
    router,
    channelHooks: channels.hooks,
  });
  await app.register(staffSocketRoutes, {
    db,
    bus,
    publicUrl: config.publicUrl,
    sessionIdleMinutes: config.sessionIdleMinutes,
  });
  await app.register(wallboardRoutes, {
    wallboard: createWallboardService({ db, timeZone: hotlineTimeZone(config) }),
  });
  // Screening, cases, referrals, escalations (docs/api/cases.md): routes and the retention job.
  await registerCases(app, { db, config, bus, mailer, log: app.log });
  await registerReports(app, { db, config });
  await app.register(cannedRoutes, { db });
  await registerConsole(app, config.consoleDir);

  return { app, routes };
}

/**
 * Serves the built staff console; any /console/* path gets index.html (client-side routing).
 * Nothing is read at start-up: index.html is re-read when its modification time changes and assets are looked
 * up on disk per request, so a running server picks up `npm run build:web` (new hashed asset names) without a
 * restart, and a server started before the first build serves the console once it exists.
 */
async function registerConsole(app: FastifyInstance, dir: string) {
  const indexFile = path.join(dir, 'index.html');
  // `serve: false`: only `reply.sendFile` (send's root confinement, ETag, ranges); the route below decides.
  await app.register(fastifyStatic, { root: dir, serve: false, index: false, suppressWarning: true });
  let cached: { mtimeMs: number; size: number; html: string } | undefined;
  const readIndex = (): string | undefined => {
    try {
      const stat = statSync(indexFile);
      if (!cached || cached.mtimeMs !== stat.mtimeMs || cached.size !== stat.size)
        cached = { mtimeMs: stat.mtimeMs, size: stat.size, html: readFileSync(indexFile, 'utf8') };
      return cached.html;
    } catch {
      cached = undefined; // not built (or being rebuilt right now)
      return undefined;
    }
  };
  app.get('/', { config: { policy: publicPolicy }, schema: { hide: true } }, async (_request, reply) =>
    reply.redirect('/console/'),
  );
  app.get(
    '/console/*',
    { config: { policy: publicPolicy }, schema: { hide: true } },
    async (request, reply) => {
      const rest = (request.params as { '*'?: string })['*'] ?? '';
      if (/\.[a-z0-9]+$/i.test(rest)) {
        // A file of the build. No dot segments (.., dotfiles), backslashes or NULs: only plain relative paths.
        if (
          rest.split('/').some((segment) => segment === '' || segment.startsWith('.')) ||
          /[\\\0]/.test(rest)
        )
          return reply.code(404).send(errorBody(request.locale, 'NOT_FOUND'));
        return reply.sendFile(rest);
      }
      const index = readIndex();
      if (index === undefined) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The console is not built: run `npm run build:web`.');
      }
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(index);
    },
  );
  app.get('/console', { config: { policy: publicPolicy }, schema: { hide: true } }, async (_request, reply) =>
    reply.redirect('/console/'),
  );
}
