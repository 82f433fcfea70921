import type { EndReason, SignalRow } from '../../db/schema.js';
import { type Actor, recordAudit } from '../../platform/audit.js';
import { publish } from '../../platform/bus.js';
import type { Db } from '../../platform/db.js';
import { AppError, forbidden, notFound } from '../../platform/errors.js';
import type { AuthUser } from '../../platform/policy.js';
import { HANDLER_ROLES } from './presence.repository.js';
import { routingRepository } from './routing.repository.js';
import type { ReportContents, SignalsService, TranscriptMessage } from './signals.service.js';
import { staffRepository as repo, type WrapUpValues } from './staff.repository.js';

export interface StaffDeps {
  db: Db;
  signals: SignalsService;
  now?: () => Date;
}

export type TransferTarget = { toUserId: string } | { toSupervisor: true };

export interface SignalDetailData {
  signal: SignalRow;
  messages: (TranscriptMessage & { authorName: string | null })[];
  report: ReportContents | null;
  events: { type: string; at: Date; userId: string | null; data: Record<string, unknown> }[];
}

/** Supervisors oversee every conversation; advocates only the ones assigned to them. */
export function isSupervisor(user: Pick<AuthUser, 'role'>): boolean {
  return user.role === 'supervisor';
}

/**
 * The advocate's side of a signal: the queue snapshot, reading (audited), writing, transferring, ending and
 * wrapping up. Advocates act on the signals assigned to them; supervisors on any.
 */
