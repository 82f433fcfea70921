import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server that speaks the part of Twilio's REST API Harbour uses (docs/api/channels.md,
 * "Simulator and stand-in"): it checks Basic auth like Twilio (account SID + auth token, else 401), answers with
 * the JSON shapes the `twilio` package parses, and records every request so its owner (a test, or
 * `harbour simulate`, which plays the phone network) can react. Harbour reaches it through TWILIO_API_BASE_URL.
 *
 *   POST   /2010-04-01/Accounts/{AC}/Calls/{CA}.json                          update a call (Twiml, Url, Status)
 *   POST   /2010-04-01/Accounts/{AC}/Messages.json                            send an SMS / WhatsApp message
 *   POST   /2010-04-01/Accounts/{AC}/Conferences/{name|CF}/Participants.json  dial a party into a conference
 *   POST   /2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants/{CA}.json  hold / mute a party
 *   DELETE /2010-04-01/Accounts/{AC}/Conferences/{CF}/Participants/{CA}.json  remove a party
 *   GET    /2010-04-01/Accounts/{AC}/Messages/{MM}/Media/{ME}                 media bytes (addMedia)
 *   DELETE /2010-04-01/Accounts/{AC}/Messages/{MM}/Media/{ME}.json            delete media
 */

export interface StandinRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Form parameters (the twilio package sends form-encoded bodies). */
  params: Record<string, string>;
  /** What the stand-in answered. */
  status: number;
  /** The created resource's SID (messages, participants), if any. */
  sid?: string;
  at: Date;
}

export interface TwilioStandin {
  /** `http://127.0.0.1:<port>`: use as TWILIO_API_BASE_URL. */
  url: string;
  accountSid: string;
  authToken: string;
  requests: StandinRequest[];
  /** The first recorded request (past or future) that matches, within timeoutMs (default 5 s). */
  waitFor(match: (r: StandinRequest) => boolean, timeoutMs?: number): Promise<StandinRequest>;
  /** Serves these bytes at a new media URL; returns the full MediaUrl to put in a messaging webhook. */
  addMedia(bytes: Buffer, contentType: string): string;
  /** Media deleted by Harbour (their MediaUrl). */
  deletedMedia: Set<string>;
  /** The next `times` requests whose path matches answer `status` with a Twilio error body. */
  failNext(pathPattern: RegExp, status: number, times?: number, code?: number): void;
  onRequest(listener: (r: StandinRequest) => void): () => void;
  close(): Promise<void>;
}

