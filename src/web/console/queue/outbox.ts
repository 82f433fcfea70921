import type { ChannelDelivery, Sender, TranscriptMessage } from './types';

// Messages the advocate sent from this tab, keyed by a client id the server uses to recognise a resend:
// pending until the server answers with a seq, failed when it could not (retry with the same id, so a send
// that did reach the server is never stored twice). Nothing typed is ever dropped silently.

export type Delivery = 'pending' | 'sent' | 'failed';

export interface Outgoing {
  clientId: string;
  text: string;
  status: Delivery;
  seq: number | null;
  createdAt: number;
  /** The server's code when it refused the message (e.g. WHATSAPP_WINDOW_CLOSED). */
  errorCode?: string | null;
}

export interface TranscriptEntry {
  key: string;
  sender: Sender;
  text: string;
  at: string | null;
  seq: number | null;
  clientId: string | null;
  /** For my own messages: pending → sent → read; failed when it never reached the server. */
  delivery: Delivery | 'read' | null;
  /** SMS, WhatsApp, e-mail: what the provider says about a stored message (replaces `delivery`). */
  remote?: ChannelDelivery | null;
  /** Why a message never reached the server (its code), when it said. */
  errorCode?: string | null;
  authorName: string | null;
}

/** A fresh client id per message (random, never reused, no personal data). */
export function newClientId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function')
    return `c-${crypto.randomUUID()}`;
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `c-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The transcript as shown: the server's messages in order, then what is still on its way or failed. */
export function mergeTranscript(
  server: readonly TranscriptMessage[],
  outgoing: readonly Outgoing[],
  visitorReadSeq: number,
  /** SMS, WhatsApp, e-mail: delivery statuses by seq (staff and system messages go out through the outbox). */
  deliveries?: ReadonlyMap<number, ChannelDelivery>,
): TranscriptEntry[] {
  const sorted = [...server].sort((a, b) => a.seq - b.seq);
  const knownClientIds = new Set(
    sorted.filter((m) => m.sender === 'staff' && m.clientId).map((m) => m.clientId),
  );
  const knownSeqs = new Set(sorted.map((m) => m.seq));
  const entries: TranscriptEntry[] = sorted.map((m) => ({
    key: `s-${m.seq}`,
    sender: m.sender,
    text: m.text,
    at: m.at,
    seq: m.seq,
    clientId: m.clientId,
    delivery: m.sender === 'staff' ? (m.seq <= visitorReadSeq ? 'read' : 'sent') : null,
    remote: deliveries && m.sender !== 'visitor' ? (deliveries.get(m.seq) ?? null) : null,
    authorName: m.authorName ?? null,
  }));
  for (const o of [...outgoing].sort((a, b) => a.createdAt - b.createdAt)) {
    if (knownClientIds.has(o.clientId) || (o.seq !== null && knownSeqs.has(o.seq))) continue;
    entries.push({
      key: o.clientId,
      sender: 'staff',
      text: o.text,
      at: null,
      seq: o.seq,
      clientId: o.clientId,
      delivery: o.status,
      errorCode: o.errorCode ?? null,
      authorName: null,
    });
  }
  return entries;
}

/** Drops what the server's transcript now holds; keeps pending and failed messages. */
export function pruneOutbox(outgoing: readonly Outgoing[], server: readonly TranscriptMessage[]): Outgoing[] {
  const clientIds = new Set(server.map((m) => m.clientId).filter(Boolean));
  const seqs = new Set(server.map((m) => m.seq));
  return outgoing.filter((o) => !(clientIds.has(o.clientId) || (o.seq !== null && seqs.has(o.seq))));
}

/** The latest visitor message seq (what "read up to" should say once the advocate has seen it). */
export function lastVisitorSeq(server: readonly TranscriptMessage[]): number {
  let max = 0;
  for (const m of server) if (m.sender === 'visitor' && m.seq > max) max = m.seq;
  return max;
}

// ---- A tiny store per signal, shared by the transcript and the composer, kept while the tab lives. ----

type Listener = () => void;
const boxes = new Map<string, Outgoing[]>();
const drafts = new Map<string, string>();
const listeners = new Set<Listener>();
const EMPTY: Outgoing[] = [];

function emit() {
  for (const l of listeners) l();
}

export const outboxStore = {
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  get(signalId: string): Outgoing[] {
    return boxes.get(signalId) ?? EMPTY;
  },
  add(signalId: string, message: Outgoing): void {
    boxes.set(signalId, [...outboxStore.get(signalId), message]);
    emit();
  },
  update(signalId: string, clientId: string, patch: Partial<Outgoing>): void {
    boxes.set(
      signalId,
      outboxStore.get(signalId).map((o) => (o.clientId === clientId ? { ...o, ...patch } : o)),
    );
    emit();
  },
  remove(signalId: string, clientId: string): void {
    boxes.set(
      signalId,
      outboxStore.get(signalId).filter((o) => o.clientId !== clientId),
    );
    emit();
  },
  prune(signalId: string, server: readonly TranscriptMessage[]): void {
    const current = outboxStore.get(signalId);
    const next = pruneOutbox(current, server);
    if (next.length !== current.length) {
      boxes.set(signalId, next);
      emit();
    }
  },
  draft(signalId: string): string {
    return drafts.get(signalId) ?? '';
  },
  setDraft(signalId: string, text: string): void {
    if (text) drafts.set(signalId, text);
    else drafts.delete(signalId);
  },
  /** At sign-out: nothing of a conversation stays in memory for the next person at this screen. */
  clear(): void {
    boxes.clear();
    drafts.clear();
    emit();
  },
};
