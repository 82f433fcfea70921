import { Type } from 'typebox';
import {
  PRESENCE_STATUSES,
  type PresenceStatus,
  SIGNAL_LANGUAGES,
  type SignalLanguage,
} from '../../db/schema.js';
import type { PresenceState } from './presence.service.js';

export const PresenceStatusSchema = Type.Unsafe<PresenceStatus>({
  type: 'string',
  enum: [...PRESENCE_STATUSES],
});
export const QueueLanguageSchema = Type.Unsafe<SignalLanguage>({
  type: 'string',
  enum: [...SIGNAL_LANGUAGES],
});

export const PresenceView = Type.Object({
  userId: Type.String({ format: 'uuid' }),
  displayName: Type.Optional(Type.String()),
  status: PresenceStatusSchema,
  languages: Type.Array(QueueLanguageSchema),
  maxChats: Type.Integer(),
  /** Conversations assigned to them and not ended. */
  activeChats: Type.Integer(),
  updatedAt: Type.String({ format: 'date-time' }),
});

/** API shape of a presence (no e-mail or other account details: the display name is enough for colleagues). */
export function presentPresence(p: PresenceState) {
  return {
    userId: p.userId,
    ...(p.displayName !== undefined ? { displayName: p.displayName } : {}),
    status: p.status,
    languages: p.languages,
    maxChats: p.maxChats,
    activeChats: p.active,
    updatedAt: p.updatedAt.toISOString(),
  };
}
