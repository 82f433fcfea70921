import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type Config, ConfigError, loadConfig } from '../server/config.js';
import { runRetention } from '../server/modules/cases/retention.js';
import { DEMO_PASSWORD, demoEmail, seedDemo } from '../server/modules/demo/demo.seed.js';
import { generateDemoDirectory } from '../server/modules/directory/demo/seed.js';
import {
  createInterchangeService,
  type ImportInput,
} from '../server/modules/directory/interchange.service.js';
import { importFsaCentroids } from '../server/modules/directory/places.js';
import { ensureReferenceData } from '../server/modules/directory/reference.js';
import { identityRepository } from '../server/modules/identity/identity.repository.js';
import { createIdentityService } from '../server/modules/identity/identity.service.js';
import type { Actor } from '../server/platform/audit.js';
import { recordAudit, verifyAudit } from '../server/platform/audit.js';
import {
  type Database,
  migrate,
  openPglite,
  openPostgres,
  SOCKET_PORT,
  socketDir,
} from '../server/platform/db.js';
import { AppError } from '../server/platform/errors.js';
import { t } from '../server/platform/i18n.js';
import {
  keyStatus,
  RotationError,
  type RotationResult,
  rotateKeys,
  V1_LABEL,
} from '../server/platform/rotation.js';
import { isRole, isScope, ROLES, type Role, SCOPES, type Scope } from '../shared/roles.js';
import { percentiles, simulateChats, simulateForms } from './simulate.js';
import {
  ensureReachable,
  isFictionalEmail,
  isFictionalNumber,
  type Language,
  SimulateError,
  simulateCall,
  simulateEmails,
  simulateMessaging,
  startStandinFor,
  type TwilioSim,
} from './simulate-channels.js';

const CLI_ACTOR: Actor = { id: null, label: 'cli' };

function serverPid(dataDir: string): number | undefined {
  const file = path.join(dataDir, 'harbour.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8'));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL when DATABASE_URL is set; otherwise the embedded database — through the running
 * server's socket when a server holds it (only one process may open PGlite's folder), or directly.
 */
export async function openForCli(config: Config): Promise<Database> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl, { max: 2 });
  const pid = serverPid(config.dataDir);
  const dir = socketDir(config.dataDir);
  if (pid && existsSync(path.join(dir, `.s.PGSQL.${SOCKET_PORT}`))) {
    return openPostgres(
      { host: dir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' },
      { max: 1, describe: `embedded PGlite via the running server (pid ${pid})` },
    );
  }
  const database = await openPglite(path.join(config.dataDir, 'pg'));
  await migrate(database);
  return database;
}

async function withDatabase<T>(fn: (database: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openForCli(config);
  try {
    return await fn(database, config);
  } finally {
    await database.close();
  }
}

function identityFor(database: Database, config: Config) {
  return createIdentityService({
    db: database.db,
    encryptionKey: config.encryptionKey,
    demo: config.demo,
    publicUrl: config.publicUrl,
    sessionIdleMinutes: config.sessionIdleMinutes,
    sessionMaxHours: config.sessionMaxHours,
  });
}

const parseRole = (value: string): Role => {
  if (!isRole(value)) throw new InvalidArgumentError(`unknown role; one of: ${ROLES.join(', ')}`);
  return value;
};
const parseScopes = (value: string, previous: Scope[] = []): Scope[] => {
  const scopes = value.split(',').map((s) => s.trim());
  for (const s of scopes) {
    if (!isScope(s)) throw new InvalidArgumentError(`unknown scope "${s}"; one of: ${SCOPES.join(', ')}`);
  }
  return [...previous, ...(scopes as Scope[])];
};
const parseDays = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 365)
    throw new InvalidArgumentError('a whole number of days from 1 to 365');
  return n;
};

const parseMs = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 3_600_000)
    throw new InvalidArgumentError('a whole number of milliseconds from 0 to 3,600,000');
  return n;
};

const parseSeconds = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 3600)
    throw new InvalidArgumentError('a number of seconds from 0 to 3600');
  return n;
};

const parseBatch = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new InvalidArgumentError('a whole number of rows from 1 to 10,000');
  return n;
};

const parseCount = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
    throw new InvalidArgumentError('a whole number from 1 to 1,000,000');
  return n;
};

