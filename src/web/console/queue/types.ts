// API shapes of docs/api/live-queue.md (the staff side), as the console sees them.

export type Channel = 'chat' | 'report' | 'phone' | 'sms' | 'whatsapp' | 'email';
export type QueueLanguage = 'en' | 'fr' | 'other';
export type PresenceStatus = 'available' | 'busy' | 'break' | 'offline';
export type SignalState = 'queued' | 'offered' | 'active' | 'ended';
export type Sender = 'visitor' | 'staff' | 'system';

export const CHANNELS: readonly Channel[] = ['chat', 'report', 'phone', 'sms', 'whatsapp', 'email'];
export const QUEUE_LANGUAGES: readonly QueueLanguage[] = ['en', 'fr', 'other'];
export const PRESENCE_STATUSES: readonly PresenceStatus[] = ['available', 'busy', 'break', 'offline'];

export interface Presence {
  userId: string;
  displayName?: string;
  status: PresenceStatus;
  languages: QueueLanguage[];
  maxChats: number;
  activeChats?: number;
  updatedAt: string;
}

/** A signal waiting in the queue: never any content, only what routing needs. */
export interface WaitingSignal {
  id: string;
  channel: Channel;
  language: QueueLanguage;
  queuedAt: string;
  waitedS: number;
}

/** An offer made to me: accept or decline before `expiresAt`. */
export interface Offer {
  id: string;
  signalId: string;
  channel: Channel;
  language: QueueLanguage;
  interpreterLanguage: string | null;
  queuedAt: string;
  waitedS: number;
  offeredAt: string;
  expiresAt: string;
}

/** One of my conversations (or a report under review). */
export interface MySignal {
  id: string;
  reference: string;
  channel: Channel;
  language: QueueLanguage;
  interpreterLanguage: string | null;
  state: SignalState;
  answeredAt: string | null;
  endedAt: string | null;
  lastSeq: number;
  staffReadSeq: number;
  wrappedUpAt: string | null;
}

export interface QueueSnapshot {
  waiting: WaitingSignal[];
  offers: Offer[];
  active: MySignal[];
}

export interface TranscriptMessage {
  seq: number;
  sender: Sender;
  clientId: string | null;
  text: string;
  at: string;
  authorName?: string | null;
}

export interface WrapUp {
  callerType: string | null;
  region: string | null;
  language: string | null;
  heardAbout: string | null;
  wrappedUpAt: string | null;
  wrappedUpBy?: string | null;
}

/** The content of a report-form signal, shown for review instead of a chat. */
export interface ReportContent {
  situation: string;
  where?: string | null;
  when?: string | null;
  language?: string | null;
  contact?: { name?: string | null; phone?: string | null; email?: string | null } | null;
  safeToContact?: { how?: string | null; when?: string | null; leaveMessage?: boolean | null } | null;
}

export interface SignalDetail {
  id: string;
  reference: string;
  channel: Channel;
  language: QueueLanguage;
  interpreterLanguage: string | null;
  state: SignalState;
  endReason: string | null;
  arrivedAt: string;
  queuedAt: string | null;
  answeredAt: string | null;
  endedAt: string | null;
  assignedUserId: string | null;
  lastSeq: number;
  visitorReadSeq: number;
  staffReadSeq: number;
  firstOfferedAt: string | null;
  messages: TranscriptMessage[];
  report: ReportContent | null;
  events: { type: string; at: string; userId: string | null; data: Record<string, unknown> }[];
  wrapUp: WrapUp;
  version: number;
}

export interface CannedResponse {
  id: string;
  key: string;
  titleEn: string;
  titleFr: string;
  bodyEn: string;
  bodyFr: string;
}

export interface WallboardWaiting {
  channel: Channel;
  language: QueueLanguage;
  count: number;
  longestWaitS: number;
}

/** Today's figures for one kind of contact (calls: phone; chats: chat, SMS, WhatsApp). */
export interface WallboardGroup {
  targetS: number;
  queued: number;
  answered: number;
  answeredWithinTarget: number;
  unanswered: number;
  waitingPastTarget: number;
  serviceLevel: number | null;
  meanWaitS: number | null;
}

export interface Wallboard {
  waiting: WallboardWaiting[];
  waitingTotal: number;
  longestWaitS: number;
  advocates: Record<PresenceStatus, number>;
  today: {
    timeZone: string;
    signals: number;
    /** Share (0..1) answered within the target: 20 s for calls, 60 s for chats; null when nothing yet. */
    serviceLevel: { calls: number | null; chats: number | null };
    meanWaitS: number | null;
    unansweredShare: number | null;
    calls: WallboardGroup;
    chats: WallboardGroup;
  };
  generatedAt: string;
}

export interface WrapUpInput {
  caller_type: string;
  region: string;
  language: string;
  heard_about: string;
}

export type TransferTarget = { to_user_id: string } | { to: 'supervisor' };
