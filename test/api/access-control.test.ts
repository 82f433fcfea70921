import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarbourApp } from '../../src/server/app.js';
import { offer, organization, service, signal, statusSurvey } from '../../src/server/db/schema.js';
import type { Db } from '../../src/server/platform/db.js';
import { type RegisteredRoute, registerAccessControl } from '../../src/server/platform/http.js';
import { ROLES, type Role } from '../../src/shared/roles.js';
import { testApp } from '../helpers/app.js';
import { testDatabase } from '../helpers/db.js';
import { createUser, sessionFor, tokenFor } from '../helpers/factories.js';

let harbour: HarbourApp;
let db: Db;

beforeAll(async () => {
  harbour = await testApp();
  db = (await testDatabase()).db;
});
afterAll(() => harbour.app.close());

type Access = 'public' | 'all' | readonly Role[];
/** Per attempt: a fresh directory organization; the partner user of that attempt works for it. */
interface Ctx {
  orgId: string;
  /** The user making this attempt (absent for anonymous): routes that act on one's own signals need it. */
  userId?: string;
}
interface Case {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  access: Access;
  /** Builds the request for one attempt (fresh targets, so attempts do not interfere). */
  request?: (ctx: Ctx) => Promise<{ url?: string; payload?: unknown; headers?: Record<string, string> }>;
  /** The status an allowed caller gets when it is not 2xx (e.g. 426 for a WebSocket route without upgrade). */
  ok?: number;
}

const uniqueEmail = () =>
  `matrix.${Date.now()}.${Math.random().toString(16).slice(2, 8)}@test.harbour.example`;
const target = async () => (await createUser(db, { role: 'advocate' })).id;

/** Every API route, who may use it. Adding a route without adding it here fails the coverage test below. */
const MATRIX: Case[] = [
  { method: 'GET', url: '/healthz', access: 'public' },
  { method: 'GET', url: '/readyz', access: 'public' },
  { method: 'GET', url: '/api/meta', access: 'public' },
  { method: 'GET', url: '/api/session', access: 'all' },
  { method: 'PATCH', url: '/api/me', access: 'all', request: async () => ({ payload: { locale: 'en-CA' } }) },
  { method: 'POST', url: '/api/auth/mfa/enrol', access: 'all', request: async () => ({ payload: {} }) },
  { method: 'POST', url: '/api/auth/sign-out', access: 'all' },
  { method: 'GET', url: '/api/admin/users', access: ['admin'] },
  {
    method: 'POST',
    url: '/api/admin/users',
    access: ['admin'],
    request: async () => ({
      payload: { email: uniqueEmail(), displayName: 'Matrix (fictional)', role: 'advocate' },
    }),
  },
  {
    method: 'PATCH',
    url: '/api/admin/users/:id',
    access: ['admin'],
    request: async () => ({ url: `/api/admin/users/${await target()}`, payload: { role: 'analyst' } }),
  },
  {
    method: 'POST',
    url: '/api/admin/users/:id/reset-mfa',
    access: ['admin'],
    request: async () => ({ url: `/api/admin/users/${await target()}/reset-mfa`, payload: {} }),
  },
  {
    method: 'POST',
    url: '/api/admin/users/:id/invite',
    access: ['admin'],
    request: async () => ({ url: `/api/admin/users/${await target()}/invite`, payload: {} }),
  },
  { method: 'GET', url: '/api/admin/audit', access: ['admin'] },
  { method: 'GET', url: '/api/admin/tokens', access: ['admin'] },
  {
    method: 'POST',
    url: '/api/admin/tokens',
    access: ['admin'],
    request: async () => ({
      payload: { userId: await target(), name: 'matrix', scopes: ['users:read'], expiresInDays: 1 },
    }),
  },
  {
    method: 'DELETE',
    url: '/api/admin/tokens/:id',
    access: ['admin'],
    request: async () => {
      const owner = await createUser(db);
      await tokenFor(db, owner, ['users:read']);
      const [row] = await db.query.apiTokens.findMany({
        where: (t, { eq }) => eq(t.userId, owner.id),
        limit: 1,
      });
      return { url: `/api/admin/tokens/${row!.id}` };
    },
  },
];

const newService = async (ctx: Ctx) =>
  (
    await db
      .insert(service)
      .values({ organizationId: ctx.orgId, name: 'Matrix Service (fictional)' })
      .returning()
  )[0]!.id;
const DIR_MANAGERS: Role[] = ['directory_manager', 'admin'];
const DIR_READERS: Role[] = ['advocate', 'supervisor', 'directory_manager', 'admin', 'partner'];

