import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Typed, validated configuration. Every name here is documented in `.env.example`. */
export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Embedded database and stored files live here. */
  dataDir: string;
  /** PostgreSQL instead of the embedded PGlite when set. */
  databaseUrl: string | undefined;
  /** 32-byte key for AES-256-GCM encryption at rest (TOTP keys now, transcripts later). */
  encryptionKey: Buffer;
  /** Load demo data into an empty database at start (never in production). */
  demo: boolean;
  /** Absolute base URL used in links we hand out (invites). */
  publicUrl: string;
  logLevel: string;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  /** Sign-in attempts per IP per minute before 429. */
  signInRateLimit: number;
  /** Requests per IP per minute on public routes. */
  publicRateLimit: number;
  trustProxy: boolean;
  /** Where the built console lives (dist/console). */
  consoleDir: string;
  /** Outgoing mail server (smtp://user:pass@host:587); without it mail goes to $HARBOUR_DATA_DIR/outbox outside production. */
  smtpUrl: string | undefined;
  /** Sender of the hotline's e-mails. */
  mailFrom: string;
  /** Seconds an advocate has to accept an offered signal before it goes to the next one (default 20). */
  offerTimeoutS?: number;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

function decodeKey(name: string, raw: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(
      `${name} must be 32 bytes, as 64 hex characters or base64 (openssl rand -base64 32)`,
    );
  }
  return key;
}

/**
 * Outside production a missing key is generated once and kept in the data directory (mode 0600),
 * so `npm start` needs no set-up and restarts can still decrypt what they stored.
 */
function devKey(dataDir: string, name: string): Buffer {
  const file = path.join(dataDir, 'secrets.json');
  let secrets: Record<string, string> = {};
  if (existsSync(file)) secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  let value = secrets[name];
  if (!value) {
    value = randomBytes(32).toString('base64');
    secrets[name] = value;
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return decodeKey(name, value);
}

function smtpUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (!/^smtps?:\/\/[^/]+/.test(raw))
    throw new ConfigError('SMTP_URL must look like smtp://user:password@host:587 or smtps://…');
  return raw;
}

/** Reads and validates the environment; throws ConfigError with a message meant for the operator. */
export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnv)) {
    throw new ConfigError(`NODE_ENV must be development, production or test (got "${nodeEnv}")`);
  }
  const mode = nodeEnv as Config['env'];
  const production = mode === 'production';
  const port = int(env, 'PORT', 8080, 0, 65535);
  const host = env.HOST ?? (production ? '0.0.0.0' : '127.0.0.1');
  const dataDir = path.resolve(env.HARBOUR_DATA_DIR || './data');
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }

  const demo = bool(env, 'HARBOUR_DEMO', !production);
  if (production && demo) {
    throw new ConfigError(
      'HARBOUR_DEMO cannot be enabled in production: demo data and default accounts are refused',
    );
  }

  let encryptionKey: Buffer;
  const rawKey = env.HARBOUR_ENCRYPTION_KEY;
  if (rawKey) encryptionKey = decodeKey('HARBOUR_ENCRYPTION_KEY', rawKey);
  else if (production) {
    throw new ConfigError(
      'HARBOUR_ENCRYPTION_KEY is required in production (32 bytes: `openssl rand -base64 32`); keep it safe, data encrypted with it cannot be read without it',
    );
  } else encryptionKey = devKey(dataDir, 'HARBOUR_ENCRYPTION_KEY');

  const publicUrl = (env.HARBOUR_PUBLIC_URL || `http://localhost:${port || 8080}`).replace(/\/+$/, '');
  if (production && !env.HARBOUR_PUBLIC_URL) {
    throw new ConfigError('HARBOUR_PUBLIC_URL is required in production (e.g. https://hotline.example.org)');
  }
  if (!/^https?:\/\/[^/]+/.test(publicUrl))
    throw new ConfigError('HARBOUR_PUBLIC_URL must be an http(s) URL');

  return {
    env: mode,
    port,
    host,
    dataDir,
    databaseUrl,
    encryptionKey,
    demo,
    publicUrl,
    logLevel: env.LOG_LEVEL || (mode === 'test' ? 'silent' : 'info'),
    sessionIdleMinutes: int(env, 'HARBOUR_SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionMaxHours: int(env, 'HARBOUR_SESSION_MAX_HOURS', 12, 1, 7 * 24),
    signInRateLimit: int(env, 'HARBOUR_SIGN_IN_RATE_LIMIT', 10, 1, 100000),
    publicRateLimit: int(env, 'HARBOUR_PUBLIC_RATE_LIMIT', 120, 1, 1000000),
    trustProxy: bool(env, 'HARBOUR_TRUST_PROXY', false),
    consoleDir: path.resolve(env.HARBOUR_CONSOLE_DIR || 'dist/console'),
    smtpUrl: smtpUrl(env.SMTP_URL),
    mailFrom: env.HARBOUR_MAIL_FROM || 'Harbour <no-reply@harbour.invalid>',
    offerTimeoutS: int(env, 'HARBOUR_OFFER_TIMEOUT_S', 20, 5, 600),
  };
}
