import { useSyncExternalStore } from 'react';
import { useIntl } from 'react-intl';

// One shared clock for every relative time on screen, ticking twice a minute.
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!timer) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 30_000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

export function useNow(): number {
  return useSyncExternalStore(
    subscribe,
    () => now,
    () => now,
  );
}

type Unit = Intl.RelativeTimeFormatUnit;
const STEPS: [limitSeconds: number, unit: Unit, seconds: number][] = [
  [60, 'second', 1],
  [3600, 'minute', 60],
  [86_400, 'hour', 3600],
  [7 * 86_400, 'day', 86_400],
  [30 * 86_400, 'week', 7 * 86_400],
  [365 * 86_400, 'month', 30 * 86_400],
  [Number.POSITIVE_INFINITY, 'year', 365 * 86_400],
];

/** Picks the largest unit that keeps the number meaningful ("3 h ago", not "10 800 s ago"). */
export function relativeParts(target: number, reference: number): { value: number; unit: Unit } {
  const raw = (target - reference) / 1000;
  const diff = raw > 0 && raw < 60 ? 0 : raw;
  const abs = Math.abs(diff);
  for (const [limit, unit, seconds] of STEPS) {
    if (abs < limit) return { value: Math.round(diff / seconds), unit };
  }
  return { value: Math.round(diff / (365 * 86_400)), unit: 'year' };
}

export const ABSOLUTE_FORMAT: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZoneName: 'short',
};

/**
 * "2 min ago" with the absolute date and time on hover (title), per the house style.
 * A few seconds of clock skew between browser and server never shows as "in 5 seconds".
 */
export function RelativeTime({ value }: { value: string }) {
  const intl = useIntl();
  const reference = useNow();
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <span>{value}</span>;
  const { value: amount, unit } = relativeParts(date.getTime(), reference);
  const absolute = intl.formatDate(date, ABSOLUTE_FORMAT);
  // Short forms for seconds to hours ("2 min ago"); long ones beyond, where "3 m." could mean minutes or months.
  const style = unit === 'second' || unit === 'minute' || unit === 'hour' ? 'short' : 'long';
  const relative = intl.formatRelativeTime(amount, unit, { numeric: 'auto', style });
  return (
    <time dateTime={date.toISOString()} title={absolute}>
      {relative}
    </time>
  );
}