MATRIX.push(
  {
    method: 'POST',
    url: '/api/directory/organizations',
    access: DIR_MANAGERS,
    request: async () => ({ payload: { name: 'Matrix New Org (fictional)' } }),
  },
  {
    method: 'PATCH',
    url: '/api/directory/organizations/:id',
    access: DIR_MANAGERS,
    request: async (ctx) => ({
      url: `/api/directory/organizations/${ctx.orgId}`,
      payload: { description: 'x' },
    }),
  },
  {
    method: 'GET',
    url: '/api/directory/organizations/:id',
    access: DIR_READERS,
    request: async (ctx) => ({ url: `/api/directory/organizations/${ctx.orgId}` }),
  },
  {
    method: 'GET',
    url: '/api/directory/organizations/:id/services',
    access: DIR_READERS,
    request: async (ctx) => ({ url: `/api/directory/organizations/${ctx.orgId}/services` }),
  },
  {
    method: 'GET',
    url: '/api/directory/organizations/:id/locations',
    access: DIR_READERS,
    request: async (ctx) => ({ url: `/api/directory/organizations/${ctx.orgId}/locations` }),
  },
  {
    method: 'GET',
    url: '/api/directory/services/:id/locations',
    access: DIR_READERS,
    request: async (ctx) => ({ url: `/api/directory/services/${await newService(ctx)}/locations` }),
  },
  {
    method: 'POST',
    url: '/api/directory/services',
    access: DIR_MANAGERS,
    request: async (ctx) => ({ payload: { organizationId: ctx.orgId, name: 'Matrix Service (fictional)' } }),
  },
  {
    method: 'PATCH',
    url: '/api/directory/services/:id',
    access: DIR_MANAGERS,
    request: async (ctx) => ({
      url: `/api/directory/services/${await newService(ctx)}`,
      payload: { description: 'x' },
    }),
  },
  {
    method: 'GET',
    url: '/api/directory/services/:id',
    access: DIR_READERS,
    request: async (ctx) => ({ url: `/api/directory/services/${await newService(ctx)}` }),
  },
  {
    method: 'PUT',
    url: '/api/directory/services/:id/capacity',
    access: DIR_MANAGERS,
    request: async (ctx) => ({
      url: `/api/directory/services/${await newService(ctx)}/capacity`,
      payload: { available: 1, maximum: 4 },
    }),
  },
  {
    method: 'POST',
    url: '/api/directory/services/:id/verify',
    access: DIR_MANAGERS,
    request: async (ctx) => ({ url: `/api/directory/services/${await newService(ctx)}/verify`, payload: {} }),
  },
  {
    method: 'POST',
    url: '/api/directory/locations',
    access: DIR_MANAGERS,
    request: async (ctx) => ({ payload: { organizationId: ctx.orgId, name: 'Matrix Location' } }),
  },
  {
    method: 'PATCH',
    url: '/api/directory/locations/:id',
    access: DIR_MANAGERS,
    request: async (ctx) => {
      const res = await harbour.app.inject({
        method: 'POST',
        url: '/api/directory/locations',
        headers: (await sessionFor(db, await createUser(db, { role: 'admin' }))).headers,
        payload: { organizationId: ctx.orgId },
      });
      return {
        url: `/api/directory/locations/${JSON.parse(res.body).location.id}`,
        payload: { name: 'Renamed' },
      };
    },
  },
  {
    method: 'GET',
    url: '/api/directory/locations/:id',
    access: DIR_READERS,
    request: async (ctx) => {
      const res = await harbour.app.inject({
        method: 'POST',
        url: '/api/directory/locations',
        headers: (await sessionFor(db, await createUser(db, { role: 'admin' }))).headers,
        payload: { organizationId: ctx.orgId },
      });
      return { url: `/api/directory/locations/${JSON.parse(res.body).location.id}` };
    },
  },
  {
    method: 'GET',
    url: '/api/directory/history/:type/:id',
    access: ['directory_manager', 'admin', 'supervisor'],
    request: async (ctx) => ({ url: `/api/directory/history/organization/${ctx.orgId}` }),
  },
  { method: 'GET', url: '/api/directory/verification/overdue', access: DIR_MANAGERS },
  {
    method: 'POST',
    url: '/api/directory/proposals',
    access: ['partner'],
    request: async (ctx) => ({
      payload: {
        resourceType: 'organization',
        resourceId: ctx.orgId,
        changes: { description: 'Proposed text' },
      },
    }),
  },
  { method: 'GET', url: '/api/directory/proposals', access: ['directory_manager', 'admin', 'partner'] },
  {
    method: 'POST',
    url: '/api/directory/surveys',
    access: DIR_MANAGERS,
    request: async () => ({ payload: { title: 'Matrix survey', message: 'Still open?', closesInDays: 1 } }),
  },
  { method: 'GET', url: '/api/directory/surveys', access: DIR_MANAGERS },
  {
    method: 'POST',
    url: '/api/directory/import',
    access: DIR_MANAGERS,
    request: async () => ({
      payload: {
        format: 'json',
        dryRun: true,
        data: {
          id: crypto.randomUUID(),
          name: 'Matrix import (fictional)',
          status: 'active',
          organization: { id: crypto.randomUUID(), name: 'Matrix import org', description: 'x' },
        },
      },
    }),
  },
  { method: 'GET', url: '/api/directory/export', access: ['directory_manager', 'admin', 'analyst'] },
  {
    method: 'GET',
    url: '/api/directory/surveys/:id',
    access: DIR_MANAGERS,
    request: async () => {
      const [row] = await db
        .insert(statusSurvey)
        .values({ title: 'Matrix', message: 'x', closesAt: new Date(Date.now() + 86400_000) })
        .returning();
      return { url: `/api/directory/surveys/${row!.id}` };
    },
  },
  {
    method: 'GET',
    url: '/api/directory/search',
    access: ['advocate', 'supervisor', 'directory_manager', 'admin'],
  },
  { method: 'GET', url: '/api/public/directory/search', access: 'public' },
  {
    method: 'GET',
    url: '/api/public/directory/suggest',
    access: 'public',
    request: async () => ({ url: '/api/public/directory/suggest?q=shelter' }),
  },
  {
    method: 'POST',
    url: '/api/public/reports',
    access: 'public',
    request: async () => ({ payload: { situation: 'Matrix report (fictional)' } }),
  },
  ...(['approve', 'reject'] as const).map(
    (d): Case => ({
      method: 'POST',
      url: `/api/directory/proposals/:id/${d}`,
      access: DIR_MANAGERS,
      request: async (ctx) => {
        const partner = await createUser(db, { role: 'partner', organizationId: ctx.orgId });
        const res = await harbour.app.inject({
          method: 'POST',
          url: '/api/directory/proposals',
          headers: (await sessionFor(db, partner)).headers,
          payload: {
            resourceType: 'organization',
            resourceId: ctx.orgId,
            changes: { description: 'Proposed' },
          },
        });
        return { url: `/api/directory/proposals/${JSON.parse(res.body).proposal.id}/${d}`, payload: {} };
      },
    }),
  ),
);

