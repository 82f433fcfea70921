import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

/**
 * Real traffic against a running Harbour (`harbour simulate`): visitor chats over the real WebSocket
 * (docs/api/live-queue.md) and report-form posts over HTTP. Used by the demo, by tests and by `npm run bench`.
 * Everything it sends is synthetic and says so.
 */

export interface ChatOptions {
  /** Base URL of the server, e.g. http://localhost:8080. */
  url: string;
  conversations: number;
  /** Messages each visitor sends. */
  messages: number;
  /** Pause between one visitor's messages (ms). */
  intervalMs: number;
  /** `en`, `fr`, `other`, or `mix` (alternating). */
  language: 'en' | 'fr' | 'other' | 'mix';
  /** End each chat after its last message (otherwise it stays open until `holdMs` has passed). */
  end: boolean;
  holdMs: number;
  /** Gives up on a frame it waits for after this long. */
  timeoutMs?: number;
  /** Called for every frame received (tests and the bench listen here). */
  onFrame?: (conversation: number, frame: Frame) => void;
}

export interface Frame {
  type: string;
  [key: string]: unknown;
}

export interface ChatResult {
  conversations: number;
  started: number;
  acked: number;
  /** Send → ack, ms, for every acknowledged message. */
  ackMs: number[];
  references: string[];
  errors: string[];
  /** Frames of type `status` with state `unavailable` (nobody available for that language). */
  unavailable: number;
}

const SAMPLE_EN = [
  'Hello, is this the hotline? (simulated visitor)',
  'My cousin works long hours and her employer keeps her passport. (simulated)',
  'She is not allowed to leave the house alone. (simulated)',
  'Can someone help her find a safe place to stay? (simulated)',
];
const SAMPLE_FR = [
  'Bonjour, est-ce bien la ligne d’urgence ? (visiteur simulé)',
  'Mon amie travaille sans salaire et son patron garde ses papiers. (simulé)',
  'Elle n’a pas le droit de sortir seule. (simulé)',
  'Quelqu’un peut-il l’aider à trouver un hébergement sûr ? (simulé)',
];

const wsUrl = (base: string, path: string) => {
  const u = new URL(path, base);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return u.toString();
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One visitor: start, send `messages` messages each waiting for its ack, then end (or hold). */
async function oneChat(index: number, options: ChatOptions, result: ChatResult): Promise<void> {
  const language =
    options.language === 'mix'
      ? (['en', 'fr'] as const)[index % 2]!
      : (options.language as 'en' | 'fr' | 'other');
  const samples = language === 'fr' ? SAMPLE_FR : SAMPLE_EN;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const socket = new WebSocket(wsUrl(options.url, '/chat/ws'), { origin: new URL(options.url).origin });
  const pending = new Map<string, { sent: number; done: () => void }>();
  let started: (() => void) | undefined;

  socket.on('message', (data) => {
    let frame: Frame;
    try {
      frame = JSON.parse(String(data)) as Frame;
    } catch {
      result.errors.push(`conversation ${index}: a frame that is not JSON`);
      return;
    }
    options.onFrame?.(index, frame);
    if (frame.type === 'started') {
      result.started++;
      if (typeof frame.reference === 'string') result.references.push(frame.reference);
      started?.();
    } else if (frame.type === 'ack' && typeof frame.id === 'string') {
      const p = pending.get(frame.id);
      if (p) {
        result.acked++;
        result.ackMs.push(performance.now() - p.sent);
        pending.delete(frame.id);
        p.done();
      }
    } else if (frame.type === 'status' && frame.state === 'unavailable') {
      result.unavailable++;
    } else if (frame.type === 'error') {
      result.errors.push(`conversation ${index}: ${String(frame.code)}`);
    }
  });

  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', (e) => reject(e));
  });
  const within = <T>(p: Promise<T>, what: string) =>
    Promise.race([
      p,
      sleep(timeoutMs).then(() => {
        throw new Error(`conversation ${index}: no ${what} within ${timeoutMs} ms`);
      }),
    ]);
  try {
    await within(opened, 'connection');
    const startedP = new Promise<void>((resolve) => {
      started = resolve;
    });
    socket.send(JSON.stringify({ type: 'start', language }));
    await within(startedP, 'started frame');
    for (let m = 0; m < options.messages; m++) {
      const id = `sim-${randomUUID()}`;
      const acked = new Promise<void>((resolve) => {
        pending.set(id, { sent: performance.now(), done: resolve });
      });
      socket.send(JSON.stringify({ type: 'message', id, text: samples[m % samples.length] }));
      await within(acked, `ack of message ${m + 1}`);
      if (m < options.messages - 1 && options.intervalMs > 0) await sleep(options.intervalMs);
    }
    if (options.end) socket.send(JSON.stringify({ type: 'end' }));
    else if (options.holdMs > 0) await sleep(options.holdMs);
  } catch (e) {
    result.errors.push((e as Error).message);
  } finally {
    await new Promise<void>((resolve) => {
      if (socket.readyState === WebSocket.CLOSED) return resolve();
      socket.once('close', () => resolve());
      // Give the server a moment to process `end` before the socket goes away.
      setTimeout(() => socket.close(1000), options.end ? 100 : 0);
      setTimeout(resolve, 2000);
    });
  }
}

