import { useT } from '../locale';
import { CHANNEL_ICONS } from './channels';
import { CHANNEL_LABELS, labelOf } from './labels';
import { CHANNELS, type Channel } from './types';

/** A signal's channel in words with a small pictogram: never shown by colour alone. */
export function ChannelBadge({ channel }: { channel: string }) {
  const t = useT();
  const known = (CHANNELS as readonly string[]).includes(channel) ? (channel as Channel) : null;
  return (
    <span className={`channel-badge${known ? ` channel-${known}` : ''}`}>
      {known && (
        <span className="channel-icon" aria-hidden="true">
          {CHANNEL_ICONS[known]}
        </span>
      )}
      {labelOf(CHANNEL_LABELS, channel, t)}
    </span>
  );
}
