import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import twilio from 'twilio';
import type {
  CallPartyRow,
  PhoneCallRow,
  SignalLanguage,
  SignalRow,
  VoiceEndpointRow,
} from '../../db/schema.js';
import { callParty, phoneCall, signal, voiceEndpoint } from '../../db/schema.js';
import { type Actor, recordAudit } from '../../platform/audit.js';
import { publish } from '../../platform/bus.js';
import { decrypt, encrypt } from '../../platform/crypto.js';
import type { Db } from '../../platform/db.js';
import { AppError, notFound } from '../../platform/errors.js';
import type { AuthUser } from '../../platform/policy.js';
import { recordSignalEvent } from '../queue/signals.service.js';
import { isSupervisor } from '../queue/staff.service.js';
import type { ChannelsDeps } from './channels.module.js';
import { contactHash, normalizeAddress } from './contact.js';
import { claimReceipt } from './twilio.js';
import {
  advocateConferenceTwiml,
  callerConferenceTwiml,
  closedTwiml,
  conferenceName,
  connectingTwiml,
  digitsTwiml,
  emptyTwiml,
  enqueueTwiml,
  greetingTwiml,
  hangupTwiml,
  menuAgainTwiml,
  refusedTwiml,
  type TwimlContext,
  unavailableTwiml,
  VOICE_PATHS,
  voiceUrl,
  waitTwiml,
} from './voice.twiml.js';

/**
 * Phone calls into the live queue (docs/api/channels.md, "Phone"): the webhooks' decisions, the REST calls that
 * connect, hold, mute and hang up, the interpreter as a third party, and the staff's call card.
 *
 * Once-only: every webhook effect is committed with its `channel_receipt` (a retried webhook answers like the
 * first time, from what is stored). Ending a signal is idempotent (`signals.endSignal`), so a final status is
 * applied again on a retry when a crash separated it from its receipt.
 *
 * Privacy: phone numbers are only normalised, hashed and sealed; they never reach a log line, an event's data,
 * a bus payload or a response. A Twilio failure is logged with its status and code only (its message may quote
 * a number).
 */

export const FINAL_CALL_STATUSES = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled']);
const CALL_STATUSES = new Set([
  'queued',
  'initiated',
  'ringing',
  'in-progress',
  'answered',
  ...FINAL_CALL_STATUSES,
]);
const CALL_SID = /^CA[0-9a-fA-F]{32}$/;
const CONFERENCE_SID = /^CF[0-9a-fA-F]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** BCP 47, as the interpreter route accepts it (`es`, `zh-Hant`, `pt-BR`, `ti-ER`…). */
export const LANGUAGE_TAG = '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$';
const TOKEN_TTL_S = 3600;
/** Redirecting the caller into the conference on accept: tries, and the pause before the next one (× attempt). */
export const REDIRECT_ATTEMPTS = 3;
export const REDIRECT_BACKOFF_MS = 400;

type Params = Record<string, string>;

/** A webhook without what it needs: 400 naming the fields (never a 5xx). */
function require(params: Params, fields: Record<string, RegExp | Set<string>>): void {
  const bad = Object.entries(fields)
    .filter(([name, rule]) => {
      const v = params[name];
      if (typeof v !== 'string' || v === '') return true;
      return rule instanceof Set ? !rule.has(v) : !rule.test(v);
    })
    .map(([name]) => name);
  if (bad.length) throw new AppError('VALIDATION_FAILED', 400, { fields: bad.join(', ') });
}

