import { PRESENCE_STATUSES, type PresenceStatus } from '../../db/schema.js';
import type { Db } from '../../platform/db.js';
import { DEFAULT_TIME_ZONE } from '../../platform/period.js';
import { type GroupFigures, wallboardRepository as repo } from './wallboard.repository.js';

/** Service-level targets: calls answered within 20 s, text conversations within 60 s. */
export const SERVICE_TARGETS = {
  calls: { channels: ['phone'], targetS: 20 },
  chats: { channels: ['chat', 'sms', 'whatsapp'], targetS: 60 },
} as const;

/** "Today" on the wallboard is the hotline's day (HARBOUR_TIME_ZONE), whatever the server's or the viewer's zone. */
export interface WallboardDeps {
  db: Db;
  now?: () => Date;
  timeZone?: string;
}

export interface GroupView {
  targetS: number;
  queued: number;
  answered: number;
  answeredWithinTarget: number;
  unanswered: number;
  waitingPastTarget: number;
  /** answered within target / (answered + unanswered + still waiting past target); null before any. */
  serviceLevel: number | null;
  meanWaitS: number | null;
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : null);
const seconds = (sum: number, count: number) => (count > 0 ? Math.round((sum / count) * 10) / 10 : null);

function groupView(f: GroupFigures, targetS: number): GroupView {
  return {
    targetS,
    queued: f.queued,
    answered: f.answered,
    answeredWithinTarget: f.answeredWithin,
    unanswered: f.unanswered,
    waitingPastTarget: f.waitingPastTarget,
    serviceLevel: ratio(f.answeredWithin, f.answered + f.unanswered + f.waitingPastTarget),
    meanWaitS: seconds(f.waitSumS, f.answered),
  };
}

/**
 * The supervisor's wallboard: what waits now, who is available, and today's service. Every figure is computed
 * from the signal times (queued, answered, ended); reports are counted but have no service level (they are
 * reviewed, not answered live).
 */
export function createWallboardService(deps: WallboardDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const timeZone = deps.timeZone ?? DEFAULT_TIME_ZONE;

  return {
    async get() {
      const at = now();
      const [waiting, presence, calls, chats, signals] = await Promise.all([
        repo.waiting(db, at),
        repo.presenceCounts(db),
        repo.today(db, at, timeZone, SERVICE_TARGETS.calls.channels, SERVICE_TARGETS.calls.targetS),
        repo.today(db, at, timeZone, SERVICE_TARGETS.chats.channels, SERVICE_TARGETS.chats.targetS),
        repo.countToday(db, at, timeZone),
      ]);
      const advocates = Object.fromEntries(PRESENCE_STATUSES.map((s) => [s, presence.get(s) ?? 0])) as Record<
        PresenceStatus,
        number
      >;
      const callsView = groupView(calls, SERVICE_TARGETS.calls.targetS);
      const chatsView = groupView(chats, SERVICE_TARGETS.chats.targetS);
      const answered = calls.answered + chats.answered;
      const unanswered = calls.unanswered + chats.unanswered;
      return {
        waiting,
        waitingTotal: waiting.reduce((sum, w) => sum + w.count, 0),
        longestWaitS: waiting.reduce((max, w) => Math.max(max, w.longestWaitS), 0),
        advocates,
        today: {
          timeZone,
          signals,
          serviceLevel: { calls: callsView.serviceLevel, chats: chatsView.serviceLevel },
          meanWaitS: seconds(calls.waitSumS + chats.waitSumS, answered),
          unansweredShare: ratio(unanswered, answered + unanswered),
          calls: callsView,
          chats: chatsView,
        },
        generatedAt: at.toISOString(),
      };
    },
  };
}

export type WallboardService = ReturnType<typeof createWallboardService>;
