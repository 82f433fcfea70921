import { and, asc, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { apiTokens, invites, sessions, users } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type TokenRow = typeof apiTokens.$inferSelect;

/** All SQL of the identity module. A missing row is `undefined`; the service decides what it means. */
export const identityRepository = {
  async findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
    const [row] = await db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`).limit(1);
    return row;
  },

  async findUser(db: Db, id: string): Promise<UserRow | undefined> {
    const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
    return row;
  },

  async listUsers(db: Db): Promise<UserRow[]> {
    return db.select().from(users).orderBy(asc(users.email));
  },

  async insertUser(db: Db, values: typeof users.$inferInsert): Promise<UserRow> {
    const [row] = await db.insert(users).values(values).returning();
    if (!row) throw new Error('insert users returned nothing');
    return row;
  },

  async updateUser(
    db: Db,
    id: string,
    values: Partial<typeof users.$inferInsert>,
  ): Promise<UserRow | undefined> {
    const [row] = await db.update(users).set(values).where(eq(users.id, id)).returning();
    return row;
  },

  async countUsers(db: Db): Promise<number> {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
    return row?.n ?? 0;
  },

  async countDemoUsers(db: Db): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(users)
      .where(eq(users.isDemo, true));
    return row?.n ?? 0;
  },

  async insertSession(db: Db, values: typeof sessions.$inferInsert): Promise<void> {
    await db.insert(sessions).values(values);
  },

  async findSessionWithUser(db: Db, id: string): Promise<{ session: SessionRow; user: UserRow } | undefined> {
    const [row] = await db
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(sessions.userId, users.id))
      .where(eq(sessions.id, id))
      .limit(1);
    return row;
  },

  async updateSession(db: Db, id: string, values: Partial<typeof sessions.$inferInsert>): Promise<void> {
    await db.update(sessions).set(values).where(eq(sessions.id, id));
  },

  async deleteSession(db: Db, id: string): Promise<void> {
    await db.delete(sessions).where(eq(sessions.id, id));
  },

  async deleteUserSessions(db: Db, userId: string): Promise<void> {
    await db.delete(sessions).where(eq(sessions.userId, userId));
  },

  async deleteExpiredSessions(db: Db, now: Date, idleBefore: Date): Promise<void> {
    await db.delete(sessions).where(or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, idleBefore)));
  },

  async insertInvite(db: Db, values: typeof invites.$inferInsert): Promise<void> {
    await db.insert(invites).values(values);
  },

  /** Invalidates every unused invite of a user (a new link replaces the old ones). */
  async expireInvites(db: Db, userId: string, now: Date): Promise<void> {
    await db
      .update(invites)
      .set({ usedAt: now })
      .where(and(eq(invites.userId, userId), isNull(invites.usedAt)));
  },

  /** Marks the invite used and returns it, in one statement, so a link works exactly once. */
  async consumeInvite(db: Db, tokenHash: string, now: Date): Promise<{ userId: string } | undefined> {
    const [row] = await db
      .update(invites)
      .set({ usedAt: now })
      .where(
        and(eq(invites.tokenHash, tokenHash), isNull(invites.usedAt), sql`${invites.expiresAt} > ${now}`),
      )
      .returning({ userId: invites.userId });
    return row;
  },

  async insertToken(db: Db, values: typeof apiTokens.$inferInsert): Promise<TokenRow> {
    const [row] = await db.insert(apiTokens).values(values).returning();
    if (!row) throw new Error('insert api_tokens returned nothing');
    return row;
  },

  async findTokenWithUser(
    db: Db,
    tokenHash: string,
  ): Promise<{ token: TokenRow; user: UserRow } | undefined> {
    const [row] = await db
      .select({ token: apiTokens, user: users })
      .from(apiTokens)
      .innerJoin(users, eq(apiTokens.userId, users.id))
      .where(eq(apiTokens.tokenHash, tokenHash))
      .limit(1);
    return row;
  },

  async listTokens(db: Db): Promise<Array<{ token: TokenRow; userEmail: string }>> {
    return db
      .select({ token: apiTokens, userEmail: users.email })
      .from(apiTokens)
      .innerJoin(users, eq(apiTokens.userId, users.id))
      .orderBy(desc(apiTokens.createdAt));
  },

  async updateToken(
    db: Db,
    id: string,
    values: Partial<typeof apiTokens.$inferInsert>,
  ): Promise<TokenRow | undefined> {
    const [row] = await db.update(apiTokens).set(values).where(eq(apiTokens.id, id)).returning();
    return row;
  },
};
