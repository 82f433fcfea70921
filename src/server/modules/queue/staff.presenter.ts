import { Type } from 'typebox';
import { CALLER_TYPES, HEARD_ABOUT, REGIONS } from '../../../shared/wrapup.js';
import {
  MESSAGE_SENDERS,
  SIGNAL_CHANNELS,
  SIGNAL_LANGUAGES,
  SIGNAL_STATES,
  type SignalChannel,
  type SignalLanguage,
  type SignalRow,
  type SignalState,
} from '../../db/schema.js';
import type { MyOfferRow, WaitingRow } from './staff.repository.js';
import type { SignalDetailData } from './staff.service.js';

export { CALLER_TYPES, HEARD_ABOUT, REGIONS } from '../../../shared/wrapup.js';

const enumOf = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values] });
const Iso = Type.String({ format: 'date-time' });
const NullableIso = Type.Union([Iso, Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);
const Channel = enumOf<SignalChannel>(SIGNAL_CHANNELS);
const Language = enumOf<SignalLanguage>(SIGNAL_LANGUAGES);
const State = enumOf<SignalState>(SIGNAL_STATES);

export const WrapUpBody = Type.Object({
  caller_type: enumOf(CALLER_TYPES),
  region: enumOf(REGIONS),
  language: Language,
  heard_about: enumOf(HEARD_ABOUT),
});

export const WaitingView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  channel: Channel,
  language: Language,
  queuedAt: Iso,
  waitedS: Type.Integer({ minimum: 0 }),
});

export const OfferView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  signalId: Type.String({ format: 'uuid' }),
  channel: Channel,
  language: Language,
  interpreterLanguage: NullableString,
  queuedAt: Iso,
  waitedS: Type.Integer({ minimum: 0 }),
  offeredAt: Iso,
  expiresAt: Iso,
});

export const MySignalView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  reference: Type.String(),
  channel: Channel,
  language: Language,
  interpreterLanguage: NullableString,
  state: State,
  answeredAt: NullableIso,
  endedAt: NullableIso,
  lastSeq: Type.Integer(),
  staffReadSeq: Type.Integer(),
  wrappedUpAt: NullableIso,
});

export const QueueView = Type.Object({
  waiting: Type.Array(WaitingView),
  offers: Type.Array(OfferView),
  active: Type.Array(MySignalView),
});

const WrapUpView = Type.Object({
  callerType: NullableString,
  region: NullableString,
  language: NullableString,
  heardAbout: NullableString,
  wrappedUpAt: NullableIso,
  wrappedUpBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
});

const OptionalText = Type.Optional(Type.String());
export const SignalDetailView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  reference: Type.String(),
  channel: Channel,
  language: Language,
  interpreterLanguage: NullableString,
  state: State,
  endReason: NullableString,
  arrivedAt: Iso,
  queuedAt: NullableIso,
  firstOfferedAt: NullableIso,
  answeredAt: NullableIso,
  endedAt: NullableIso,
  assignedUserId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  lastSeq: Type.Integer(),
  visitorReadSeq: Type.Integer(),
  staffReadSeq: Type.Integer(),
  messages: Type.Array(
    Type.Object({
      seq: Type.Integer(),
      sender: enumOf(MESSAGE_SENDERS),
      clientId: NullableString,
      text: Type.String(),
      at: Iso,
      authorName: NullableString,
    }),
  ),
  report: Type.Union([
    Type.Object({
      situation: Type.String(),
      where: OptionalText,
      when: OptionalText,
      language: OptionalText,
      contact: Type.Optional(Type.Object({ name: OptionalText, phone: OptionalText, email: OptionalText })),
      safeToContact: Type.Optional(
        Type.Object({ how: OptionalText, when: OptionalText, leaveMessage: Type.Optional(Type.Boolean()) }),
      ),
    }),
    Type.Null(),
  ]),
  events: Type.Array(
    Type.Object({
      type: Type.String(),
      at: Iso,
      userId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
      data: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
  wrapUp: WrapUpView,
  version: Type.Integer(),
});

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const waited = (from: Date, at: Date) => Math.max(0, Math.floor((at.getTime() - from.getTime()) / 1000));

/** The queue panel: waiting signals carry routing facts only (channel, language, wait), never content. */
export function presentQueue(q: {
  at: Date;
  waiting: WaitingRow[];
  offers: MyOfferRow[];
  mine: SignalRow[];
}) {
  return {
    waiting: q.waiting.map((w) => ({
      id: w.id,
      channel: w.channel,
      language: w.language,
      queuedAt: w.queuedAt.toISOString(),
      waitedS: waited(w.queuedAt, q.at),
    })),
    offers: q.offers.map((o) => ({
      id: o.id,
      signalId: o.signalId,
      channel: o.channel,
      language: o.language,
      interpreterLanguage: o.interpreterLanguage,
      queuedAt: o.queuedAt.toISOString(),
      waitedS: waited(o.queuedAt, q.at),
      offeredAt: o.offeredAt.toISOString(),
      expiresAt: o.expiresAt.toISOString(),
    })),
    active: q.mine.map((s) => ({
      id: s.id,
      reference: s.reference,
      channel: s.channel,
      language: s.language,
      interpreterLanguage: s.interpreterLanguage,
      state: s.state,
      answeredAt: iso(s.answeredAt),
      endedAt: iso(s.endedAt),
      lastSeq: s.lastSeq,
      staffReadSeq: s.staffReadSeq,
      wrappedUpAt: iso(s.wrappedUpAt),
    })),
  };
}

/** A signal for its advocate or a supervisor: never the visitor's token hash or the sealed columns. */
export function presentSignalDetail(d: SignalDetailData) {
  const s = d.signal;
  return {
    id: s.id,
    reference: s.reference,
    channel: s.channel,
    language: s.language,
    interpreterLanguage: s.interpreterLanguage,
    state: s.state,
    endReason: s.endReason,
    arrivedAt: s.arrivedAt.toISOString(),
    queuedAt: iso(s.queuedAt),
    firstOfferedAt: iso(s.firstOfferedAt),
    answeredAt: iso(s.answeredAt),
    endedAt: iso(s.endedAt),
    assignedUserId: s.assignedUserId,
    lastSeq: s.lastSeq,
    visitorReadSeq: s.visitorReadSeq,
    staffReadSeq: s.staffReadSeq,
    messages: d.messages.map((m) => ({
      seq: m.seq,
      sender: m.sender,
      clientId: m.clientId,
      text: m.text,
      at: m.at.toISOString(),
      authorName: m.authorName,
    })),
    report: d.report,
    events: d.events.map((e) => ({ type: e.type, at: e.at.toISOString(), userId: e.userId, data: e.data })),
    wrapUp: {
      callerType: s.callerType,
      region: s.region,
      language: s.wrapUpLanguage,
      heardAbout: s.heardAbout,
      wrappedUpAt: iso(s.wrappedUpAt),
      wrappedUpBy: s.wrappedUpBy,
    },
    version: s.version,
  };
}