const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTwilioStandin(options: {
  accountSid: string;
  authToken: string;
  port?: number;
  host?: string;
}): Promise<TwilioStandin> {
  const { accountSid, authToken } = options;
  const requests: StandinRequest[] = [];
  const listeners = new Set<(r: StandinRequest) => void>();
  const media = new Map<string, { bytes: Buffer; contentType: string }>();
  const deletedMedia = new Set<string>();
  const failures: { pattern: RegExp; status: number; times: number; code: number }[] = [];
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const base = `/2010-04-01/Accounts/${accountSid}`;
  let url = '';

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const twilioError = (res: ServerResponse, status: number, code: number, message: string) =>
    json(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

  const record = (r: StandinRequest) => {
    requests.push(r);
    for (const l of listeners) l(r);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const method = req.method ?? 'GET';
      let params: Record<string, string> = {};
      try {
        params = Object.fromEntries(new URLSearchParams(await readBody(req)));
      } catch {
        return twilioError(res, 413, 20001, 'Request too large');
      }
      const at = new Date();
      if (req.headers.authorization !== expectedAuth) {
        record({ method, path, params, status: 401, at });
        return twilioError(res, 401, 20003, 'Authenticate');
      }
      const failure = failures.find((f) => f.pattern.test(path) && f.times > 0);
      if (failure) {
        failure.times--;
        record({ method, path, params, status: failure.status, at });
        return twilioError(res, failure.status, failure.code, 'Stand-in failure on request');
      }
      const done = (status: number, body: unknown, created?: string) => {
        record({ method, path, params, status, at, ...(created ? { sid: created } : {}) });
        json(res, status, body);
      };
      if (!path.startsWith(`${base}/`)) return done(404, { code: 20404, message: 'Not found', status: 404 });
      const rest = path.slice(base.length);
      const call = /^\/Calls\/(CA[0-9a-f]{32})\.json$/.exec(rest);
      const conference = /^\/Conferences\/([^/]+)\/Participants\.json$/.exec(rest);
      const party = /^\/Conferences\/(CF[0-9a-f]{32})\/Participants\/(CA[0-9a-f]{32})\.json$/.exec(rest);
      const mediaPath = /^\/Messages\/(MM[0-9a-f]{32})\/Media\/(ME[0-9a-f]{32})(\.json)?$/.exec(rest);
      if (method === 'POST' && call) {
        const m = call;
        const status = params.Status ?? 'in-progress';
        return done(200, { sid: m[1], account_sid: accountSid, status, api_version: '2010-04-01' });
      }
      if (method === 'POST' && rest === '/Messages.json') {
        if (!params.To || (!params.From && !params.MessagingServiceSid) || (!params.Body && !params.MediaUrl))
          return done(400, { code: 21604, message: "A 'To' phone number is required.", status: 400 });
        const created = sid('SM');
        return done(
          201,
          {
            sid: created,
            account_sid: accountSid,
            to: params.To,
            from: params.From,
            body: params.Body,
            status: 'queued',
            num_segments: '1',
            direction: 'outbound-api',
            api_version: '2010-04-01',
          },
          created,
        );
      }
      if (method === 'POST' && conference) {
        const m = conference;
        if (!params.To || !params.From)
          return done(400, { code: 21604, message: "A 'To' phone number is required.", status: 400 });
        const created = sid('CA');
        const conferenceSid = m[1]?.startsWith('CF') ? m[1] : sid('CF');
        return done(
          201,
          {
            account_sid: accountSid,
            call_sid: created,
            conference_sid: conferenceSid,
            label: params.Label ?? null,
            status: 'queued',
            hold: false,
            muted: false,
          },
          created,
        );
      }
      if (party) {
        const m = party;
        if (method === 'DELETE') {
          record({ method, path, params, status: 204, at });
          res.writeHead(204);
          return res.end();
        }
        if (method === 'POST')
          return done(200, {
            account_sid: accountSid,
            call_sid: m[2],
            conference_sid: m[1],
            hold: params.Hold === 'true',
            muted: params.Muted === 'true',
            status: 'connected',
          });
      }
      if (mediaPath) {
        const m = mediaPath;
        const key = `${base}/Messages/${m[1]}/Media/${m[2]}`;
        if (method === 'DELETE') {
          deletedMedia.add(url + key);
          record({ method, path, params, status: 204, at });
          res.writeHead(204);
          return res.end();
        }
        const item = media.get(key);
        if (method === 'GET' && item && !m[3]) {
          record({ method, path, params, status: 200, at });
          res.writeHead(200, { 'content-type': item.contentType, 'content-length': item.bytes.length });
          return res.end(item.bytes);
        }
      }
      return done(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;

  const onRequest = (listener: (r: StandinRequest) => void) => {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  };

  return {
    url,
    accountSid,
    authToken,
    requests,
    deletedMedia,
    waitFor(match, timeoutMs = 5000) {
      const found = requests.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          stop();
          reject(new Error('the Twilio stand-in did not receive the expected request'));
        }, timeoutMs);
        const stop = onRequest((r) => {
          if (!match(r)) return;
          clearTimeout(timer);
          stop();
          resolve(r);
        });
      });
    },
    addMedia(bytes, contentType) {
      const key = `${base}/Messages/${sid('MM')}/Media/${sid('ME')}`;
      media.set(key, { bytes, contentType });
      return url + key;
    },
    failNext(pattern, status, times = 1, code = 20500) {
      failures.push({ pattern, status, times, code });
    },
    onRequest,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
