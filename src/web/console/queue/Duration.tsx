import { useT } from '../locale';
import { durationParts } from './countdown';

/** "45 s" or "2 min 5 s" in the UI language. */
export function useDuration(): (seconds: number) => string {
  const t = useT();
  return (seconds: number) => {
    const { minutes, seconds: s } = durationParts(seconds);
    return minutes > 0
      ? t('queue.duration.minutes', { minutes, seconds: s })
      : t('queue.duration.seconds', { seconds: s });
  };
}
