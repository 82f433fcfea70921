import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../platform/db.js';

export interface WaitingRow {
  channel: string;
  language: string;
  count: number;
  longestWaitS: number;
}

export interface GroupFigures {
  /** Signals of the group queued today. */
  queued: number;
  answered: number;
  answeredWithin: number;
  /**
   * Ended without ever being answered (the person left, the line dropped, or — phone — closed hours / nobody
   * available: `unavailable`, counted here on purpose).
   */
  unanswered: number;
  /** Still waiting now, already past the target. */
  waitingPastTarget: number;
  /** Sum of waits of the answered ones, seconds. */
  waitSumS: number;
}

const n = (v: unknown) => Number(v ?? 0);

/** All SQL of the wallboard: figures computed from the signal times, never typed in. */
export const wallboardRepository = {
  /** Waiting now (queued or offered), per channel and language. */
  async waiting(db: Db, now: Date): Promise<WaitingRow[]> {
    const rows = await rowsOf<Record<string, unknown>>(
      db,
      sql`select channel, language, count(*)::int as count,
            coalesce(max(extract(epoch from (${now.toISOString()}::timestamptz - coalesce(queued_at, arrived_at)))), 0)::float8 as wait
          from signal where state in ('queued', 'offered')
          group by channel, language order by channel, language`,
    );
    return rows.map((r) => ({
      channel: String(r.channel),
      language: String(r.language),
      count: n(r.count),
      longestWaitS: Math.max(0, Math.round(n(r.wait))),
    }));
  },

  /** Staff who answer signals (enabled advocates and supervisors) per presence; no presence row = offline. */
  async presenceCounts(db: Db): Promise<Map<string, number>> {
    const rows = await rowsOf<{ status: string; count: number }>(
      db,
      sql`select coalesce(p.status, 'offline') as status, count(*)::int as count
          from users u left join presence p on p.user_id = u.id
          where u.role in ('advocate', 'supervisor') and u.disabled_at is null
          group by 1`,
    );
    return new Map(rows.map((r) => [r.status, n(r.count)]));
  },

  /**
   * Today's figures for a group of channels, "today" starting at midnight in the hotline's time zone.
   * A signal belongs to the day it was queued.
   */
  async today(
    db: Db,
    now: Date,
    timeZone: string,
    channels: readonly string[],
    targetS: number,
  ): Promise<GroupFigures> {
    const at = sql`${now.toISOString()}::timestamptz`;
    const list = sql.join(
      channels.map((c) => sql`${c}`),
      sql`, `,
    );
    const [row] = await rowsOf<Record<string, unknown>>(
      db,
      sql`with day as (
            select (date_trunc('day', ${at} at time zone ${timeZone}) at time zone ${timeZone}) as start
          ), s as (
            select coalesce(queued_at, arrived_at) as q, answered_at, ended_at, state
            from signal, day
            where channel in (${list})
              and coalesce(queued_at, arrived_at) >= day.start and coalesce(queued_at, arrived_at) <= ${at}
          )
          select count(*)::int as queued,
            count(*) filter (where answered_at is not null)::int as answered,
            count(*) filter (where answered_at is not null
                               and answered_at - q <= make_interval(secs => ${targetS}))::int as within,
            count(*) filter (where answered_at is null and state = 'ended')::int as unanswered,
            count(*) filter (where answered_at is null and state not in ('ended', 'ivr')
                               and ${at} - q > make_interval(secs => ${targetS}))::int as late,
            coalesce(sum(extract(epoch from (answered_at - q))) filter (where answered_at is not null), 0)::float8
              as wait_sum
          from s`,
    );
    return {
      queued: n(row?.queued),
      answered: n(row?.answered),
      answeredWithin: n(row?.within),
      unanswered: n(row?.unanswered),
      waitingPastTarget: n(row?.late),
      waitSumS: n(row?.wait_sum),
    };
  },

  /** Every signal queued today, all channels (reports included). */
  async countToday(db: Db, now: Date, timeZone: string): Promise<number> {
    const at = sql`${now.toISOString()}::timestamptz`;
    const [row] = await rowsOf<{ count: number }>(
      db,
      sql`select count(*)::int as count from signal
          where coalesce(queued_at, arrived_at) >= (date_trunc('day', ${at} at time zone ${timeZone}) at time zone ${timeZone})
            and coalesce(queued_at, arrived_at) <= ${at}`,
    );
    return n(row?.count);
  },
};