// The live queue, staff side (docs/api/live-queue.md): signals are made assigned to (or offered to) the
// user of each attempt, so that allowed roles really act on their own conversation.
const HANDLERS: Role[] = ['advocate', 'supervisor'];
const queueSignal = async (ctx: Ctx, state: 'offered' | 'active' = 'active') => {
  const [row] = await db
    .insert(signal)
    .values({
      reference: `HB-M${Math.random().toString(36).slice(2, 5).toUpperCase()}-${Date.now().toString(36).slice(-4).toUpperCase()}`,
      channel: 'chat',
      language: 'en',
      state,
      queuedAt: new Date(),
      ...(state === 'active' ? { answeredAt: new Date(), assignedUserId: ctx.userId ?? null } : {}),
    })
    .returning();
  return row!;
};
const queueOffer = async (ctx: Ctx) => {
  const s = await queueSignal(ctx, 'offered');
  const [o] = await db
    .insert(offer)
    .values({
      signalId: s.id,
      userId: ctx.userId ?? (await target()),
      expiresAt: new Date(Date.now() + 60_000),
    })
    .returning();
  return o!.id;
};
MATRIX.push(
  { method: 'GET', url: '/api/queue', access: HANDLERS },
  { method: 'GET', url: '/api/presence', access: [...HANDLERS, 'admin'] },
  {
    method: 'PUT',
    url: '/api/presence',
    access: HANDLERS,
    request: async () => ({ payload: { status: 'offline', languages: ['en'] } }),
  },
  ...(['accept', 'decline'] as const).map(
    (d): Case => ({
      method: 'POST',
      url: `/api/offers/:id/${d}`,
      access: HANDLERS,
      request: async (ctx) => ({ url: `/api/offers/${await queueOffer(ctx)}/${d}`, payload: {} }),
    }),
  ),
  {
    method: 'GET',
    url: '/api/signals/:id',
    access: HANDLERS,
    request: async (ctx) => ({ url: `/api/signals/${(await queueSignal(ctx)).id}` }),
  },
  {
    method: 'POST',
    url: '/api/signals/:id/messages',
    access: HANDLERS,
    request: async (ctx) => ({
      url: `/api/signals/${(await queueSignal(ctx)).id}/messages`,
      payload: { id: 'matrix-1', text: 'Hello (fictional)' },
    }),
  },
  {
    method: 'POST',
    url: '/api/signals/:id/read',
    access: HANDLERS,
    request: async (ctx) => ({
      url: `/api/signals/${(await queueSignal(ctx)).id}/read`,
      payload: { seq: 0 },
    }),
  },
  {
    method: 'POST',
    url: '/api/signals/:id/typing',
    access: HANDLERS,
    request: async (ctx) => ({
      url: `/api/signals/${(await queueSignal(ctx)).id}/typing`,
      payload: { on: true },
    }),
  },
  {
    method: 'POST',
    url: '/api/signals/:id/transfer',
    access: HANDLERS,
    request: async (ctx) => ({
      url: `/api/signals/${(await queueSignal(ctx)).id}/transfer`,
      payload: { to_user_id: await target(), reason: 'Matrix (fictional)' },
    }),
  },
  {
    method: 'POST',
    url: '/api/signals/:id/end',
    access: HANDLERS,
    request: async (ctx) => ({ url: `/api/signals/${(await queueSignal(ctx)).id}/end`, payload: {} }),
  },
  {
    method: 'PUT',
    url: '/api/signals/:id/wrap-up',
    access: HANDLERS,
    request: async (ctx) => {
      const s = await queueSignal(ctx);
      return {
        url: `/api/signals/${s.id}/wrap-up`,
        payload: { caller_type: 'unknown', region: 'ON', language: 'en', heard_about: 'unknown' },
        headers: { 'if-match': String(s.version) },
      };
    },
  },
  { method: 'GET', url: '/api/canned-responses', access: HANDLERS },
  { method: 'GET', url: '/api/wallboard', access: ['supervisor', 'admin'] },
  // Without an upgrade, an allowed caller is told to use a WebSocket (426); the socket test is staff.ws.test.ts.
  { method: 'GET', url: '/api/ws', access: [...HANDLERS, 'admin'], ok: 426 },
);

