import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerError } from 'smtp-server';
import type { ChannelsDeps } from './channels.module.js';
import { type IngestOutcome, ingestEmail } from './email.ingest.js';

/**
 * The hotline's incoming mail (docs/api/channels.md, "E-mail"): an SMTP listener on SMTP_PORT (off when unset; 0 =
 * an ephemeral port, see `port()`). Never an open relay: no AUTH, RCPT TO only the hotline's addresses (else 550),
 * at most SMTP_MAX_BYTES (SIZE advertised; a bigger message is read to its end and refused with 552). Each message
 * is answered 250 only once it is committed (or deliberately dropped: auto-replies, bounces), 5xx when it is refused
 * for good (loop, unreadable, empty), and 451 on an internal failure so the relay tries again later (storing is
 * idempotent by Message-ID). STARTTLS is not offered (no certificate configured). The log gets counts and reasons,
 * never an address, subject or text.
 */

/** Concurrent SMTP connections (each may hold up to SMTP_MAX_BYTES in memory while it is read). */
const MAX_CLIENTS = 20;
/** Messages parsed and stored at the same time; the others wait their turn (their clients wait for the reply). */
const MAX_INGESTING = 4;
/** Recipients per message (all must be the hotline's own). */
const MAX_RECIPIENTS = 10;

function smtpError(code: number, message: string): SMTPServerError {
  const err: SMTPServerError = new Error(message);
  err.responseCode = code;
  return err;
}

export function createEmailListener(deps: ChannelsDeps): {
  start(): Promise<void>;
  stop(): Promise<void>;
  port(): number | undefined;
} {
  const cfg = deps.config.email;
  const log = deps.log;
  let server: SMTPServer | undefined;
  let bound: number | undefined;

  const domain = cfg?.addresses[0]?.split('@')[1] ?? 'harbour.invalid';

  // A small semaphore: parsing is CPU and memory bound, so a burst of large mails is taken a few at a time.
  let ingesting = 0;
  const queue: Array<() => void> = [];
  async function limited<T>(run: () => Promise<T>): Promise<T> {
    // A finishing run hands its slot straight to the next waiter, so the limit holds exactly.
    if (ingesting >= MAX_INGESTING) await new Promise<void>((resolve) => queue.push(resolve));
    else ingesting++;
    try {
      return await run();
    } finally {
      const next = queue.shift();
      if (next) next();
      else ingesting--;
    }
  }

  function report(outcome: IngestOutcome): void {
    switch (outcome.kind) {
      case 'stored':
        log.info(
          {
            channel: 'email',
            created: outcome.created,
            followUp: Boolean(outcome.followUpOf),
            attachments: outcome.attachments,
            refusedAttachments: outcome.refusedAttachments,
          },
          'e-mail stored',
        );
        return;
      case 'duplicate':
        log.info({ channel: 'email' }, 'e-mail already stored (retry)');
        return;
      case 'dropped':
        log.info(
          { channel: 'email', reason: outcome.reason, undelivered: outcome.undelivered ?? 0 },
          'automatic e-mail dropped',
        );
        return;
      case 'refused':
        log.info({ channel: 'email', reason: outcome.reason, code: outcome.code }, 'e-mail refused');
        return;
    }
  }

  function build(maxBytes: number, addresses: readonly string[]): SMTPServer {
    return new SMTPServer({
      name: domain,
      banner: 'Harbour',
      logger: false,
      size: maxBytes,
      rejectOversized: true,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      disableReverseLookup: true,
      maxClients: MAX_CLIENTS,
      maxRecipients: MAX_RECIPIENTS,
      socketTimeout: 60_000,
      closeTimeout: 2_000,
      onRcptTo(address, _session, callback) {
        const to = address.address.trim().toLowerCase();
        if (!addresses.includes(to)) {
          log.info({ channel: 'email', reason: 'recipient', code: 550 }, 'e-mail refused');
          return callback(smtpError(550, '5.1.1 Recipient not accepted here'));
        }
        callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        let size = 0;
        let done = false;
        const finish = (err: SMTPServerError | null, message?: string) => {
          if (done) return;
          done = true;
          if (err) callback(err);
          else callback(null, message);
        };
        stream.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // Past the limit the rest is read and thrown away (the client gets 552 at the end).
          if (size <= maxBytes) chunks.push(chunk);
        });
        stream.on('error', () => finish(smtpError(451, '4.3.0 Temporary failure, try again later')));
        stream.on('end', () => {
          if (stream.sizeExceeded || size > maxBytes) {
            log.info({ channel: 'email', reason: 'size', code: 552 }, 'e-mail refused');
            return finish(smtpError(552, '5.3.4 Message too big'));
          }
          const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
          const raw = Buffer.concat(chunks, size);
          chunks.length = 0;
          limited(() =>
            ingestEmail(deps, {
              raw,
              mailFrom,
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              remoteAddress: session.remoteAddress,
            }),
          )
            .then((outcome) => {
              report(outcome);
              if (outcome.kind === 'refused') finish(smtpError(outcome.code, outcome.reply));
              else finish(null, 'Message accepted');
            })
            .catch((err: unknown) => {
              const e = err as { name?: string; code?: string } | undefined;
              log.error(
                { channel: 'email', err: { type: e?.name, code: e?.code } },
                'e-mail could not be stored; the relay will retry',
              );
              finish(smtpError(451, '4.3.0 Temporary failure, try again later'));
            });
        });
      },
    });
  }

  return {
    async start() {
      if (!cfg || cfg.smtpPort === undefined || server) return;
      const s = build(cfg.maxBytes, cfg.addresses);
      // A client's broken connection is reported here; it must never bring the process down.
      s.on('error', (err: Error & { code?: string }) =>
        log.warn({ channel: 'email', err: { type: err.name, code: err.code } }, 'SMTP connection error'),
      );
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        s.server.once('error', onError);
        s.listen(cfg.smtpPort, cfg.smtpHost, () => {
          s.server.off('error', onError);
          resolve();
        });
      });
      server = s;
      bound = (s.server.address() as AddressInfo).port;
      log.info({ channel: 'email', port: bound }, 'SMTP listener started');
    },
    async stop() {
      const s = server;
      if (!s) return;
      server = undefined;
      bound = undefined;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    port: () => bound,
  };
}
