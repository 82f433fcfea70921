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

// ---- Channels (docs/api/channels.md): phone, SMS, WhatsApp, e-mail ----

export type CallPartyKind = 'advocate' | 'interpreter';
export type CallPartyStatus = 'dialing' | 'joined' | 'left' | 'failed';

/** Another leg of a call: the advocate's forwarded phone, an interpreter. Never a number. */
export interface CallParty {
  id: string;
  kind: CallPartyKind;
  /** Interpreter: BCP 47 tag. */
  language: string | null;
  status: CallPartyStatus;
  startedAt: string | null;
  endedAt: string | null;
  seconds: number | null;
}

/** The call card of a `phone` signal. `status` is Twilio's CallStatus, last seen. */
export interface CallInfo {
  status: string;
  answeredAt: string | null;
  onHold: boolean;
  muted: boolean;
  /** The conference exists: hold, mute and the interpreter work only then. */
  conference: boolean;
  parties: CallParty[];
}

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'pending',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
  'undelivered',
];

export interface ChannelDelivery {
  seq: number;
  status: DeliveryStatus;
  errorCode: string | null;
}

export type AttachmentState = 'stored' | 'refused_type' | 'refused_size' | 'failed';

/** A file that came with a message: listed, downloadable when stored, never shown inline. */
export interface AttachmentInfo {
  id: string;
  seq: number | null;
  contentType: string;
  sizeBytes: number;
  state: AttachmentState;
  filename: string | null;
}

/** What the channel adds to a conversation (never the person's number or address). */
export interface ChannelInfo {
  kind: Channel;
  hotlineAddress: string | null;
  campaign: string | null;
  repeatContacts: { count: number; lastAt: string | null };
  /** WhatsApp's 24-hour reply window; null on other channels. */
  window: { endsAt: string | null; open: boolean } | null;
  deliveries: ChannelDelivery[];
  attachments: AttachmentInfo[];
  email: { subject: string | null } | null;
}

export type VoiceMode = 'browser' | 'forward';
export interface VoiceEndpoint {
  mode: VoiceMode;
  forwardNumberSet: boolean;
}

export const REVEAL_REASONS = ['imminent_danger', 'child_at_risk', 'callback_agreed'] as const;
export type RevealReason = (typeof REVEAL_REASONS)[number];