// Channels (docs/api/channels.md). Each module's helper adds its rows in its own block.
// --- channels: voice (GET /api/voice/*, /api/signals/:id/call*) ---
// This app has no Twilio account and no interpreter line: an allowed caller gets the route's own answer for that
// (503 / 409) after the policy and the "assigned advocate or supervisor" check passed.
const voicePhoneSignal = async (ctx: Ctx) => {
  const { phoneCall, callParty } = await import('../../src/server/db/schema.js');
  const [row] = await db
    .insert(signal)
    .values({
      reference: `HB-P${Math.random().toString(36).slice(2, 5).toUpperCase()}-${Date.now().toString(36).slice(-4).toUpperCase()}`,
      channel: 'phone',
      language: 'en',
      state: 'active',
      queuedAt: new Date(),
      answeredAt: new Date(),
      assignedUserId: ctx.userId ?? null,
    })
    .returning();
  const callSid = `CA${randomHex(32)}`;
  await db.insert(phoneCall).values({ signalId: row!.id, callSid, status: 'in-progress' });
  const [party] = await db
    .insert(callParty)
    .values({
      signalId: row!.id,
      kind: 'interpreter',
      language: 'es',
      status: 'left',
      userId: ctx.userId ?? null,
    })
    .returning();
  return { id: row!.id, partyId: party!.id };
};
const randomHex = (n: number) =>
  Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
MATRIX.push(
  { method: 'GET', url: '/api/voice/token', access: HANDLERS, ok: 503 },
  { method: 'GET', url: '/api/voice/endpoint', access: HANDLERS },
  {
    method: 'PUT',
    url: '/api/voice/endpoint',
    access: HANDLERS,
    request: async () => ({ payload: { mode: 'browser' } }),
  },
  {
    method: 'GET',
    url: '/api/signals/:id/call',
    access: HANDLERS,
    request: async (ctx) => ({ url: `/api/signals/${(await voicePhoneSignal(ctx)).id}/call` }),
  },
  ...(['hold', 'mute'] as const).map(
    (action): Case => ({
      method: 'POST',
      url: `/api/signals/:id/call/${action}`,
      access: HANDLERS,
      ok: 409, // CALL_NOT_CONNECTED: no conference yet
      request: async (ctx) => ({
        url: `/api/signals/${(await voicePhoneSignal(ctx)).id}/call/${action}`,
        payload: { on: true },
      }),
    }),
  ),
  {
    method: 'POST',
    url: '/api/signals/:id/call/interpreter',
    access: HANDLERS,
    ok: 409, // INTERPRETER_NOT_CONFIGURED
    request: async (ctx) => ({
      url: `/api/signals/${(await voicePhoneSignal(ctx)).id}/call/interpreter`,
      payload: { language: 'es' },
    }),
  },
  {
    method: 'POST',
    url: '/api/signals/:id/call/interpreter/:partyId/end',
    access: HANDLERS,
    request: async (ctx) => {
      const { id, partyId } = await voicePhoneSignal(ctx);
      return { url: `/api/signals/${id}/call/interpreter/${partyId}/end`, payload: {} };
    },
  },
);
// --- end voice ---
// --- channels: messaging (GET /api/signals/:id/channel, /api/attachments/:id, reveal-contact) ---
// An SMS conversation assigned to the user of each attempt, with a sealed (fictional) number and one stored file.
const messagingSignal = async (ctx: Ctx) => {
  const { TEST_KEY } = await import('../helpers/app.js');
  const { sealAddress } = await import('../../src/server/modules/channels/contact.js');
  const { storeAttachment } = await import('../../src/server/modules/channels/attachments.js');
  const { eq } = await import('drizzle-orm');
  const s = await queueSignal(ctx);
  await db
    .update(signal)
    .set({ channel: 'sms', addressSealed: sealAddress(TEST_KEY, s.id, '+15550100150') })
    .where(eq(signal.id, s.id));
  const file = await storeAttachment(db, TEST_KEY, {
    signalId: s.id,
    seq: 1,
    contentType: 'image/png',
    bytes: Buffer.from('fictional'),
  });
  return { id: s.id, attachmentId: file.id };
};
MATRIX.push(
  {
    method: 'GET',
    url: '/api/signals/:id/channel',
    access: HANDLERS,
    request: async (ctx) => ({ url: `/api/signals/${(await messagingSignal(ctx)).id}/channel` }),
  },
  {
    method: 'GET',
    url: '/api/attachments/:id',
    access: HANDLERS,
    request: async (ctx) => ({ url: `/api/attachments/${(await messagingSignal(ctx)).attachmentId}` }),
  },
  {
    method: 'POST',
    url: '/api/signals/:id/reveal-contact',
    access: HANDLERS,
    request: async (ctx) => ({
      url: `/api/signals/${(await messagingSignal(ctx)).id}/reveal-contact`,
      payload: { reason: 'callback_agreed' },
    }),
  },
);
// --- end messaging ---