export function buildCli(): Command {
  const program = new Command('harbour')
    .description('Harbour hotline platform: administration from the command line')
    .version('0.1.0')
    .showHelpAfterError()
    .addHelpText(
      'after',
      '\nDatabase: DATABASE_URL (PostgreSQL), else the embedded database in HARBOUR_DATA_DIR (default ./data),\nthrough the running server when one is running.',
    );

  program
    .command('migrate')
    .description('apply database migrations (the server also applies them at start)')
    .action(() =>
      withDatabase(async (database) => {
        await migrate(database);
        const loaded = await ensureReferenceData(database.db);
        console.log(
          `Migrations applied${loaded ? ', reference data (taxonomies, places) loaded' : ''}; ${database.describe} is up to date.`,
        );
      }),
    );

  const user = program.command('user').description('staff accounts');
  user
    .command('add')
    .description('create a staff account and print its one-time invitation link')
    .requiredOption('--email <email>', 'e-mail address (the sign-in name)')
    .requiredOption('--role <role>', `one of: ${ROLES.join(', ')}`, parseRole)
    .option('--name <name>', 'display name (default: the part of the e-mail before @)')
    .addOption(
      new Option('--locale <locale>', 'language of the console').choices(['en-CA', 'fr-CA']).default('en-CA'),
    )
    .action((opts: { email: string; role: Role; name?: string; locale: 'en-CA' | 'fr-CA' }) =>
      withDatabase(async (database, config) => {
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(opts.email))
          throw new InvalidArgumentError('--email is not an e-mail address');
        const identity = identityFor(database, config);
        const { user: created, inviteToken } = await identity.inviteUser(
          {
            email: opts.email,
            displayName: opts.name ?? opts.email.split('@')[0] ?? opts.email,
            role: opts.role,
            locale: opts.locale,
          },
          CLI_ACTOR,
        );
        console.log(`Created ${created.role} account ${created.id}.`);
        console.log(`Invitation link (valid 7 days, works once): ${identity.inviteUrl(inviteToken)}`);
      }),
    );

  const token = program.command('token').description('API tokens for integrations and scripts');
  token
    .command('create')
    .description('create a scoped, expiring API token and print its secret (shown once)')
    .requiredOption('--user <email>', 'the staff account the token acts for')
    .requiredOption('--scope <scopes>', `comma-separated, repeatable: ${SCOPES.join(', ')}`, parseScopes)
    .option('--name <name>', 'what the token is for', 'cli token')
    .option('--days <days>', 'days until it expires (1-365)', parseDays, 90)
    .action((opts: { user: string; scope: Scope[]; name: string; days: number }) =>
      withDatabase(async (database, config) => {
        const owner = await identityRepository.findUserByEmail(database.db, opts.user);
        if (!owner) throw new InvalidArgumentError(`no staff account with e-mail ${opts.user}`);
        const { token: created, secret } = await identityFor(database, config).createToken(
          { userId: owner.id, name: opts.name, scopes: opts.scope, expiresInDays: opts.days },
          CLI_ACTOR,
        );
        console.log(
          `Token ${created.id} (${created.scopes.join(', ')}), expires ${created.expiresAt.toISOString()}.`,
        );
        console.log(secret);
      }),
    );

  const audit = program.command('audit').description('the audit log');
  audit
    .command('verify')
    .description('check the hash chain: detects edited, inserted and deleted rows')
    .action(() =>
      withDatabase(async (database) => {
        const result = await verifyAudit(database.db);
        if (result.ok) {
          console.log(`Audit log intact: ${result.rows} rows, head ${result.headHash}.`);
        } else {
          console.error(`AUDIT LOG TAMPERED: ${result.problems.length} problem(s) in ${result.rows} rows:`);
          for (const p of result.problems) console.error(`  ${p}`);
          process.exitCode = 1;
        }
      }),
    );

  const keys = program
    .command('keys')
    .description(
      'the encryption key ring: HARBOUR_ENCRYPTION_KEY seals, HARBOUR_ENCRYPTION_KEYS_PREVIOUS still opens',
    );
  keys
    .command('rotate')
    .description(
      're-encrypt every sealed value under the current key (and re-key contact hashes), while Harbour runs; resumable',
    )
    .option('--batch <n>', 'rows per transaction (1-10000)', parseBatch, 500)
    .action((opts: { batch: number }) =>
      withDatabase(async (database, config) => {
        const ring = config.encryptionKey;
        let lastTable = '';
        let result: RotationResult;
        try {
          result = await rotateKeys(database.db, ring, {
            batch: opts.batch,
            actor: CLI_ACTOR,
            onProgress: (p) => {
              if (p.table !== lastTable) console.error(`${p.table}: ${p.pending} value(s) to re-encrypt`);
              lastTable = p.table;
            },
          });
        } catch (err) {
          if (err instanceof RotationError) throw new InvalidArgumentError(err.message);
          throw err;
        }
        const seconds = result.milliseconds / 1000;
        const rows = result.tables.reduce((n, t) => n + t.rows, 0);
        for (const t of result.tables) {
          const done = Object.entries(t.values).filter(([, n]) => n > 0);
          if (done.length) console.log(`  ${t.table}: ${done.map(([c, n]) => `${c} ${n}`).join(', ')}`);
        }
        console.log(
          `Re-encrypted ${result.values} value(s) in ${rows} row(s) under key ${result.keyId} in ${seconds.toFixed(1)} s` +
            ` (${Math.round(rows / Math.max(seconds, 0.001))} rows/s); ${result.contactHashes} contact hash(es) re-keyed.`,
        );
        if (result.failed > 0) {
          console.error(
            `harbour: ${result.failed} value(s) could not be opened with any key of the ring (altered?); left as they are.`,
          );
          process.exitCode = 1;
        }
        if (result.remaining > result.failed) {
          console.error(
            `harbour: ${result.remaining - result.failed} value(s) are still under an older key (locked rows, or a process not restarted with the new key): run it again.`,
          );
          process.exitCode = 1;
        }
      }),
    );
  keys
    .command('status')
    .description('how many sealed values each key id holds, per column: an old key may go when it holds none')
    .option('--json', 'machine-readable output')
    .action((opts: { json?: boolean }) =>
      withDatabase(async (database, config) => {
        const ring = config.encryptionKey;
        const status = await keyStatus(database.db);
        const totals: Record<string, number> = {};
        for (const s of status)
          for (const [k, n] of Object.entries(s.counts)) totals[k] = (totals[k] ?? 0) + n;
        const previous = [...ring.keys.keys()].filter((k) => k !== ring.current.id);
        if (opts.json) {
          console.log(
            JSON.stringify({ current: ring.current.id, previous, totals, columns: status }, null, 2),
          );
          return;
        }
        const label = (k: string) =>
          k === ring.current.id
            ? `${k} (current)`
            : ring.keys.has(k)
              ? `${k} (previous)`
              : k === V1_LABEL
                ? k
                : `${k} (NOT IN THE RING)`;
        for (const s of status) {
          const parts = Object.entries(s.counts).map(([k, n]) => `${label(k)} ${n}`);
          console.log(`  ${`${s.table}.${s.column}`.padEnd(40)} ${parts.length ? parts.join(', ') : '-'}`);
        }
        const under = Object.entries(totals).map(([k, n]) => `${label(k)} ${n}`);
        console.log(`Sealed values: ${under.length ? under.join(', ') : 'none'}.`);
        for (const k of previous) {
          if (!totals[k])
            console.log(
              `Previous key ${k} seals nothing any more: it can be removed from HARBOUR_ENCRYPTION_KEYS_PREVIOUS.`,
            );
        }
        const old = Object.entries(totals).filter(([k, n]) => k !== ring.current.id && n > 0);
        if (old.length) console.log('Values not under the current key: run `harbour keys rotate`.');
      }),
    );

  const retention = program
    .command('retention')
    .description(
      'redaction of personal data HARBOUR_RETENTION_DAYS after a case closed (or a signal in no case ended)',
    );
  retention
    .command('run')
    .description('redact the cases and lone signals that are due now (the server also does it every hour)')
    .option('--dry-run', 'list the cases and signals that would be redacted, change nothing')
    .option('--json', 'machine-readable output')
    .action((opts: { dryRun?: boolean; json?: boolean }) =>
      withDatabase(async (database, config) => {
        const report = await runRetention(database.db, config.encryptionKey, {
          dryRun: Boolean(opts.dryRun),
          days: config.retentionDays,
          actor: CLI_ACTOR,
        });
        if (opts.json) {
          console.log(JSON.stringify(report, null, 2));
        } else if (report.days === null) {
          console.log('Retention is off (HARBOUR_RETENTION_DAYS=0): nothing is redacted.');
        } else {
          const counted = (counts: Record<string, number>) =>
            Object.entries(counts)
              .filter(([, n]) => n > 0)
              .map(([k, n]) => `${k.replaceAll('_', ' ')} ${n}`)
              .join(', ') || '-';
          for (const c of report.cases)
            console.log(
              `  ${c.reference}  closed ${c.closedAt.toISOString().slice(0, 10)}  ${counted({ ...c.counts })}`,
            );
          for (const x of report.signals)
            console.log(
              `  ${x.reference}  ended ${x.endedAt.toISOString().slice(0, 10)}  ${counted({ ...x.counts })}`,
            );
          const before = report.cutoff?.toISOString().slice(0, 10);
          const what = `${report.cases.length} case(s) closed and ${report.signals.length} signal(s) in no case ended before ${before}`;
          console.log(
            report.dryRun
              ? `Dry run: ${what} would be redacted; nothing was changed.`
              : `Redacted ${what} (${report.days} days).`,
          );
        }
        if (report.busy) {
          console.error('harbour: another process is redacting right now; the rest is left to it.');
          process.exitCode = 1;
        }
      }),
    );

  const demo = program.command('demo').description('fictional demo data');
  demo
    .command('seed')
    .description('load the fictional demo data (refused in production)')
    .action(() =>
      withDatabase(async (database, config) => {
        if (config.env === 'production') {
          throw new InvalidArgumentError('demo data is refused in production (NODE_ENV=production)');
        }
        const { created, cases } = await seedDemo(database.db, CLI_ACTOR, config);
        console.log(
          created.length
            ? `Demo accounts created (all fictional): ${created.join(', ')}. Password: "${DEMO_PASSWORD}".`
            : `Demo data already present (e.g. ${demoEmail('admin')}).`,
        );
        if (cases.length) console.log(`Demo cases created (all fictional): ${cases.join(', ')}.`);
      }),
    );

  const geo = program.command('geo').description('places: cities and postal-code (FSA) centroids');
  geo
    .command('import')
    .description(
      'import FSA centroids from a CSV "fsa,latitude,longitude[,province]"; any bad row and nothing is imported',
    )
    .argument('<file>', 'CSV file')
    .action((file: string) =>
      withDatabase(async (database) => {
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch {
          throw new InvalidArgumentError(`cannot read ${file}`);
        }
        const result = await database.db.transaction(async (tx) => {
          const r = await importFsaCentroids(tx, text);
          if (r.ok) {
            await recordAudit(tx, CLI_ACTOR, {
              action: 'directory.fsa_imported',
              targetType: 'place',
              details: { rows: r.imported },
            });
          }
          return r;
        });
        if (!result.ok) {
          console.error(`harbour: ${file}: ${result.errors.length} bad row(s); nothing was imported.`);
          for (const e of result.errors) console.error(`  line ${e.line}: ${e.reason}`);
          process.exitCode = 2;
          return;
        }
        console.log(`Imported ${result.imported} FSA centroids.`);
      }),
    );

  const directory = program.command('directory').description('the National Referral Directory');
  directory
    .command('generate')
    .description('add a generated, fictional directory for trials and benchmarks (refused in production)')
    .requiredOption('--services <n>', 'number of services (1-1000000)', parseCount)
    .option('--seed <n>', 'seed of the generator: the same seed gives the same directory', parseCount, 1)
    .action((opts: { services: number; seed: number }) =>
      withDatabase(async (database, config) => {
        if (config.env === 'production') {
          throw new InvalidArgumentError(
            'generated directories are refused in production (NODE_ENV=production)',
          );
        }
        const r = await database.db.transaction((tx) =>
          generateDemoDirectory(tx, CLI_ACTOR, { services: opts.services, seed: opts.seed }),
        );
        console.log(
          `Generated ${r.services} fictional services of ${r.organizations} organizations ` +
            `(${r.providers} providers, ${r.police} police, ${r.childProtection} child protection; ` +
            `${r.confidentialServices} confidential) in ${(r.milliseconds / 1000).toFixed(1)} s ` +
            `(search rebuild ${(r.searchMilliseconds / 1000).toFixed(1)} s).`,
        );
      }),
    );

  directory
    .command('import')
    .description('import HSDS 3.0 JSON or a tabular CSV package (folder or datapackage.json): all or nothing')
    .argument('<file>', 'a .json file, a folder of CSV files, or its datapackage.json')
    .option('--dry-run', 'validate and report only')
    .action((file: string, opts: { dryRun?: boolean }) =>
      withDatabase(async (database) => {
        const input = readImportFile(file);
        const report = await createInterchangeService({ db: database.db }).import(input, CLI_ACTOR, {
          dryRun: Boolean(opts.dryRun),
        });
        for (const w of report.warnings) console.log(`warning: ${w}`);
        if (!report.ok) {
          console.error(`Import refused, nothing was imported: ${report.errors.length} error(s).`);
          for (const e of report.errors) console.error(`  ${e}`);
          process.exitCode = 1;
          return;
        }
        const counts = Object.entries(report.counts)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ');
        console.log(`${opts.dryRun ? 'Valid, not imported (dry run)' : 'Imported'}: ${counts}.`);
      }),
    );

  directory
    .command('export')
    .description('export the directory as HSDS JSON, NDJSON or a tabular CSV package')
    .addOption(
      new Option('--format <format>', 'output format').choices(['json', 'ndjson', 'csv']).default('json'),
    )
    .option('--out <path>', 'file (json, ndjson) or folder (csv); default: standard output (json, ndjson)')
    .option(
      '--include-confidential',
      'include confidential entries (needs --token of a staff member; audited)',
    )
    .option('--token <token>', 'API token with scope directory:read (required with --include-confidential)')
    .action(
      (opts: {
        format: 'json' | 'ndjson' | 'csv';
        out?: string;
        includeConfidential?: boolean;
        token?: string;
      }) =>
        withDatabase(async (database, config) => {
          let actor = CLI_ACTOR;
          if (opts.includeConfidential) {
            const auth = opts.token
              ? await identityFor(database, config).authenticateToken(opts.token)
              : undefined;
            const staffRoles = ['advocate', 'supervisor', 'directory_manager', 'admin'];
            if (
              auth?.kind !== 'token' ||
              !auth.scopes.includes('directory:read') ||
              !staffRoles.includes(auth.user.role)
            ) {
              throw new InvalidArgumentError(
                '--include-confidential needs --token: a valid API token of a staff member with scope directory:read',
              );
            }
            actor = { id: auth.user.id, label: `token:${auth.tokenName}` };
          }
          const interchange = createInterchangeService({ db: database.db });
          const confidential = Boolean(opts.includeConfidential);
          if (opts.format === 'csv') {
            if (!opts.out) throw new InvalidArgumentError('--format csv needs --out <folder>');
            const files = await interchange.exportCsv(actor, confidential);
            mkdirSync(opts.out, { recursive: true });
            for (const [name, text] of Object.entries(files)) writeFileSync(path.join(opts.out, name), text);
            console.error(`Wrote ${Object.keys(files).length} files to ${opts.out}.`);
            return;
          }
          const chunks: string[] = [];
          const items: unknown[] = [];
          for await (const svc of interchange.exportServices(actor, confidential)) {
            if (opts.format === 'ndjson') chunks.push(`${JSON.stringify(svc)}\n`);
            else items.push(svc);
          }
          const text = opts.format === 'ndjson' ? chunks.join('') : `${JSON.stringify(items, null, 2)}\n`;
          if (opts.out) writeFileSync(opts.out, text);
          else process.stdout.write(text);
        }),
    );

  const simulate = program
    .command('simulate')
    .description(
      'real traffic against a running Harbour, for demos, tests and benchmarks (all of it synthetic)',
    );
  const urlOption = () =>
    new Option('--url <url>', 'the running server (default: HARBOUR_PUBLIC_URL, else http://localhost:8080)');
  const baseUrl = (url?: string) => {
    const base = url ?? process.env.HARBOUR_PUBLIC_URL ?? 'http://localhost:8080';
    if (!/^https?:\/\/[^/]+/.test(base)) throw new InvalidArgumentError('--url must be an http(s) URL');
    return base.replace(/\/+$/, '');
  };
  simulate
    .command('chat')
    .description('visitor web chats over the real WebSocket: start, messages (each acknowledged), end')
    .addOption(urlOption())
    .option('--conversations <n>', 'chats at once', parseCount, 5)
    .option('--messages <n>', 'messages per visitor', parseCount, 3)
    .option('--interval <ms>', 'pause between one visitor’s messages', parseMs, 500)
    .addOption(
      new Option('--language <lang>', 'queue language').choices(['en', 'fr', 'other', 'mix']).default('mix'),
    )
    .option('--hold <ms>', 'keep each chat open this long after its last message (with --no-end)', parseMs, 0)
    .option('--no-end', 'leave the chats open (they wait in the queue for an advocate)')
    .action(
      async (opts: {
        url?: string;
        conversations: number;
        messages: number;
        interval: number;
        language: 'en' | 'fr' | 'other' | 'mix';
        hold: number;
        end: boolean;
      }) => {
        const r = await simulateChats({
          url: baseUrl(opts.url),
          conversations: opts.conversations,
          messages: opts.messages,
          intervalMs: opts.interval,
          language: opts.language,
          end: opts.end,
          holdMs: opts.hold,
        });
        const { p50, p99 } = percentiles(r.ackMs);
        console.log(
          `Chats: ${r.started}/${r.conversations} started, ${r.acked} messages acknowledged ` +
            `(send → ack p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms)` +
            (r.unavailable ? `, ${r.unavailable} told nobody is available` : '') +
            '.',
        );
        if (r.references.length) console.log(`References: ${r.references.join(' ')}`);
        for (const e of r.errors.slice(0, 10)) console.error(`  ${e}`);
        if (r.errors.length > 0 || r.started < r.conversations) process.exitCode = 1;
      },
    );
  simulate
    .command('form')
    .description('online reports ("signal a situation"), JSON and form-encoded')
    .addOption(urlOption())
    .option('--count <n>', 'reports to send', parseCount, 10)
    .option('--concurrency <n>', 'requests in flight', parseCount, 4)
    .option('--contact', 'add optional contact details to every other report', false)
    .action(async (opts: { url?: string; count: number; concurrency: number; contact: boolean }) => {
      const r = await simulateForms({
        url: baseUrl(opts.url),
        count: opts.count,
        concurrency: opts.concurrency,
        withContact: opts.contact,
      });
      const { p50, p99 } = percentiles(r.ms);
      console.log(
        `Reports: ${r.created}/${r.sent} accepted in ${r.seconds.toFixed(1)} s ` +
          `(${(r.created / Math.max(r.seconds, 0.001)).toFixed(0)}/s, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms).`,
      );
      const refused = Object.entries(r.refused);
      if (refused.length) {
        console.error(`Refused: ${refused.map(([status, n]) => `${n} × HTTP ${status}`).join(', ')}`);
        process.exitCode = 1;
      }
    });

  // Phone, SMS, WhatsApp and e-mail (docs/api/channels.md): the simulator plays Twilio and a mail client.
  const languageOption = () =>
    new Option('--language <lang>', 'the caller’s language (menu digit 1/2/3, sample text)')
      .choices(['en', 'fr', 'other'])
      .default('en');
  const fromOption = (what: string) =>
    new Option('--from <from>', `${what} (default: random fictional ones)`);
  const channelSetup = (opts: { url?: string; from?: string }, kind: 'phone' | 'email') => {
    const config = loadConfig();
    if (opts.from !== undefined) {
      const ok = kind === 'phone' ? isFictionalNumber(opts.from) : isFictionalEmail(opts.from);
      if (!ok)
        throw new InvalidArgumentError(
          kind === 'phone'
            ? '--from must be a fictional number +1NPA55501xx (555-0100 to 555-0199), e.g. +16135550123'
            : '--from must be an address at a reserved domain (*.example, *.test, *.invalid, example.com)',
        );
    }
    return { config, url: (opts.url ?? config.publicUrl).replace(/\/+$/, '') };
  };
  /** Runs one channel simulation with the Twilio stand-in; clear one-line errors, exit code 1. */
  const withTwilio = async (
    opts: { url?: string; from?: string },
    fn: (sim: TwilioSim) => Promise<boolean>,
  ): Promise<void> => {
    const { config, url } = channelSetup(opts, 'phone');
    if (!/^https?:\/\/[^/]+/.test(url)) throw new InvalidArgumentError('--url must be an http(s) URL');
    try {
      if (!config.twilio)
        throw new SimulateError(
          'Twilio is not configured here: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN like the server, or use the demo (HARBOUR_DEMO)',
        );
      await ensureReachable(url);
      const standin = await startStandinFor(config.twilio);
      try {
        const ok = await fn({
          url,
          publicUrl: config.publicUrl,
          twilio: config.twilio,
          standin,
          log: (line) => console.log(line),
        });
        if (!ok) process.exitCode = 1;
      } finally {
        await standin.close();
      }
    } catch (e) {
      if (!(e instanceof SimulateError)) throw e;
      console.error(`harbour: ${e.message}`);
      process.exitCode = 1;
    }
  };
  simulate
    .command('call')
    .description(
      'phone calls: ringing → menu → queue; answered when an advocate accepts (Harbour redirects the call), else abandoned',
    )
    .addOption(urlOption())
    .option('--count <n>', 'calls at once', parseCount, 1)
    .addOption(fromOption('the caller’s fictional number, +1NPA55501xx'))
    .addOption(languageOption())
    .option('--abandon-after <s>', 'hang up after waiting this long in the queue', parseSeconds, 60)
    .option('--talk <s>', 'talk this long once answered', parseSeconds, 10)
    .action(
      (opts: {
        url?: string;
        count: number;
        from?: string;
        language: Language;
        abandonAfter: number;
        talk: number;
      }) =>
        withTwilio(opts, async (sim) => {
          const results = await Promise.all(
            Array.from({ length: opts.count }, (_, i) =>
              simulateCall(
                sim,
                {
                  ...(opts.from ? { from: opts.from } : {}),
                  language: opts.language,
                  abandonAfterS: opts.abandonAfter,
                  talkS: opts.talk,
                },
                opts.count > 1 ? `call #${i + 1}` : 'call',
              ),
            ),
          );
          const by = (o: string) => results.filter((r) => r.outcome === o).length;
          const { p50, p99 } = percentiles(results.flatMap((r) => r.webhookMs));
          const waits = results.flatMap((r) => (r.waitS === undefined ? [] : [r.waitS]));
          console.log(
            `Calls: ${opts.count} placed, ${by('answered') + by('hung-up-by-harbour')} answered, ${by('abandoned')} abandoned` +
              (by('unavailable') ? `, ${by('unavailable')} told nobody is available` : '') +
              (by('closed') ? `, ${by('closed')} closed hours` : '') +
              (waits.length ? ` (wait p50 ${percentiles(waits).p50.toFixed(1)} s)` : '') +
              `; webhooks p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms.`,
          );
          return true;
        }),
    );
  for (const channel of ['sms', 'whatsapp'] as const)
    simulate
      .command(channel)
      .description(
        `${channel === 'sms' ? 'SMS' : 'WhatsApp'} messages in (signed webhooks); Harbour’s replies are printed and acknowledged (sent → delivered)`,
      )
      .addOption(urlOption())
      .option(
        '--count <n>',
        'conversations, each from its own number (with --from: messages in one conversation)',
        parseCount,
        1,
      )
      .addOption(fromOption('the sender’s fictional number, +1NPA55501xx'))
      .addOption(languageOption())
      .option('--message <text>', 'the text sent (default: a sample in the language)')
      .option('--wait <s>', 'wait this long for Harbour’s first reply to each conversation', parseSeconds, 10)
      .option('--talk <s>', 'then keep acknowledging Harbour’s replies this long', parseSeconds, 0)
      .action(
        (opts: {
          url?: string;
          count: number;
          from?: string;
          language: Language;
          message?: string;
          wait: number;
          talk: number;
        }) =>
          withTwilio(opts, async (sim) => {
            const r = await simulateMessaging(sim, {
              channel,
              count: opts.count,
              ...(opts.from ? { from: opts.from } : {}),
              ...(opts.message !== undefined ? { message: opts.message } : {}),
              language: opts.language,
              waitS: opts.wait,
              talkS: opts.talk,
            });
            const { p50, p99 } = percentiles(r.webhookMs);
            console.log(
              `${channel === 'sms' ? 'SMS' : 'WhatsApp'}: ${r.sent}/${opts.count} messages accepted ` +
                `(webhook p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms); ${r.replies} replies from Harbour acknowledged` +
                (r.unanswered ? `, ${r.unanswered} conversation(s) without a reply` : '') +
                '.',
            );
            return r.sent === opts.count;
          }),
      );
  simulate
    .command('email')
    .description('e-mails over real SMTP to the hotline’s address (SMTP_PORT, HARBOUR_EMAIL_ADDRESS)')
    .option('--count <n>', 'messages (each from its own address unless --from)', parseCount, 1)
    .option('--connections <n>', 'SMTP connections at once', parseCount, 1)
    .addOption(fromOption('the sender’s fictional address (*.example)'))
    .addOption(languageOption())
    .option('--message <text>', 'the body (default: a sample in the language)')
    .option(
      '--reply-to-last',
      'reply in the thread of the last simulated e-mail (to Harbour’s answer if any)',
    )
    .action(
      async (opts: {
        count: number;
        connections: number;
        from?: string;
        language: Language;
        message?: string;
        replyToLast?: boolean;
      }) => {
        const { config } = channelSetup(opts, 'email');
        const email = config.email;
        try {
          if (!email?.smtpPort || email.addresses.length === 0)
            throw new SimulateError(
              'the SMTP listener is off here: set SMTP_PORT and HARBOUR_EMAIL_ADDRESS like the server (the demo listens on 2525)',
            );
          const r = await simulateEmails({
            host: ['0.0.0.0', '::'].includes(email.smtpHost) ? '127.0.0.1' : email.smtpHost,
            port: email.smtpPort,
            to: email.addresses[0]!,
            count: opts.count,
            connections: opts.connections,
            ...(opts.from ? { from: opts.from } : {}),
            ...(opts.message !== undefined ? { message: opts.message } : {}),
            language: opts.language,
            threadDir: config.dataDir,
            replyToLast: Boolean(opts.replyToLast),
            log: (line) => console.log(line),
          });
          const { p50, p99 } = percentiles(r.ms);
          console.log(
            `E-mails: ${r.sent}/${opts.count} accepted (250) in ${r.seconds.toFixed(1)} s ` +
              `(${(r.sent / Math.max(r.seconds, 0.001)).toFixed(0)}/s, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms).`,
          );
          if (r.refused.length) {
            console.error(`Refused: ${r.refused.slice(0, 5).join('; ')}`);
            process.exitCode = 1;
          }
        } catch (e) {
          if (!(e instanceof SimulateError)) throw e;
          console.error(`harbour: ${e.message}`);
          process.exitCode = 1;
        }
      },
    );

  return program;
}

