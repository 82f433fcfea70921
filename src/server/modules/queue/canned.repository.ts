import { asc, eq, sql } from 'drizzle-orm';
import { type CannedResponseRow, cannedResponse } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';

export type CannedSeed = Pick<
  CannedResponseRow,
  'key' | 'titleEn' | 'titleFr' | 'bodyEn' | 'bodyFr' | 'sortOrder'
>;

/** All SQL of canned responses. */
export const cannedRepository = {
  async listActive(db: Db): Promise<CannedResponseRow[]> {
    return db
      .select()
      .from(cannedResponse)
      .where(eq(cannedResponse.active, true))
      .orderBy(asc(cannedResponse.sortOrder), asc(cannedResponse.key));
  },

  async count(db: Db): Promise<number> {
    const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(cannedResponse);
    return row?.n ?? 0;
  },

  /** Inserts the seeds whose key is free (two processes starting together insert each once). */
  async insertMissing(db: Db, seeds: CannedSeed[]): Promise<number> {
    const rows = await db
      .insert(cannedResponse)
      .values(seeds)
      .onConflictDoNothing({ target: cannedResponse.key })
      .returning({ id: cannedResponse.id });
    return rows.length;
  },
};