// Cases (docs/api/cases.md). Each helper adds its rows in its own block: MATRIX.push(…).
// --- cases: core (cases, people, places, notes, tasks, break-glass, /api/signals/:id/case, /api/tasks/mine) ---
// Fresh rows straight in the tables per attempt: an open case (version 1), with a person, place, task or signal.
const h1Schema = () => import('../../src/server/db/schema.js');
const h1Case = async (values: Record<string, unknown> = {}) => {
  const { caseFile } = await h1Schema();
  const [c] = await db
    .insert(caseFile)
    .values({ reference: `HC-MH1${Math.random().toString(36).slice(2, 10).toUpperCase()}`, ...values })
    .returning();
  return c!.id;
};
const h1Part = async (kind: 'person' | 'place' | 'task') => {
  const { casePerson, casePlaceEvent, caseTask } = await h1Schema();
  const caseId = await h1Case();
  const table = kind === 'person' ? casePerson : kind === 'place' ? casePlaceEvent : caseTask;
  const values =
    kind === 'person'
      ? { caseId, role: 'witness' }
      : kind === 'place'
        ? { caseId, type: 'transit' }
        : { caseId, kind: 'task', dueAt: new Date(Date.now() + 86400_000) };
  const [row] = await db
    .insert(table)
    .values(values as never)
    .returning();
  return { caseId, id: (row as { id: string }).id };
};
const h1Attached = async (ctx: Ctx) => {
  const { caseSignal } = await h1Schema();
  const caseId = await h1Case();
  const s = await queueSignal(ctx);
  await db.insert(caseSignal).values({ caseId, signalId: s.id });
  return { caseId, signalId: s.id };
};
const h1Restricted = async () => {
  const { caseFile, team } = await h1Schema();
  const [t] = await db
    .insert(team)
    .values({ name: `Matrix H1 Team ${Math.random().toString(16).slice(2, 10)} (fictional)` })
    .returning();
  const [c] = await db
    .insert(caseFile)
    .values({
      reference: `HC-MH1${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
      restrictedTeamId: t!.id,
    })
    .returning();
  return c!.reference;
};
const h1If = { 'if-match': '1' };
MATRIX.push(
  { method: 'POST', url: '/api/cases', access: HANDLERS, request: async () => ({ payload: {} }) },
  { method: 'GET', url: '/api/cases', access: HANDLERS },
  {
    method: 'POST',
    url: '/api/cases/break-glass',
    access: HANDLERS,
    request: async () => ({ payload: { reference: await h1Restricted(), reason: 'supervision' } }),
  },
  {
    method: 'GET',
    url: '/api/cases/:id',
    access: HANDLERS,
    request: async () => ({ url: `/api/cases/${await h1Case()}` }),
  },
  {
    method: 'GET',
    url: '/api/cases/:id/timeline',
    access: HANDLERS,
    request: async () => ({ url: `/api/cases/${await h1Case()}/timeline` }),
  },
  {
    method: 'PATCH',
    url: '/api/cases/:id',
    access: HANDLERS,
    request: async () => ({
      url: `/api/cases/${await h1Case()}`,
      payload: { keywords: ['matrix'] },
      headers: h1If,
    }),
  },
  {
    method: 'POST',
    url: '/api/cases/:id/signals',
    access: HANDLERS,
    request: async (ctx) => ({
      url: `/api/cases/${await h1Case()}/signals`,
      payload: { signal_id: (await queueSignal(ctx)).id },
    }),
  },
  {
    method: 'DELETE',
    url: '/api/cases/:id/signals/:signal_id',
    access: HANDLERS,
    request: async (ctx) => {
      const a = await h1Attached(ctx);
      return { url: `/api/cases/${a.caseId}/signals/${a.signalId}` };
    },
  },
  {
    method: 'POST',
    url: '/api/cases/:id/merge',
    access: HANDLERS,
    request: async () => ({
      url: `/api/cases/${await h1Case()}/merge`,
      payload: { from_case_id: await h1Case() },
      headers: h1If,
    }),
  },
  {
    method: 'POST',
    url: '/api/cases/:id/close',
    access: HANDLERS,
    request: async () => ({
      url: `/api/cases/${await h1Case()}/close`,
      payload: { reason: 'other' },
      headers: h1If,
    }),
  },
  {
    method: 'POST',
    url: '/api/cases/:id/reopen',
    access: HANDLERS,
    request: async () => ({
      url: `/api/cases/${await h1Case({ status: 'closed', closedAt: new Date(), closeReason: 'other' })}/reopen`,
      payload: {},
      headers: h1If,
    }),
  },
  {
    method: 'POST',
    url: '/api/cases/:id/people',
    access: HANDLERS,
    request: async () => ({ url: `/api/cases/${await h1Case()}/people`, payload: { role: 'witness' } }),
  },
  {
    method: 'PATCH',
    url: '/api/cases/:id/people/:pid',
    access: HANDLERS,
    request: async () => {
      const p = await h1Part('person');
      return { url: `/api/cases/${p.caseId}/people/${p.id}`, payload: { age: 30 }, headers: h1If };
    },
  },
  {
    method: 'DELETE',
    url: '/api/cases/:id/people/:pid',
    access: HANDLERS,
    request: async () => {
      const p = await h1Part('person');
      return { url: `/api/cases/${p.caseId}/people/${p.id}` };
    },
  },
  {
    method: 'POST',
    url: '/api/cases/:id/places',
    access: HANDLERS,
    request: async () => ({ url: `/api/cases/${await h1Case()}/places`, payload: { type: 'transit' } }),
  },
  {
    method: 'DELETE',
    url: '/api/cases/:id/places/:place_id',
    access: HANDLERS,
    request: async () => {
      const p = await h1Part('place');
      return { url: `/api/cases/${p.caseId}/places/${p.id}` };
    },
  },
  {
    method: 'POST',
    url: '/api/cases/:id/notes',
    access: HANDLERS,
    request: async () => ({
      url: `/api/cases/${await h1Case()}/notes`,
      payload: { body: 'Matrix note (fictional)' },
    }),
  },
  {
    method: 'POST',
    url: '/api/cases/:id/tasks',
    access: HANDLERS,
    request: async () => ({
      url: `/api/cases/${await h1Case()}/tasks`,
      payload: {
        kind: 'task',
        title: 'Matrix (fictional)',
        due_at: new Date(Date.now() + 86400_000).toISOString(),
      },
    }),
  },
  {
    method: 'PATCH',
    url: '/api/cases/:id/tasks/:tid',
    access: HANDLERS,
    request: async () => {
      const t = await h1Part('task');
      return { url: `/api/cases/${t.caseId}/tasks/${t.id}`, payload: { done: true }, headers: h1If };
    },
  },
  { method: 'GET', url: '/api/tasks/mine', access: HANDLERS },
  {
    method: 'GET',
    url: '/api/signals/:id/case',
    access: HANDLERS,
    request: async (ctx) => ({ url: `/api/signals/${(await h1Attached(ctx)).signalId}/case` }),
  },
);
// --- end cases core ---
// --- cases: task assignees ---
MATRIX.push({
  method: 'GET',
  url: '/api/cases/:id/assignees',
  access: HANDLERS,
  request: async () => ({ url: `/api/cases/${await h1Case()}/assignees` }),
});
// --- end task assignees ---
// --- cases: screening, supervision, teams ---
// The screening's signal is assigned to the user of each attempt (the holder writes); supervision lists are for
// supervisors; teams are read by case workers and admins, managed by admins and supervisors.
const grantToReview = async () => {
  const { caseFile, caseAccessGrant } = await import('../../src/server/db/schema.js');
  const [c] = await db
    .insert(caseFile)
    .values({
      reference: `HC-M${Math.random().toString(36).slice(2, 6).toUpperCase()}-${Date.now().toString(36).slice(-4).toUpperCase()}`,
    })
    .returning();
  const [g] = await db
    .insert(caseAccessGrant)
    .values({
      caseId: c!.id,
      userId: await target(),
      reason: 'supervision',
      expiresAt: new Date(Date.now() + 3600_000),
    })
    .returning();
  return g!.id;
};
const matrixTeam = async () => {
  const { team } = await import('../../src/server/db/schema.js');
  const [t] = await db
    .insert(team)
    .values({ name: `Matrix Team ${Math.random().toString(16).slice(2, 10)} (fictional)` })
    .returning();
  return t!.id;
};
MATRIX.push(
  {
    method: 'GET',
    url: '/api/signals/:id/screening',
    access: HANDLERS,
    request: async (ctx) => ({ url: `/api/signals/${(await queueSignal(ctx)).id}/screening` }),
  },
  {
    method: 'PUT',
    url: '/api/signals/:id/screening',
    access: HANDLERS,
    request: async (ctx) => ({
      url: `/api/signals/${(await queueSignal(ctx)).id}/screening`,
      payload: { safety: 'safe_now', classification: 'information_request' },
      headers: { 'if-match': '0' },
    }),
  },
  { method: 'GET', url: '/api/supervision/break-glass', access: ['supervisor'] },
  {
    method: 'POST',
    url: '/api/supervision/break-glass/:id/review',
    access: ['supervisor'],
    request: async () => ({
      url: `/api/supervision/break-glass/${await grantToReview()}/review`,
      payload: {},
    }),
  },
  { method: 'GET', url: '/api/supervision/overrides', access: ['supervisor'] },
  { method: 'GET', url: '/api/supervision/approvals', access: ['supervisor'] },
  { method: 'GET', url: '/api/teams', access: ['advocate', 'supervisor', 'admin'] },
  {
    method: 'POST',
    url: '/api/teams',
    access: ['admin', 'supervisor'],
    request: async () => ({ payload: { name: `Matrix Team ${Math.random().toString(16).slice(2, 10)}` } }),
  },
  {
    method: 'PUT',
    url: '/api/teams/:id/members',
    access: ['admin', 'supervisor'],
    request: async () => ({
      url: `/api/teams/${await matrixTeam()}/members`,
      payload: { user_ids: [await target()] },
    }),
  },
);
// --- end screening ---
// --- cases: referrals, partner, escalations, protocols ---
const CASE_WORKER_ROLES: Role[] = ['advocate', 'supervisor'];
const h3Schema = () => import('../../src/server/db/schema.js');
/** An open case in ON (rows straight in the tables), fresh per attempt. */
const h3Case = async () => {
  const { caseFile } = await h3Schema();
  const [c] = await db
    .insert(caseFile)
    .values({ reference: `HC-MTRX-${Math.random().toString(36).slice(2, 10).toUpperCase()}`, region: 'ON' })
    .returning();
  return c!.id;
};
/** A referral of a fresh case to the attempt's organisation, with consent, in `status`. */
const h3Referral = async (ctx: Ctx, status: 'proposed' | 'sent' | 'accepted' = 'proposed') => {
  const { referral } = await h3Schema();
  const [r] = await db
    .insert(referral)
    .values({
      caseId: await h3Case(),
      need: 'legal',
      organizationId: ctx.orgId,
      status,
      consentKind: 'verbal',
      consentAt: new Date(),
      sharedFields: ['need_details'],
      ...(status === 'proposed' ? {} : { sentAt: new Date() }),
    })
    .returning();
  return r!.id;
};
/** An escalation of a fresh case; its protocol snapshot has one optional step. */
const h3Escalation = async (status: 'open' | 'awaiting_approval' = 'open') => {
  const { escalation } = await h3Schema();
  const [e] = await db
    .insert(escalation)
    .values({
      caseId: await h3Case(),
      kind: 'law_enforcement',
      status,
      protocolSnapshot: {
        version: 1,
        steps: [{ key: 'only_step', en: 'Step', fr: 'Étape', required: false }],
      },
      consentGiven: true,
      approvalRequired: status === 'awaiting_approval',
    })
    .returning();
  return e!.id;
};
const ifMatch1 = { 'if-match': '1' };
MATRIX.push(
  {
    method: 'GET',
    url: '/api/cases/:id/referral-search',
    access: CASE_WORKER_ROLES,
    request: async () => ({ url: `/api/cases/${await h3Case()}/referral-search?need=legal` }),
  },
  {
    method: 'POST',
    url: '/api/cases/:id/referrals',
    access: CASE_WORKER_ROLES,
    request: async (ctx) => ({
      url: `/api/cases/${await h3Case()}/referrals`,
      payload: { need: 'legal', organization_id: ctx.orgId },
    }),
  },
  {
    method: 'POST',
    url: '/api/referrals/:id/consent',
    access: CASE_WORKER_ROLES,
    request: async (ctx) => ({
      url: `/api/referrals/${await h3Referral(ctx)}/consent`,
      headers: ifMatch1,
      payload: { kind: 'written', agreed: 'Matrix (fictional)', shared_fields: [] },
    }),
  },
  {
    method: 'POST',
    url: '/api/referrals/:id/override',
    access: ['supervisor'],
    request: async (ctx) => ({
      url: `/api/referrals/${await h3Referral(ctx)}/override`,
      payload: { reason: 'Matrix (fictional)' },
    }),
  },
  {
    method: 'POST',
    url: '/api/referrals/:id/send',
    access: CASE_WORKER_ROLES,
    request: async (ctx) => ({
      url: `/api/referrals/${await h3Referral(ctx)}/send`,
      headers: ifMatch1,
      payload: {},
    }),
  },
  {
    method: 'POST',
    url: '/api/referrals/:id/status',
    access: CASE_WORKER_ROLES,
    request: async (ctx) => ({
      url: `/api/referrals/${await h3Referral(ctx)}/status`,
      headers: ifMatch1,
      payload: { status: 'withdrawn' },
    }),
  },
  { method: 'GET', url: '/api/referrals/needs', access: ['supervisor', 'analyst'] },
  {
    method: 'GET',
    url: '/api/reports/screening',
    access: ['supervisor', 'analyst'],
    request: async () => ({ url: '/api/reports/screening?from=2001-04-01&to=2002-03-31' }),
  },
  { method: 'GET', url: '/api/partner/referrals', access: ['partner'] },
  {
    method: 'GET',
    url: '/api/partner/referrals/:id',
    access: ['partner'],
    request: async (ctx) => ({ url: `/api/partner/referrals/${await h3Referral(ctx, 'sent')}` }),
  },
  {
    method: 'POST',
    url: '/api/partner/referrals/:id/respond',
    access: ['partner'],
    request: async (ctx) => ({
      url: `/api/partner/referrals/${await h3Referral(ctx, 'sent')}/respond`,
      headers: ifMatch1,
      payload: { status: 'accepted' },
    }),
  },
  {
    method: 'POST',
    url: '/api/partner/referrals/:id/outcome',
    access: ['partner'],
    request: async (ctx) => ({
      url: `/api/partner/referrals/${await h3Referral(ctx, 'accepted')}/outcome`,
      headers: ifMatch1,
      payload: { status: 'service_received' },
    }),
  },
  { method: 'GET', url: '/api/protocols', access: ['advocate', 'supervisor', 'admin'] },
  {
    method: 'PUT',
    url: '/api/protocols/:kind',
    access: ['supervisor', 'admin'],
    // The same checklist again (nothing changes but the version).
    request: async () => {
      const { protocol } = await h3Schema();
      const rows = await db.select().from(protocol);
      const p = rows.find((x) => x.kind === 'law_enforcement')!;
      return {
        url: '/api/protocols/law_enforcement',
        headers: { 'if-match': String(p.version) },
        payload: { steps: p.steps, requires_approval: p.requiresApproval },
      };
    },
  },
  {
    method: 'GET',
    url: '/api/cases/:id/agencies',
    access: CASE_WORKER_ROLES,
    request: async () => ({ url: `/api/cases/${await h3Case()}/agencies?kind=child_protection` }),
  },
  {
    method: 'POST',
    url: '/api/cases/:id/escalations',
    access: CASE_WORKER_ROLES,
    request: async () => ({
      url: `/api/cases/${await h3Case()}/escalations`,
      payload: { kind: 'emergency', consent_given: true },
    }),
  },
  {
    method: 'POST',
    url: '/api/escalations/:id/approve',
    access: ['supervisor'],
    request: async () => ({
      url: `/api/escalations/${await h3Escalation('awaiting_approval')}/approve`,
      payload: {},
    }),
  },
  {
    method: 'POST',
    url: '/api/escalations/:id/steps',
    access: CASE_WORKER_ROLES,
    request: async () => ({
      url: `/api/escalations/${await h3Escalation()}/steps`,
      headers: ifMatch1,
      payload: { key: 'only_step', done: true },
    }),
  },
  {
    method: 'POST',
    url: '/api/escalations/:id/made',
    access: CASE_WORKER_ROLES,
    request: async () => ({
      url: `/api/escalations/${await h3Escalation()}/made`,
      headers: ifMatch1,
      payload: { agency_reference: 'MTRX-1' },
    }),
  },
  {
    method: 'POST',
    url: '/api/escalations/:id/complete',
    access: CASE_WORKER_ROLES,
    request: async () => ({
      url: `/api/escalations/${await h3Escalation()}/complete`,
      headers: ifMatch1,
      payload: { outcome: 'report_received' },
    }),
  },
  {
    method: 'POST',
    url: '/api/escalations/:id/cancel',
    access: CASE_WORKER_ROLES,
    request: async () => ({
      url: `/api/escalations/${await h3Escalation()}/cancel`,
      headers: ifMatch1,
      payload: { note: 'Matrix (fictional)' },
    }),
  },
);
// --- end referrals ---

/** Steps of the sign-in flow: they need a sign-in in progress, tested in identity.test.ts. */
const SIGN_IN_FLOW = new Set([
  'POST /api/auth/sign-in',
  'POST /api/auth/mfa/verify',
  'POST /api/auth/mfa/enrol/confirm',
  'POST /api/auth/accept-invite',
]);

describe('route policies', () => {
  it('every registered route declares a policy', () => {
    expect(harbour.routes.length).toBeGreaterThan(15);
    const missing = harbour.routes.filter((r) => !r.policy).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
  });

  it('a route without a policy refuses to register', async () => {
    const app = Fastify();
    const routes: RegisteredRoute[] = [];
    registerAccessControl(
      app,
      { session: async () => undefined, token: async () => undefined },
      routes,
      [],
      100,
    );
    expect(() => app.get('/api/forgotten', async () => ({ leaked: true }))).toThrow(/declares no policy/);
    await app.close();
  });

  it('the matrix covers every API route', () => {
    const api = harbour.routes
      .filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs') && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`);
    const covered = new Set([...MATRIX.map((c) => `${c.method} ${c.url}`), ...SIGN_IN_FLOW]);
    expect(api.filter((r) => !covered.has(r))).toEqual([]);
  });
});

