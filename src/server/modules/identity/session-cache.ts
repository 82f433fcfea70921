import type { SessionRow, UserRow } from './identity.repository.js';

export interface CachedSession {
  session: SessionRow;
  user: UserRow;
  at: number;
}

/**
 * Recently resolved sessions, so that an authenticated request costs no database round trip.
 * Every write to a user or a session in this process forgets its entries at once; another process
 * (PostgreSQL scale-out) sees a revocation within `ttlMs` at most.
 */
export class SessionCache {
  private readonly entries = new Map<string, CachedSession>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(id: string, nowMs: number): CachedSession | undefined {
    const hit = this.entries.get(id);
    if (!hit) return undefined;
    if (nowMs - hit.at > this.ttlMs) {
      this.entries.delete(id);
      return undefined;
    }
    return hit;
  }

  set(id: string, entry: CachedSession) {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(id, entry);
  }

  forgetSession(id: string) {
    this.entries.delete(id);
  }

  forgetUser(userId: string) {
    for (const [id, entry] of this.entries) if (entry.user.id === userId) this.entries.delete(id);
  }
}