export function createStaffService(deps: StaffDeps) {
  const { db, signals } = deps;
  const now = deps.now ?? (() => new Date());

  async function load(id: string): Promise<SignalRow> {
    const s = await signals.getSignal(id);
    if (!s) throw notFound();
    return s;
  }

  /** The assigned advocate, or a supervisor (`oversee`); anyone else is refused without learning more. */
  function authorise(user: AuthUser, s: SignalRow, oversee: boolean) {
    if (s.assignedUserId === user.id) return;
    if (oversee && isSupervisor(user)) return;
    throw new AppError('SIGNAL_NOT_YOURS', 403);
  }

  /** The whole signal for the console: reading its transcript or report is audited (by the signals store). */
  async function detail(actor: Actor, user: AuthUser, id: string): Promise<SignalDetailData> {
    const s = await load(id);
    authorise(user, s, true);
    const messages = s.channel === 'report' ? [] : await signals.readTranscript(actor, id);
    const report = s.channel === 'report' ? ((await signals.readReport(actor, id)) ?? null) : null;
    const events = await signals.timeline(id);
    const fresh = (await signals.getSignal(id)) ?? s;
    const authors = [...new Set(messages.map((m) => m.authorUserId).filter((a): a is string => !!a))];
    const names = await repo.displayNames(db, authors);
    return {
      signal: fresh,
      messages: messages.map((m) => ({
        ...m,
        authorName: m.authorUserId ? (names.get(m.authorUserId) ?? null) : null,
      })),
      report,
      events: events.map((e) => ({ type: e.type, at: e.at, userId: e.userId, data: e.data })),
    };
  }

  return {
    detail,

    /** What the console's queue panel shows: waiting signals (no content), my offers, my conversations. */
    async queue(user: AuthUser) {
      const at = now();
      const [waiting, offers, mine] = await Promise.all([
        repo.waiting(db),
        repo.pendingOffersOf(db, user.id),
        repo.mine(db, user.id, at),
      ]);
      return { at, waiting, offers, mine };
    },

    async sendMessage(actor: Actor, user: AuthUser, id: string, clientId: string, text: string) {
      const s = await load(id);
      authorise(user, s, false);
      const result = await signals.appendMessage({
        signalId: id,
        sender: 'staff',
        clientId,
        text,
        authorUserId: user.id,
        actor,
      });
      return result;
    },

    async markRead(user: AuthUser, id: string, seq: number) {
      const s = await load(id);
      authorise(user, s, false);
      return (await signals.markRead(id, 'staff', seq)) ?? 0;
    },

    async typing(user: AuthUser, id: string, on: boolean) {
      const s = await load(id);
      authorise(user, s, false);
      if (s.state !== 'active') return;
      await signals.setTyping(id, 'staff', on);
    },

    /**
     * Hands a live conversation to a colleague or to a supervisor: it stays answered (no new wait), the
     * timeline and the audit log record who, to whom, when and why.
     */
    async transfer(actor: Actor, user: AuthUser, id: string, target: TransferTarget, reason: string) {
      const to = 'toUserId' in target ? target.toUserId : await repo.pickSupervisor(db, user.id);
      if (!to) throw new AppError('NO_SUPERVISOR_AVAILABLE', 409);
      if (to === user.id) throw new AppError('TRANSFER_TARGET_INVALID', 400);
      const recipient = await repo.findUser(db, to);
      if (
        !recipient ||
        recipient.disabledAt ||
        !(HANDLER_ROLES as readonly string[]).includes(recipient.role)
      )
        throw new AppError('TRANSFER_TARGET_INVALID', 400);
      return db.transaction(async (tx) => {
        const s = await routingRepository.lockSignal(tx, id);
        if (!s) throw notFound();
        authorise(user, s, true);
        if (s.state !== 'active') throw new AppError('SIGNAL_ENDED', 409);
        if (s.assignedUserId === to) throw new AppError('TRANSFER_TARGET_INVALID', 400);
        const at = now();
        const from = s.assignedUserId;
        const updated = await repo.reassign(tx, id, to, at);
        await repo.markAssigned(tx, to, at);
        await routingRepository.insertEvent(tx, {
          signalId: id,
          type: 'transferred',
          at,
          userId: user.id,
          data: { from, to, reason, toSupervisor: 'toSupervisor' in target },
        });
        await recordAudit(tx, actor, {
          action: 'signal.transfer',
          targetType: 'signal',
          targetId: id,
          reason,
          details: { from, to, toSupervisor: 'toSupervisor' in target },
        });
        await publish(tx, { topic: 'signal', id, state: updated.state });
        return updated;
      });
    },

    /** Ends a conversation (or closes a report's review). */
    async end(actor: Actor, user: AuthUser, id: string, reason?: EndReason) {
      const s = await load(id);
      authorise(user, s, true);
      if (s.state === 'ended') throw new AppError('SIGNAL_ENDED', 409);
      if (!isSupervisor(user) && s.state !== 'active') throw forbidden();
      const ended = await signals.endSignal(
        id,
        reason ?? (s.channel === 'report' ? 'reviewed' : 'completed'),
        actor,
      );
      if (!ended) throw new AppError('SIGNAL_ENDED', 409);
      return ended;
    },

    /**
     * Records the wrap-up. Optimistic concurrency: `version` is the one the form was loaded with; a save over
     * someone else's change is refused (409) instead of silently overwriting it.
     */
    async wrapUp(actor: Actor, user: AuthUser, id: string, version: number, values: WrapUpValues) {
      const s = await load(id);
      authorise(user, s, true);
      if (s.state === 'queued' || s.state === 'offered') throw new AppError('SIGNAL_NOT_YOURS', 403);
      await db.transaction(async (tx) => {
        const at = now();
        const saved = await repo.wrapUp(tx, id, version, { ...values, wrappedUpBy: user.id, at });
        if (!saved) throw new AppError('VERSION_CONFLICT', 409);
        await routingRepository.insertEvent(tx, {
          signalId: id,
          type: 'wrapped_up',
          at,
          userId: user.id,
          data: { version: saved.version },
        });
        await recordAudit(tx, actor, {
          action: 'signal.wrap_up',
          targetType: 'signal',
          targetId: id,
          details: { version: saved.version },
        });
        await publish(tx, { topic: 'signal', id, state: saved.state });
      });
      return detail(actor, user, id);
    },
  };
}

export type StaffService = ReturnType<typeof createStaffService>;
