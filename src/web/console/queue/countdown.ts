import type { Offer } from './types';

// An offer's countdown. The browser's clock may disagree with the server's by a few seconds, so the deadline
// is the earlier of "expiresAt" read literally and "first seen here + the offer's own length": it never shows
// more time than the advocate really has.

export function offerDeadline(offer: Pick<Offer, 'offeredAt' | 'expiresAt'>, firstSeenAt: number): number {
  const expires = Date.parse(offer.expiresAt);
  const offered = Date.parse(offer.offeredAt);
  if (Number.isNaN(expires)) return firstSeenAt;
  if (Number.isNaN(offered)) return expires;
  return Math.min(expires, firstSeenAt + Math.max(0, expires - offered));
}

/** Whole seconds left, never negative. */
export function secondsLeft(deadline: number, now: number): number {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

/** Moments worth telling a screen-reader user about (not every second): 10 s left, then time up. */
export const ANNOUNCE_AT = [10] as const;

/** The threshold crossed between two readings of the countdown, if any. */
export function crossedThreshold(before: number, after: number): number | null {
  for (const t of ANNOUNCE_AT) if (before > t && after <= t) return t;
  return null;
}

/** "2 min 05 s" parts; the words come from the message catalogue. */
export function durationParts(totalSeconds: number): { minutes: number; seconds: number } {
  const s = Math.max(0, Math.round(totalSeconds));
  return { minutes: Math.floor(s / 60), seconds: s % 60 };
}
