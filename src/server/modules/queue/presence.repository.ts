import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { type PresenceRow, presence, signal, users } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';

/** Roles that answer signals: only they have a presence. */
export const HANDLER_ROLES = ['advocate', 'supervisor'] as const;

export interface PresenceListRow {
  userId: string;
  displayName: string;
  role: string;
  presence: PresenceRow | null;
  active: number;
}

/** All SQL of presence (who is available for which queues). A missing row is `undefined`. */
export const presenceRepository = {
  async find(db: Db, userId: string): Promise<PresenceRow | undefined> {
    const [row] = await db.select().from(presence).where(eq(presence.userId, userId)).limit(1);
    return row;
  },

  /** Locks the row (creating it first) so that a change and the offers it cancels are one step. */
  async lockOrCreate(tx: Db, userId: string): Promise<PresenceRow> {
    await tx.insert(presence).values({ userId }).onConflictDoNothing();
    const [row] = await tx.select().from(presence).where(eq(presence.userId, userId)).for('update');
    if (!row) throw new Error('presence row vanished');
    return row;
  },

  async update(
    tx: Db,
    userId: string,
    values: Partial<Pick<PresenceRow, 'status' | 'languages' | 'maxChats'>>,
    at: Date,
  ): Promise<PresenceRow> {
    const [row] = await tx
      .update(presence)
      .set({ ...values, updatedAt: at, heartbeatAt: at })
      .where(eq(presence.userId, userId))
      .returning();
    if (!row) throw new Error('presence row vanished');
    return row;
  },

  /** Active conversations per user (signals assigned and not ended). */
  async activeCounts(db: Db, userIds: string[]): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await db
      .select({ userId: signal.assignedUserId, n: sql<number>`count(*)::int` })
      .from(signal)
      .where(and(eq(signal.state, 'active'), inArray(signal.assignedUserId, userIds)))
      .groupBy(signal.assignedUserId);
    return new Map(rows.map((r) => [r.userId ?? '', r.n]));
  },

  /** Everyone who can answer signals (enabled advocates and supervisors), with their presence if any. */
  async listHandlers(db: Db): Promise<PresenceListRow[]> {
    const rows = await db
      .select({ userId: users.id, displayName: users.displayName, role: users.role, presence })
      .from(users)
      .leftJoin(presence, eq(presence.userId, users.id))
      .where(and(inArray(users.role, [...HANDLER_ROLES]), isNull(users.disabledAt)))
      .orderBy(asc(users.displayName));
    const counts = await presenceRepository.activeCounts(
      db,
      rows.map((r) => r.userId),
    );
    return rows.map((r) => ({ ...r, active: counts.get(r.userId) ?? 0 }));
  },
};