/** Is `at` within `HH:MM-HH:MM` in that time zone (an end before the start spans midnight)? */
export function withinHours(hours: { start: string; end: string; timeZone: string } | undefined, at: Date) {
  if (!hours) return true;
  const minutes = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: hours.timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const now = part('hour') * 60 + part('minute');
  const start = minutes(hours.start);
  const end = minutes(hours.end);
  if (start === end) return true;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/** Marks a retried arrival inside `arrive`'s transaction, so that it rolls back. */
class AlreadyReceived extends Error {}

export interface CallPartyView {
  id: string;
  kind: 'advocate' | 'interpreter';
  language: string | null;
  status: string;
  startedAt: string | null;
  endedAt: string | null;
  seconds: number | null;
}

export interface CallView {
  status: string;
  answeredAt: string | null;
  onHold: boolean;
  muted: boolean;
  conference: boolean;
  parties: CallPartyView[];
}

export function createVoiceService(deps: ChannelsDeps & { now?: () => Date }) {
  const { db, config, signals, log } = deps;
  const now = deps.now ?? (() => new Date());
  const ctx: TwimlContext = { publicUrl: config.publicUrl, emergency: config.emergencyNumber ?? '911' };
  const hook = (path: string, query?: Record<string, string>) => voiceUrl(ctx, path, query);

  /** Logs a failed Twilio request without its message (it may quote a number). */
  function logFailure(err: unknown, action: string, signalId: string) {
    const e = err as { name?: string; status?: unknown; code?: unknown };
    log.warn(
      { err: { type: e?.name, status: e?.status, code: e?.code }, action, signal: signalId },
      'twilio request failed',
    );
  }

  /**
   * The caller could not be connected to the advocate who accepted: the signal waits again (not answered, no
   * assignee, a `call_status` connect_failed event), so the router offers it to the next advocate.
   */
  async function requeue(signalId: string): Promise<void> {
    await db.transaction(async (tx) => {
      const at = now();
      const [row] = await tx
        .update(signal)
        .set({
          state: 'queued',
          assignedUserId: null,
          answeredAt: null,
          updatedAt: at,
          version: sql`${signal.version} + 1`,
        })
        .where(and(eq(signal.id, signalId), eq(signal.state, 'active')))
        .returning({ id: signal.id });
      if (!row) return;
      await recordSignalEvent(tx, signalId, 'call_status', null, { status: 'connect_failed' });
      await publish(tx, { topic: 'signal', id: signalId, state: 'queued' });
      await publish(tx, { topic: 'call', signal: signalId });
    });
  }

  /** Hold (the caller's leg) or mute (the advocate's) at Twilio, then the card, timeline, audit and bus. */
  async function switchLeg(
    actor: Actor,
    user: AuthUser,
    signalId: string,
    conferenceSid: string,
    callSid: string,
    what: 'hold' | 'mute',
    on: boolean,
  ): Promise<CallView> {
    try {
      await client()
        .conferences(conferenceSid)
        .participants(callSid)
        .update(what === 'hold' ? { hold: on } : { muted: on });
    } catch (err) {
      logFailure(err, `call.${what}`, signalId);
      throw new AppError('CALL_ACTION_FAILED', 502);
    }
    await db.transaction(async (tx) => {
      await tx
        .update(phoneCall)
        .set({ ...(what === 'hold' ? { onHold: on } : { advocateMuted: on }), updatedAt: now() })
        .where(eq(phoneCall.signalId, signalId));
      await recordSignalEvent(tx, signalId, what === 'hold' ? 'call_hold' : 'call_mute', user.id, { on });
      await recordAudit(tx, actor, {
        action: `call.${what}`,
        targetType: 'signal',
        targetId: signalId,
        details: { on },
      });
      await publish(tx, { topic: 'call', signal: signalId });
    });
    return callView(signalId);
  }

  function client() {
    if (!deps.twilio) throw new AppError('TWILIO_NOT_CONFIGURED', 503);
    return deps.twilio;
  }

  function hotlineNumber(to: string | undefined) {
    const number = normalizeAddress('phone', to);
    const known = number ? config.twilio?.numbers.find((n) => n.number === number) : undefined;
    return { number: number ?? null, language: known?.language, campaign: known?.campaign ?? null };
  }

  async function callBySid(callSid: string): Promise<PhoneCallRow | undefined> {
    const [row] = await db.select().from(phoneCall).where(eq(phoneCall.callSid, callSid)).limit(1);
    return row;
  }

  async function callOf(signalId: string): Promise<PhoneCallRow | undefined> {
    const [row] = await db.select().from(phoneCall).where(eq(phoneCall.signalId, signalId)).limit(1);
    return row;
  }

  async function partiesOf(signalId: string): Promise<CallPartyRow[]> {
    return db.select().from(callParty).where(eq(callParty.signalId, signalId)).orderBy(callParty.createdAt);
  }

  /** What a retried (or late) menu webhook answers, from the signal as it is now. */
  function answerFor(s: SignalRow): string {
    if (s.state === 'ended') return s.endReason === 'unavailable' ? unavailableTwiml(ctx) : hangupTwiml();
    if (s.state === 'queued' || s.state === 'offered') return enqueueTwiml(ctx, s.language);
    if (s.state === 'active') return emptyTwiml();
    return greetingTwiml(ctx);
  }

  async function defaultLanguage(s: SignalRow): Promise<SignalLanguage> {
    return hotlineNumber(s.hotlineAddress ?? undefined).language ?? 'en';
  }

  /** Ends the open parties of a call (the conference ended with it): who, which language, how long. */
  async function closeParties(tx: Db, signalId: string, at: Date) {
    const open = await tx
      .select()
      .from(callParty)
      .where(and(eq(callParty.signalId, signalId), inArray(callParty.status, ['dialing', 'joined'])));
    for (const p of open) await leaveParty(tx, p, at, p.status === 'joined' ? 'left' : 'failed');
  }

  async function leaveParty(
    tx: Db,
    p: CallPartyRow,
    at: Date,
    status: 'left' | 'failed',
    by: string | null = null,
  ) {
    const [updated] = await tx
      .update(callParty)
      .set(status === 'left' ? { status, endedAt: at } : { status })
      .where(and(eq(callParty.id, p.id), inArray(callParty.status, ['dialing', 'joined'])))
      .returning();
    if (!updated) return;
    if (p.kind === 'interpreter' && status === 'left') {
      const seconds = p.startedAt
        ? Math.max(0, Math.round((at.getTime() - p.startedAt.getTime()) / 1000))
        : 0;
      await recordSignalEvent(tx, p.signalId, 'interpreter_left', by, { language: p.language, seconds });
    }
    if (p.kind === 'advocate')
      await tx
        .update(phoneCall)
        .set({ advocateMuted: false, updatedAt: at })
        .where(eq(phoneCall.signalId, p.signalId));
  }

  /** Dials a forwarded advocate's number into the conference (a `call_party` advocate row). */
  async function dialAdvocate(s: SignalRow, userId: string): Promise<void> {
    const [endpoint] = await db.select().from(voiceEndpoint).where(eq(voiceEndpoint.userId, userId)).limit(1);
    if (endpoint?.mode !== 'forward' || !endpoint.forwardNumberSealed) return;
    const number = decrypt(config.encryptionKey, endpoint.forwardNumberSealed, userId).toString('utf8');
    const id = randomUUID();
    await db.transaction(async (tx) => {
      await tx.insert(callParty).values({ id, signalId: s.id, kind: 'advocate', userId, status: 'dialing' });
      await publish(tx, { topic: 'call', signal: s.id });
    });
    try {
      const p = await client()
        .conferences(conferenceName(s.id))
        .participants.create({
          from: config.twilio?.callerId ?? config.twilio?.numbers[0]?.number ?? '',
          to: number,
          label: id,
          timeout: 25,
          beep: 'false',
          startConferenceOnEnter: true,
          endConferenceOnExit: false,
          statusCallback: hook(VOICE_PATHS.party, { party: id }),
          statusCallbackMethod: 'POST',
          statusCallbackEvent: ['answered', 'completed'],
        });
      await db.update(callParty).set({ callSid: p.callSid }).where(eq(callParty.id, id));
    } catch (err) {
      logFailure(err, 'forward.dial', s.id);
      await db.transaction(async (tx) => {
        await tx.update(callParty).set({ status: 'failed' }).where(eq(callParty.id, id));
        await publish(tx, { topic: 'call', signal: s.id });
      });
    }
  }

  /** Removes a party's leg from the conference (a leg already gone is fine). */
  async function removeLeg(pc: PhoneCallRow, p: CallPartyRow, action: string) {
    if (!p.callSid) return;
    try {
      if (pc.conferenceSid) await client().conferences(pc.conferenceSid).participants(p.callSid).remove();
      else await client().calls(p.callSid).update({ status: 'completed' });
    } catch (err) {
      if ((err as { status?: number }).status !== 404) {
        logFailure(err, action, pc.signalId);
        throw new AppError('CALL_ACTION_FAILED', 502);
      }
    }
  }

  /** The assigned advocate, or a supervisor; the signal must be a phone call. */
  async function loadCall(user: AuthUser, signalId: string) {
    const [s] = await db.select().from(signal).where(eq(signal.id, signalId)).limit(1);
    if (s?.channel !== 'phone') throw notFound();
    if (s.assignedUserId !== user.id && !isSupervisor(user)) throw new AppError('SIGNAL_NOT_YOURS', 403);
    const pc = await callOf(signalId);
    if (!pc) throw notFound();
    return { s, pc };
  }

  /** Connected: in a conference, answered and not ended. */
  function requireConnected(s: SignalRow, pc: PhoneCallRow): string {
    if (!pc.conferenceSid || s.state !== 'active' || FINAL_CALL_STATUSES.has(pc.status))
      throw new AppError('CALL_NOT_CONNECTED', 409);
    return pc.conferenceSid;
  }

  async function callView(signalId: string): Promise<CallView> {
    const [s] = await db.select().from(signal).where(eq(signal.id, signalId)).limit(1);
    const pc = await callOf(signalId);
    if (!s || !pc) throw notFound();
    const at = now();
    const parties = await partiesOf(signalId);
    return {
      status: pc.status,
      answeredAt: s.answeredAt?.toISOString() ?? null,
      onHold: pc.onHold,
      muted: pc.advocateMuted,
      conference: Boolean(pc.conferenceSid) && s.state === 'active' && !FINAL_CALL_STATUSES.has(pc.status),
      parties: parties.map((p) => ({
        id: p.id,
        kind: p.kind,
        language: p.language,
        status: p.status,
        startedAt: p.startedAt?.toISOString() ?? null,
        endedAt: p.endedAt?.toISOString() ?? null,
        seconds: p.startedAt
          ? Math.max(0, Math.round(((p.endedAt ?? at).getTime() - p.startedAt.getTime()) / 1000))
          : null,
      })),
    };
  }

  /** What a retried incoming webhook answers, from what is stored. */
  async function replayIncoming(pc: PhoneCallRow): Promise<string> {
    const s = await signals.getSignal(pc.signalId);
    if (!s) return hangupTwiml();
    if (s.state === 'ivr' && !withinHours(config.phoneHours, now())) {
      await signals.endSignal(s.id, 'unavailable');
      return closedTwiml(ctx);
    }
    if (s.state === 'ended' && s.endReason === 'unavailable' && !s.queuedAt) {
      const events = await signals.timeline(s.id);
      return events.some((e) => e.type === 'menu_choice') ? unavailableTwiml(ctx) : closedTwiml(ctx);
    }
    return s.state === 'ivr' ? greetingTwiml(ctx) : answerFor(s);
  }

  return {
    /** POST /webhooks/twilio/voice: a new call → `ivr` signal + greeting (or, closed, the closed message). */
    async incoming(params: Params): Promise<string> {
      require(params, { CallSid: CALL_SID });
      const callSid = params.CallSid as string;
      const existing = await callBySid(callSid);
      if (existing) return replayIncoming(existing);
      const caller = normalizeAddress('phone', params.From);
      const hotline = hotlineNumber(params.To);
      let row: SignalRow;
      try {
        row = await signals.arrive({
          channel: 'phone',
          language: hotline.language ?? 'en',
          state: 'ivr',
          contactHash: caller ? contactHash(config.encryptionKey, caller) : null,
          address: caller ?? null,
          hotlineAddress: hotline.number,
          campaign: hotline.campaign,
          within: async (tx, s) => {
            if (!(await claimReceipt(tx, 'twilio', `call:${callSid}:incoming`, s.id)))
              throw new AlreadyReceived();
            const status = CALL_STATUSES.has(params.CallStatus ?? '')
              ? (params.CallStatus as string)
              : 'ringing';
            await tx.insert(phoneCall).values({ signalId: s.id, callSid, status, updatedAt: s.arrivedAt });
            await recordSignalEvent(tx, s.id, 'call_status', null, { status });
            await publish(tx, { topic: 'call', signal: s.id });
          },
        });
      } catch (err) {
        // A concurrent retry of the same webhook won (receipt or call_sid taken): answer like it did.
        const again = await callBySid(callSid);
        if (again) return replayIncoming(again);
        throw err;
      }
      if (!withinHours(config.phoneHours, now())) {
        await signals.endSignal(row.id, 'unavailable');
        return closedTwiml(ctx);
      }
      return greetingTwiml(ctx);
    },

    /** POST /webhooks/twilio/voice/menu: the caller's choice → queued (or the unavailable message). */
    async menu(params: Params, query: Params): Promise<string> {
      require(params, { CallSid: CALL_SID });
      const pc = await callBySid(params.CallSid as string);
      if (!pc) throw notFound();
      const s = await signals.getSignal(pc.signalId);
      if (!s) throw notFound();
      if (s.state !== 'ivr') return answerFor(s);
      const digit = (params.Digits ?? '').trim().slice(0, 1);
      const chosen: Record<string, SignalLanguage> = { '1': 'en', '2': 'fr', '3': 'other' };
      let language = chosen[digit];
      if (!language && digit !== '' && !query.retry && !query.silence) return menuAgainTwiml(ctx);
      const defaulted = !language;
      language ??= await defaultLanguage(s);
      const data = { digit: defaulted ? null : digit, language, ...(defaulted ? { defaulted: true } : {}) };
      const record = async (tx: Db) => {
        if (!(await claimReceipt(tx, 'twilio', `call:${pc.callSid}:menu`, s.id))) return false;
        await recordSignalEvent(tx, s.id, 'menu_choice', null, data);
        await tx
          .update(phoneCall)
          .set({ menuDigit: defaulted ? null : digit, updatedAt: now() })
          .where(eq(phoneCall.signalId, s.id));
        await publish(tx, { topic: 'call', signal: s.id });
        return true;
      };
      const available = await signals.availableLanguages();
      if (!available.has(language)) {
        await db.transaction(async (tx) => {
          await record(tx);
        });
        await signals.endSignal(s.id, 'unavailable');
        return unavailableTwiml(ctx);
      }
      const queued = await signals.enqueue(s.id, { language, interpreterLanguage: null }, async (tx) => {
        await record(tx);
      });
      if (queued) return enqueueTwiml(ctx, language);
      const fresh = await signals.getSignal(s.id);
      return fresh ? answerFor(fresh) : hangupTwiml();
    },

    /** POST /webhooks/twilio/voice/wait: the hold message (or, in the conference, "an advocate is joining"). */
    wait(query: Params): string {
      const lang = (['en', 'fr', 'other'] as const).find((l) => l === query.lang);
      return query.connecting ? connectingTwiml(ctx, lang) : waitTwiml(ctx, lang);
    },

    /** POST /webhooks/twilio/voice/queue-result: the caller left the line (hung up, or an error). */
    async queueResult(params: Params): Promise<string> {
      require(params, { CallSid: CALL_SID, QueueResult: /^[a-z-]{1,40}$/ });
      const pc = await callBySid(params.CallSid as string);
      if (!pc) throw notFound();
      const s = await signals.getSignal(pc.signalId);
      if (!s) throw notFound();
      const waiting = s.state === 'queued' || s.state === 'offered' || s.state === 'ivr';
      switch (params.QueueResult) {
        case 'hangup':
          if (waiting) await signals.endSignal(s.id, 'abandoned');
          return emptyTwiml();
        case 'queue-full':
        case 'error':
        case 'system-error':
          if (waiting) {
            await signals.endSignal(s.id, 'unavailable');
            return unavailableTwiml(ctx);
          }
          return emptyTwiml();
        default:
          // redirected / bridged / leave: answered elsewhere (the REST redirect into the conference).
          return emptyTwiml();
      }
    },

    /** POST /webhooks/twilio/voice/status: the caller's leg changed; a final status ends the signal. */
    async status(params: Params): Promise<string> {
      require(params, { CallSid: CALL_SID, CallStatus: CALL_STATUSES });
      const status = params.CallStatus as string;
      const pc = await callBySid(params.CallSid as string);
      if (!pc) throw notFound();
      const final = FINAL_CALL_STATUSES.has(status);
      await db.transaction(async (tx) => {
        if (!(await claimReceipt(tx, 'twilio', `call:${pc.callSid}:status:${status}`, pc.signalId))) return;
        const at = now();
        // A late non-final status never replaces a final one.
        await tx
          .update(phoneCall)
          .set({ status, updatedAt: at })
          .where(
            and(
              eq(phoneCall.signalId, pc.signalId),
              final
                ? sql`true`
                : sql`${phoneCall.status} not in ('completed','busy','failed','no-answer','canceled')`,
            ),
          );
        await recordSignalEvent(tx, pc.signalId, 'call_status', null, { status });
        if (final) await closeParties(tx, pc.signalId, at);
        await publish(tx, { topic: 'call', signal: pc.signalId });
      });
      if (final) {
        // Applied on every delivery (idempotent): a crash after the receipt must not leave the signal open.
        const s = await signals.getSignal(pc.signalId);
        if (s && s.state !== 'ended') await signals.endSignal(s.id, s.answeredAt ? 'completed' : 'abandoned');
      }
      return emptyTwiml();
    },

    /** POST /webhooks/twilio/voice/client: an advocate's browser joins their call's conference. */
    async client(params: Params): Promise<string> {
      require(params, { CallSid: CALL_SID, From: /^client:.{1,200}$/ });
      const userId = (params.From as string).slice('client:'.length);
      const signalId = params.signal ?? '';
      if (!UUID.test(userId) || !UUID.test(signalId)) return refusedTwiml(ctx);
      const s = await signals.getSignal(signalId);
      const pc = s ? await callOf(signalId) : undefined;
      if (
        !s ||
        !pc ||
        s.channel !== 'phone' ||
        s.state !== 'active' ||
        s.assignedUserId !== userId ||
        FINAL_CALL_STATUSES.has(pc.status)
      )
        return refusedTwiml(ctx);
      await db.transaction(async (tx) => {
        const rows = await tx
          .insert(callParty)
          .values({
            signalId,
            kind: 'advocate',
            userId,
            callSid: params.CallSid as string,
            status: 'dialing',
          })
          .onConflictDoNothing()
          .returning({ id: callParty.id });
        if (rows.length) await publish(tx, { topic: 'call', signal: signalId });
      });
      return advocateConferenceTwiml(ctx, signalId);
    },

    /** POST /webhooks/twilio/voice/conference: the conference's sid, who joined and left, when. */
    async conference(params: Params): Promise<string> {
      require(params, { ConferenceSid: CONFERENCE_SID, StatusCallbackEvent: /^[a-z-]{1,40}$/ });
      const conferenceSid = params.ConferenceSid as string;
      const event = params.StatusCallbackEvent as string;
      const name = /^harbour-(.{36})$/.exec(params.FriendlyName ?? '')?.[1];
      const named = name && UUID.test(name) ? name : undefined;
      const [pc] = named
        ? await db.select().from(phoneCall).where(eq(phoneCall.signalId, named)).limit(1)
        : await db.select().from(phoneCall).where(eq(phoneCall.conferenceSid, conferenceSid)).limit(1);
      if (!pc) throw notFound();
      const seq = params.SequenceNumber ?? `${event}:${params.CallSid ?? ''}`;
      const callSid = CALL_SID.test(params.CallSid ?? '') ? (params.CallSid as string) : undefined;
      let sendCode: CallPartyRow | undefined;
      await db.transaction(async (tx) => {
        if (!(await claimReceipt(tx, 'twilio', `conf:${conferenceSid}:${seq}`, pc.signalId))) return;
        const at = now();
        if (event !== 'conference-end')
          await tx
            .update(phoneCall)
            .set({ conferenceSid, updatedAt: at })
            .where(and(eq(phoneCall.signalId, pc.signalId), isNull(phoneCall.conferenceSid)));
        if (
          (event === 'participant-join' || event === 'participant-leave') &&
          callSid &&
          callSid !== pc.callSid
        ) {
          const label = params.ParticipantLabel ?? '';
          const [party] = await tx
            .select()
            .from(callParty)
            .where(
              and(
                eq(callParty.signalId, pc.signalId),
                UUID.test(label) ? eq(callParty.id, label) : eq(callParty.callSid, callSid),
              ),
            )
            .limit(1);
          if (party && event === 'participant-join' && party.status === 'dialing') {
            const [joined] = await tx
              .update(callParty)
              .set({ status: 'joined', startedAt: at, callSid: party.callSid ?? callSid })
              .where(and(eq(callParty.id, party.id), eq(callParty.status, 'dialing')))
              .returning();
            if (joined?.kind === 'interpreter' && joined.language)
              // "Interpreter used" is a fact of the signal (reports): recorded once an interpreter really joined,
              // unless a language was already known.
              await tx
                .update(signal)
                .set({ interpreterLanguage: joined.language })
                .where(and(eq(signal.id, pc.signalId), isNull(signal.interpreterLanguage)));
            if (joined?.kind === 'interpreter' && config.interpreterLine?.code) sendCode = joined;
          }
          if (party && event === 'participant-leave')
            await leaveParty(tx, party, at, party.status === 'joined' ? 'left' : 'failed');
        }
        // Twilio sends no in-progress status for an incoming call: the caller joining the conference is it.
        if (event === 'participant-join' && callSid === pc.callSid)
          await tx
            .update(phoneCall)
            .set({ status: 'in-progress', updatedAt: at })
            .where(
              and(
                eq(phoneCall.signalId, pc.signalId),
                notInArray(phoneCall.status, ['completed', 'busy', 'failed', 'no-answer', 'canceled']),
              ),
            );
        if (event === 'participant-leave' && callSid === pc.callSid)
          await tx
            .update(phoneCall)
            .set({ onHold: false, updatedAt: at })
            .where(eq(phoneCall.signalId, pc.signalId));
        if (event === 'conference-end') await closeParties(tx, pc.signalId, at);
        await publish(tx, { topic: 'call', signal: pc.signalId });
      });
      if (sendCode?.callSid) {
        // The language line's access code, as DTMF to that leg only (best effort: the interpreter can still be
        // reached by the advocate saying the code).
        try {
          await client()
            .conferences(conferenceSid)
            .participants(sendCode.callSid)
            .update({ announceUrl: hook(VOICE_PATHS.interpreterCode), announceMethod: 'POST' });
        } catch (err) {
          logFailure(err, 'interpreter.code', pc.signalId);
        }
      }
      return emptyTwiml();
    },

    /** POST /webhooks/twilio/voice/interpreter-code: the DTMF access code of the interpreter line. */
    interpreterCode(): string {
      const code = config.interpreterLine?.code;
      return code && /^[0-9wW*#]{1,40}$/.test(code) ? digitsTwiml(code) : emptyTwiml();
    },

    /** POST /webhooks/twilio/voice/party: status of a leg Harbour dialled (interpreter, forwarded advocate). */
    async party(params: Params, query: Params): Promise<string> {
      require(params, { CallSid: CALL_SID, CallStatus: CALL_STATUSES });
      const status = params.CallStatus as string;
      const partyId = UUID.test(query.party ?? '') ? (query.party as string) : undefined;
      const [p] = await db
        .select()
        .from(callParty)
        .where(partyId ? eq(callParty.id, partyId) : eq(callParty.callSid, params.CallSid as string))
        .limit(1);
      if (!p) throw notFound();
      await db.transaction(async (tx) => {
        if (!(await claimReceipt(tx, 'twilio', `call:${params.CallSid}:status:${status}`, p.signalId)))
          return;
        if (!p.callSid)
          await tx
            .update(callParty)
            .set({ callSid: params.CallSid as string })
            .where(and(eq(callParty.id, p.id), isNull(callParty.callSid)));
        if (['failed', 'no-answer', 'busy', 'canceled'].includes(status))
          await leaveParty(tx, p, now(), 'failed');
        else if (status === 'completed')
          await leaveParty(tx, p, now(), p.status === 'joined' ? 'left' : 'failed');
        await publish(tx, { topic: 'call', signal: p.signalId });
      });
      return emptyTwiml();
    },

    // ----- channel hooks (after the queue committed) -----

    /** An advocate accepted: the caller's leg goes into the conference; a forwarded advocate is dialled. */
    async answered(s: SignalRow, userId: string): Promise<void> {
      if (s.channel !== 'phone') return;
      const pc = await callOf(s.id);
      if (!pc || FINAL_CALL_STATUSES.has(pc.status)) return;
      // The caller must not be stranded in Twilio's queue while the signal looks answered: a passing failure is
      // retried; when Twilio still refuses, the call goes back to the queue (the next accept tries again).
      for (let attempt = 1; ; attempt++) {
        try {
          await client()
            .calls(pc.callSid)
            .update({ twiml: callerConferenceTwiml(ctx, s.id, s.language) });
          break;
        } catch (err) {
          logFailure(err, 'answer.redirect', s.id);
          const status = Number((err as { status?: unknown })?.status);
          const passing = !Number.isFinite(status) || status >= 500 || status === 429;
          if (passing && attempt < REDIRECT_ATTEMPTS) {
            await new Promise((r) => setTimeout(r, REDIRECT_BACKOFF_MS * attempt));
            continue;
          }
          if (passing) await requeue(s.id);
          return; // 4xx: the call is gone at Twilio; its status callback ends the signal
        }
      }
      await dialAdvocate(s, userId);
    },

    /**
     * Moved to a colleague (by them or a supervisor): a forwarded colleague is dialled, then every other
     * advocate's leg leaves the conference; a colleague in the browser joins from their console.
     */
    async transferred(s: SignalRow, _byUserId: string, toUserId: string): Promise<void> {
      if (s.channel !== 'phone') return;
      const pc = await callOf(s.id);
      if (!pc || FINAL_CALL_STATUSES.has(pc.status)) return;
      await dialAdvocate(s, toUserId);
      const legs = (await partiesOf(s.id)).filter(
        (p) =>
          p.kind === 'advocate' && p.userId !== toUserId && (p.status === 'joined' || p.status === 'dialing'),
      );
      for (const p of legs) {
        try {
          await removeLeg(pc, p, 'transfer.remove');
        } catch {
          continue;
        }
        await db.transaction(async (tx) => {
          await leaveParty(tx, p, now(), p.status === 'joined' ? 'left' : 'failed');
          await publish(tx, { topic: 'call', signal: s.id });
        });
      }
    },

    /** Ended by staff: the caller's leg is hung up (the conference, and every other leg, ends with it). */
    async ended(s: SignalRow): Promise<void> {
      if (s.channel !== 'phone') return;
      const pc = await callOf(s.id);
      if (!pc || FINAL_CALL_STATUSES.has(pc.status)) return;
      try {
        await client().calls(pc.callSid).update({ status: 'completed' });
      } catch (err) {
        logFailure(err, 'end.hangup', s.id);
      }
    },

    // ----- staff -----

    /** A Voice SDK access token for the console (identity = user id, 1 h). */
    async token(actor: Actor, user: AuthUser) {
      const t = config.twilio;
      if (!t?.apiKeySid || !t.apiKeySecret || !t.twimlAppSid)
        throw new AppError('VOICE_SDK_NOT_CONFIGURED', 503);
      const { AccessToken } = twilio.jwt;
      const token = new AccessToken(t.accountSid, t.apiKeySid, t.apiKeySecret, {
        identity: user.id,
        ttl: TOKEN_TTL_S,
      });
      token.addGrant(
        new AccessToken.VoiceGrant({ outgoingApplicationSid: t.twimlAppSid, incomingAllow: false }),
      );
      const jwt = token.toJwt();
      const expiresAt = new Date(now().getTime() + TOKEN_TTL_S * 1000);
      await db.transaction(async (tx) => {
        await recordAudit(tx, actor, { action: 'voice.token', targetType: 'user', targetId: user.id });
      });
      return { token: jwt, identity: user.id, expiresAt: expiresAt.toISOString() };
    },

    async getEndpoint(user: AuthUser) {
      const [row] = await db.select().from(voiceEndpoint).where(eq(voiceEndpoint.userId, user.id)).limit(1);
      return presentEndpoint(row);
    },

    /** How I answer: in the browser, or on a forwarded number (E.164, sealed with my user id). */
    async putEndpoint(
      actor: Actor,
      user: AuthUser,
      body: { mode: 'browser' | 'forward'; number?: string | null },
    ) {
      let sealed: string | null | undefined;
      if (typeof body.number === 'string' && body.number.trim() !== '') {
        const number = normalizeAddress('phone', body.number);
        if (!number) throw new AppError('PHONE_NUMBER_INVALID', 400);
        sealed = encrypt(config.encryptionKey, number, user.id);
      } else if (body.number === null || body.number === '') sealed = null;
      return db.transaction(async (tx) => {
        const [current] = await tx
          .select()
          .from(voiceEndpoint)
          .where(eq(voiceEndpoint.userId, user.id))
          .limit(1);
        const forwardNumberSealed = sealed === undefined ? (current?.forwardNumberSealed ?? null) : sealed;
        if (body.mode === 'forward' && !forwardNumberSealed) throw new AppError('PHONE_NUMBER_INVALID', 400);
        const at = now();
        const [row] = await tx
          .insert(voiceEndpoint)
          .values({ userId: user.id, mode: body.mode, forwardNumberSealed, updatedAt: at })
          .onConflictDoUpdate({
            target: voiceEndpoint.userId,
            set: { mode: body.mode, forwardNumberSealed, updatedAt: at },
          })
          .returning();
        await recordAudit(tx, actor, {
          action: 'voice.endpoint.update',
          targetType: 'user',
          targetId: user.id,
          details: {
            mode: body.mode,
            numberChanged: sealed !== undefined,
            numberSet: Boolean(forwardNumberSealed),
          },
        });
        return presentEndpoint(row);
      });
    },

    async getCall(user: AuthUser, signalId: string): Promise<CallView> {
      await loadCall(user, signalId);
      return callView(signalId);
    },

    /** Puts the caller on hold (music) or back in the conversation. */
    async hold(actor: Actor, user: AuthUser, signalId: string, on: boolean): Promise<CallView> {
      const { s, pc } = await loadCall(user, signalId);
      const conferenceSid = requireConnected(s, pc);
      return switchLeg(actor, user, s.id, conferenceSid, pc.callSid, 'hold', on);
    },

    /** Mutes (or unmutes) the advocate's own leg. */
    async mute(actor: Actor, user: AuthUser, signalId: string, on: boolean): Promise<CallView> {
      const { s, pc } = await loadCall(user, signalId);
      const conferenceSid = requireConnected(s, pc);
      const [leg] = await db
        .select()
        .from(callParty)
        .where(
          and(
            eq(callParty.signalId, s.id),
            eq(callParty.kind, 'advocate'),
            eq(callParty.status, 'joined'),
            s.assignedUserId ? eq(callParty.userId, s.assignedUserId) : sql`true`,
          ),
        )
        .orderBy(desc(callParty.startedAt))
        .limit(1);
      if (!leg?.callSid) throw new AppError('CALL_NOT_CONNECTED', 409);
      return switchLeg(actor, user, s.id, conferenceSid, leg.callSid, 'mute', on);
    },

    /** Dials the interpreter line into the conference as a third party. */
    async addInterpreter(actor: Actor, user: AuthUser, signalId: string, language: string) {
      const line = config.interpreterLine;
      if (!line?.number) throw new AppError('INTERPRETER_NOT_CONFIGURED', 409);
      const { s, pc } = await loadCall(user, signalId);
      const conferenceSid = requireConnected(s, pc);
      const id = randomUUID();
      await db.transaction(async (tx) => {
        await tx
          .insert(callParty)
          .values({ id, signalId: s.id, kind: 'interpreter', userId: user.id, language, status: 'dialing' });
        await recordSignalEvent(tx, s.id, 'interpreter_added', user.id, { language });
        await recordAudit(tx, actor, {
          action: 'call.interpreter.add',
          targetType: 'signal',
          targetId: s.id,
          details: { party: id, language },
        });
        await publish(tx, { topic: 'call', signal: s.id });
      });
      try {
        const p = await client()
          .conferences(conferenceSid)
          .participants.create({
            from: config.twilio?.callerId ?? config.twilio?.numbers[0]?.number ?? '',
            to: line.number,
            label: id,
            timeout: 30,
            beep: 'false',
            startConferenceOnEnter: true,
            endConferenceOnExit: false,
            statusCallback: hook(VOICE_PATHS.party, { party: id }),
            statusCallbackMethod: 'POST',
            statusCallbackEvent: ['answered', 'completed'],
          });
        await db
          .update(callParty)
          .set({ callSid: p.callSid })
          .where(and(eq(callParty.id, id), isNull(callParty.callSid)));
      } catch (err) {
        logFailure(err, 'interpreter.dial', s.id);
        await db.transaction(async (tx) => {
          await tx.update(callParty).set({ status: 'failed' }).where(eq(callParty.id, id));
          await publish(tx, { topic: 'call', signal: s.id });
        });
        throw new AppError('CALL_ACTION_FAILED', 502);
      }
      return partyView(id);
    },

    /** The interpreter's leg leaves the conference; how long they were there is on the timeline. */
    async endInterpreter(actor: Actor, user: AuthUser, signalId: string, partyId: string) {
      const { s, pc } = await loadCall(user, signalId);
      const [p] = await db
        .select()
        .from(callParty)
        .where(
          and(eq(callParty.id, partyId), eq(callParty.signalId, s.id), eq(callParty.kind, 'interpreter')),
        )
        .limit(1);
      if (!p) throw notFound();
      if (p.status === 'dialing' || p.status === 'joined') {
        await removeLeg(pc, p, 'interpreter.remove');
        await db.transaction(async (tx) => {
          await leaveParty(tx, p, now(), p.status === 'joined' ? 'left' : 'failed', user.id);
          await recordAudit(tx, actor, {
            action: 'call.interpreter.end',
            targetType: 'signal',
            targetId: s.id,
            details: { party: p.id },
          });
          await publish(tx, { topic: 'call', signal: s.id });
        });
      }
      return partyView(p.id);
    },
  };

  async function partyView(id: string): Promise<CallPartyView> {
    const [p] = await db.select().from(callParty).where(eq(callParty.id, id)).limit(1);
    if (!p) throw notFound();
    const at = now();
    return {
      id: p.id,
      kind: p.kind,
      language: p.language,
      status: p.status,
      startedAt: p.startedAt?.toISOString() ?? null,
      endedAt: p.endedAt?.toISOString() ?? null,
      seconds: p.startedAt
        ? Math.max(0, Math.round(((p.endedAt ?? at).getTime() - p.startedAt.getTime()) / 1000))
        : null,
    };
  }
}

function presentEndpoint(row: VoiceEndpointRow | undefined) {
  return { mode: row?.mode ?? 'browser', forwardNumberSet: Boolean(row?.forwardNumberSealed) };
}

export type VoiceService = ReturnType<typeof createVoiceService>;