/** JSON file, CSV folder, or a datapackage.json inside one. */
function readImportFile(file: string): ImportInput {
  if (!existsSync(file)) throw new InvalidArgumentError(`no such file or folder: ${file}`);
  const folder = statSync(file).isDirectory()
    ? file
    : path.basename(file) === 'datapackage.json'
      ? path.dirname(file)
      : undefined;
  if (folder) {
    const files: Record<string, string> = {};
    for (const name of readdirSync(folder)) {
      if (name.endsWith('.csv') || name === 'datapackage.json')
        files[name] = readFileSync(path.join(folder, name), 'utf8');
    }
    // A descriptor checked out as a link-file (its text is the relative path of the real one): follow it.
    const descriptor = files['datapackage.json']?.trim();
    if (descriptor && /^[.\w/-]+\.json$/.test(descriptor) && existsSync(path.resolve(folder, descriptor))) {
      files['datapackage.json'] = readFileSync(path.resolve(folder, descriptor), 'utf8');
    }
    return { format: 'csv', files };
  }
  try {
    return { format: 'json', data: JSON.parse(readFileSync(file, 'utf8')) };
  } catch {
    throw new InvalidArgumentError(
      `${file} is not valid JSON (give a .json file, or a folder of HSDS CSV files)`,
    );
  }
}

/** Runs the CLI; user errors print one clear line and exit 2, never a stack trace. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof InvalidArgumentError) {
      console.error(`harbour: ${err.message}`);
      process.exitCode = 2;
    } else if (err instanceof AppError) {
      console.error(`harbour: ${t('en-CA', err.code, err.values)} (${err.code})`);
      process.exitCode = 2;
    } else throw err;
  }
}