/** Runs `conversations` visitor chats at once. */
export async function simulateChats(options: ChatOptions): Promise<ChatResult> {
  const result: ChatResult = {
    conversations: options.conversations,
    started: 0,
    acked: 0,
    ackMs: [],
    references: [],
    errors: [],
    unavailable: 0,
  };
  await Promise.all(Array.from({ length: options.conversations }, (_, i) => oneChat(i, options, result)));
  return result;
}

export interface FormOptions {
  url: string;
  count: number;
  concurrency: number;
  /** Include optional contact details in every other report. */
  withContact: boolean;
}

export interface FormResult {
  sent: number;
  created: number;
  references: string[];
  /** HTTP status → count, for everything that was not 201. */
  refused: Record<string, number>;
  ms: number[];
  seconds: number;
}

const SITUATIONS = [
  'Simulated report: workers at a fictional farm say their wages are withheld and their passports kept.',
  'Signalement simulé : une jeune personne semble contrôlée par un homme plus âgé qui garde son téléphone.',
  'Simulated report: a fictional restaurant houses staff above the kitchen and never lets them out.',
  'Signalement simulé : des annonces en ligne fictives proposent des « emplois de mannequin » suspects.',
];

/** Posts `count` reports (JSON and form-encoded alternately) with `concurrency` in flight. */
export async function simulateForms(options: FormOptions): Promise<FormResult> {
  const result: FormResult = { sent: 0, created: 0, references: [], refused: {}, ms: [], seconds: 0 };
  const target = new URL('/api/public/reports', options.url).toString();
  let next = 0;
  const t0 = performance.now();
  const one = async (i: number) => {
    const report: Record<string, unknown> = {
      situation: `${SITUATIONS[i % SITUATIONS.length]} (#${i + 1})`,
      where: i % 2 === 0 ? 'Fictionville, ON' : 'Villefictive, QC',
      language: i % 2 === 0 ? 'en' : 'fr',
    };
    if (options.withContact && i % 2 === 1) {
      report.contact = { name: 'Simulated Person', email: `simulated+${i}@example.invalid` };
      report.safe_to_contact = { how: 'email', when: 'weekday evenings', leave_message: false };
    }
    const asForm = i % 2 === 1 && !report.contact;
    const t = performance.now();
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': asForm ? 'application/x-www-form-urlencoded' : 'application/json' },
      body: asForm
        ? new URLSearchParams(report as Record<string, string>).toString()
        : JSON.stringify(report),
    });
    result.sent++;
    const body = (await res.json().catch(() => ({}))) as { reference?: string };
    if (res.status === 201 && body.reference) {
      result.created++;
      result.references.push(body.reference);
      result.ms.push(performance.now() - t);
    } else {
      result.refused[String(res.status)] = (result.refused[String(res.status)] ?? 0) + 1;
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, options.count) }, async () => {
      while (next < options.count) await one(next++);
    }),
  );
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}

/** Median and p99 of a list of milliseconds, for the CLI's summary line. */
export function percentiles(values: number[]): { p50: number; p99: number } {
  if (values.length === 0) return { p50: 0, p99: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}
