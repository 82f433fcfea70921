import WebSocket from 'ws';

/** A frame of the visitor chat protocol (docs/api/live-queue.md). */
export interface ChatFrame {
  type: string;
  [key: string]: unknown;
}

/**
 * A visitor on the real chat WebSocket, for process-level tests: records every frame and lets a test wait for
 * the next frame that matches.
 */
export class Visitor {
  readonly frames: ChatFrame[] = [];
  private waiters: { match: (f: ChatFrame) => boolean; resolve: (f: ChatFrame) => void }[] = [];
  private closed = false;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ChatFrame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    socket.on('close', () => {
      this.closed = true;
    });
  }

  /** Opens `/chat/ws` of the server at `baseUrl` (http://host:port). */
  static connect(baseUrl: string): Promise<Visitor> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/chat/ws`;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { origin: baseUrl });
      socket.once('open', () => resolve(new Visitor(socket)));
      socket.once('error', reject);
    });
  }

  send(frame: ChatFrame): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** The next frame (already received or to come) matching `match`, or an error after `ms`. */
  next(match: (f: ChatFrame) => boolean, ms = 10_000, fromIndex = 0): Promise<ChatFrame> {
    const seen = this.frames.slice(fromIndex).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(this.frames)}`)),
        ms,
      );
      this.waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  /** Sends a message and waits for its ack; returns the seq the server gave it. */
  async say(id: string, text: string): Promise<number> {
    this.send({ type: 'message', id, text });
    const ack = await this.next((f) => f.type === 'ack' && f.id === id);
    return Number(ack.seq);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close(1000);
      setTimeout(resolve, 1000);
    });
  }
}
