import type { PresenceRow, PresenceStatus, SignalLanguage } from '../../db/schema.js';
import { type Actor, recordAudit } from '../../platform/audit.js';
import { publish } from '../../platform/bus.js';
import type { Db } from '../../platform/db.js';
import { type PresenceListRow, presenceRepository as repo } from './presence.repository.js';
import { cancelOffersOf } from './routing.service.js';

export interface PresenceDeps {
  db: Db;
  now?: () => Date;
}

export interface PresenceChange {
  status: PresenceStatus;
  languages?: SignalLanguage[];
  maxChats?: number;
}

export interface PresenceState {
  userId: string;
  status: PresenceStatus;
  languages: SignalLanguage[];
  maxChats: number;
  active: number;
  updatedAt: Date;
  displayName?: string;
}

const DEFAULT_MAX_CHATS = 3;

function stateOf(row: PresenceRow | null | undefined, userId: string, active: number): PresenceState {
  return {
    userId,
    status: row?.status ?? 'offline',
    languages: row?.languages ?? [],
    maxChats: row?.maxChats ?? DEFAULT_MAX_CHATS,
    active,
    updatedAt: row?.updatedAt ?? new Date(0),
  };
}

/**
 * Presence: whether a staff member takes signals now, which queues, and how many conversations at once.
 * Leaving `available` hands pending offers back to the queue at once; live conversations stay theirs.
 */
export function createPresenceService(deps: PresenceDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  return {
    async get(userId: string): Promise<PresenceState> {
      const row = await repo.find(db, userId);
      const counts = await repo.activeCounts(db, [userId]);
      return stateOf(row, userId, counts.get(userId) ?? 0);
    },

    /** Everyone who answers signals, for supervisors and the wallboard. */
    async list(): Promise<PresenceState[]> {
      const rows: PresenceListRow[] = await repo.listHandlers(db);
      return rows.map((r) => ({ ...stateOf(r.presence, r.userId, r.active), displayName: r.displayName }));
    },

    /**
     * Sets one's own presence. Without languages, someone who becomes available for the first time takes the
     * queue of their interface language (a queue-less "available" would never be offered anything).
     */
    async set(
      user: { id: string; locale: string },
      change: PresenceChange,
      actor: Actor,
    ): Promise<PresenceState> {
      return db.transaction(async (tx) => {
        const at = now();
        const before = await repo.lockOrCreate(tx, user.id);
        let languages = change.languages ? [...new Set(change.languages)] : before.languages;
        if (languages.length === 0 && change.status === 'available')
          languages = [user.locale.startsWith('fr') ? 'fr' : 'en'];
        let cancelled = 0;
        if (change.status !== 'available') cancelled = await cancelOffersOf(tx, user.id, at);
        const row = await repo.update(
          tx,
          user.id,
          {
            status: change.status,
            languages,
            ...(change.maxChats !== undefined ? { maxChats: change.maxChats } : {}),
          },
          at,
        );
        await recordAudit(tx, actor, {
          action: 'presence.update',
          targetType: 'user',
          targetId: user.id,
          details: { status: row.status, languages: row.languages, maxChats: row.maxChats, cancelled },
        });
        await publish(tx, { topic: 'presence', user: user.id });
        const counts = await repo.activeCounts(tx, [user.id]);
        return stateOf(row, user.id, counts.get(user.id) ?? 0);
      });
    },
  };
}

export type PresenceService = ReturnType<typeof createPresenceService>;