describe('route × role matrix', () => {
  for (const c of MATRIX) {
    it(`${c.method} ${c.url}`, async () => {
      const outcomes: Record<string, number> = {};
      const expected: Record<string, number | 'ok'> = {};
      for (const who of ['anonymous', ...ROLES] as const) {
        const [org] = await db
          .insert(organization)
          .values({ name: `Matrix Org ${Math.random().toString(16).slice(2, 8)} (fictional)` })
          .returning();
        const ctx: Ctx = { orgId: org!.id };
        let headers: Record<string, string> = {};
        if (who !== 'anonymous') {
          const user = await createUser(db, {
            role: who,
            ...(who === 'partner' ? { organizationId: ctx.orgId } : {}),
          });
          ctx.userId = user.id;
          headers = (await sessionFor(db, user)).headers;
        }
        const req = c.request ? await c.request(ctx) : {};
        const res = await harbour.app.inject({
          method: c.method,
          url: req.url ?? c.url,
          headers: { ...headers, ...req.headers },
          ...(req.payload !== undefined ? { payload: req.payload as object } : {}),
        });
        const allowed =
          c.access === 'public' || (who !== 'anonymous' && (c.access === 'all' || c.access.includes(who)));
        outcomes[who] =
          (res.statusCode >= 200 && res.statusCode < 300) || (allowed && res.statusCode === c.ok)
            ? 200
            : res.statusCode;
        expected[who] = allowed ? 200 : who === 'anonymous' ? 401 : 403;
      }
      expect(outcomes).toEqual(expected);
    });
  }
});
