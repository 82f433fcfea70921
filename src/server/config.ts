import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Keyring, keyring } from './platform/crypto.js';
import { DEFAULT_TIME_ZONE } from './platform/period.js';

/** Typed, validated configuration. Every name here is documented in `.env.example`. */
export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Embedded database and stored files live here. */
  dataDir: string;
  /** PostgreSQL instead of the embedded PGlite when set. */
  databaseUrl: string | undefined;
  /**
   * AES-256-GCM keys for encryption at rest: `HARBOUR_ENCRYPTION_KEY` seals, it and `HARBOUR_ENCRYPTION_KEYS_PREVIOUS`
   * open (key rotation, ADR 0007).
   */
  encryptionKey: Keyring;
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
  /** Twilio (phone, SMS, WhatsApp); undefined = not configured: the Twilio webhooks answer 503. */
  twilio?: TwilioConfig | undefined;
  /** The language line dialled into a call as a third party. */
  interpreterLine?: { number: string; code?: string | undefined } | undefined;
  /** Said in the closed / unavailable messages (default 911). */
  emergencyNumber?: string;
  /** IANA zone of the hotline (HARBOUR_TIME_ZONE, default America/Toronto): phone hours, safety-plan times. */
  timeZone?: string;
  /**
   * Days after a case closes before its personal data are redacted (HARBOUR_RETENTION_DAYS, default 1095; 0 = never).
   * Undefined (tests) = never.
   */
  retentionDays?: number;
  /** Phone opening hours; undefined = 24/7. */
  phoneHours?: { start: string; end: string; timeZone: string } | undefined;
  /** E-mail in (SMTP listener) and out (replies). */
  email?: EmailConfig;
}

/** docs/api/channels.md — Configuration. */
export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  /** Where the `twilio` package's REST calls go (default https://api.twilio.com; the stand-in in tests). */
  apiBaseUrl: string;
  /** The hotline's numbers: the language of its callers (if any) and a campaign label. */
  numbers: { number: string; language?: 'en' | 'fr' | undefined; campaign?: string | undefined }[];
  /** `From` of calls Harbour places and of SMS when the signal's own number is unknown. */
  callerId?: string | undefined;
  /** e.g. `whatsapp:+15550100003`. */
  whatsappFrom?: string | undefined;
  /** Voice SDK access tokens (all three, or none). */
  apiKeySid?: string | undefined;
  apiKeySecret?: string | undefined;
  twimlAppSid?: string | undefined;
  /** A demo account (fictional numbers, the simulator's stand-in). */
  demo: boolean;
}

export interface EmailConfig {
  /** The SMTP listener's port; undefined = no listener. */
  smtpPort?: number | undefined;
  smtpHost: string;
  /** The hotline's addresses (lower case); mail to others is refused. */
  addresses: string[];
  /** Largest message accepted, bytes. */
  maxBytes: number;
  /** Outgoing replies (nodemailer URL); undefined = SMTP_URL, then the development outbox. */
  relayUrl?: string | undefined;
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

function smtpUrl(raw: string | undefined, name = 'SMTP_URL'): string | undefined {
  if (!raw) return undefined;
  if (!/^smtps?:\/\/[^/]+/.test(raw))
    throw new ConfigError(`${name} must look like smtp://user:password@host:587 or smtps://…`);
  return raw;
}

const E164 = /^\+[1-9]\d{6,14}$/;

/** `+15550100001=en:main,+15550100002=fr:campagne` → numbers with language and campaign. */
function twilioNumbers(raw: string | undefined): TwilioConfig['numbers'] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^(\+\d+)(?:=(en|fr)?(?::([\w.-]{1,60}))?)?$/.exec(part);
      if (!m || !E164.test(m[1] as string))
        throw new ConfigError(
          `TWILIO_NUMBERS must look like +15550100001=en:main,+15550100002=fr:campaign (got "${part}")`,
        );
      return { number: m[1] as string, language: m[2] as 'en' | 'fr' | undefined, campaign: m[3] };
    });
}

function secretOf(dataDir: string, name: string): string {
  return devKey(dataDir, name).toString('hex');
}

/** The demo's Twilio account: fictional numbers (555-01xx), secrets in the data folder, the simulator's stand-in. */
const DEMO_ACCOUNT_SID = `AC${'0'.repeat(31)}1`;

function twilioConfig(env: Env, dataDir: string, demo: boolean): TwilioConfig | undefined {
  const sid = env.TWILIO_ACCOUNT_SID;
  const token = env.TWILIO_AUTH_TOKEN;
  const apiBaseUrl = (env.TWILIO_API_BASE_URL || '').replace(/\/+$/, '');
  if (apiBaseUrl && !/^https?:\/\/[^/]+$/.test(apiBaseUrl))
    throw new ConfigError('TWILIO_API_BASE_URL must be an http(s) origin such as https://api.twilio.com');
  const numbers = twilioNumbers(env.TWILIO_NUMBERS);
  const common = {
    callerId: env.TWILIO_CALLER_ID || undefined,
    whatsappFrom: env.TWILIO_WHATSAPP_FROM || undefined,
  };
  if (common.callerId && !E164.test(common.callerId))
    throw new ConfigError('TWILIO_CALLER_ID must be an E.164 number such as +15550100001');
  if (common.whatsappFrom && !/^whatsapp:\+[1-9]\d{6,14}$/.test(common.whatsappFrom))
    throw new ConfigError('TWILIO_WHATSAPP_FROM must look like whatsapp:+15550100003');
  if (sid || token) {
    if (!sid || !/^AC[0-9a-f]{32}$/i.test(sid))
      throw new ConfigError('TWILIO_ACCOUNT_SID must be AC followed by 32 hexadecimal characters');
    if (!token || token.length < 16)
      throw new ConfigError('TWILIO_AUTH_TOKEN is required with TWILIO_ACCOUNT_SID');
    const keys = [env.TWILIO_API_KEY_SID, env.TWILIO_API_KEY_SECRET, env.TWILIO_TWIML_APP_SID];
    if (keys.some(Boolean) && !keys.every(Boolean))
      throw new ConfigError(
        'TWILIO_API_KEY_SID, TWILIO_API_KEY_SECRET and TWILIO_TWIML_APP_SID go together (Voice SDK tokens)',
      );
    return {
      accountSid: sid,
      authToken: token,
      apiBaseUrl: apiBaseUrl || 'https://api.twilio.com',
      numbers,
      ...common,
      callerId: common.callerId ?? numbers[0]?.number,
      apiKeySid: env.TWILIO_API_KEY_SID || undefined,
      apiKeySecret: env.TWILIO_API_KEY_SECRET || undefined,
      twimlAppSid: env.TWILIO_TWIML_APP_SID || undefined,
      demo: false,
    };
  }
  if (!demo) return undefined;
  const demoNumbers = numbers.length
    ? numbers
    : [
        { number: '+15550100001', language: 'en' as const, campaign: 'demo' },
        { number: '+15550100002', language: 'fr' as const, campaign: 'demo' },
      ];
  return {
    accountSid: DEMO_ACCOUNT_SID,
    authToken: secretOf(dataDir, 'TWILIO_AUTH_TOKEN_DEMO'),
    apiBaseUrl: apiBaseUrl || 'http://127.0.0.1:4010',
    numbers: demoNumbers,
    callerId: common.callerId ?? demoNumbers[0]?.number,
    whatsappFrom: common.whatsappFrom ?? 'whatsapp:+15550100003',
    apiKeySid: `SK${'0'.repeat(31)}1`,
    apiKeySecret: secretOf(dataDir, 'TWILIO_API_KEY_SECRET_DEMO'),
    twimlAppSid: `AP${'0'.repeat(31)}1`,
    demo: true,
  };
}

function phoneHours(env: Env): Config['phoneHours'] {
  const raw = env.HARBOUR_PHONE_HOURS;
  const timeZone = env.HARBOUR_TIME_ZONE || DEFAULT_TIME_ZONE;
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone });
  } catch {
    throw new ConfigError(
      `HARBOUR_TIME_ZONE must be an IANA time zone such as America/Toronto (got "${timeZone}")`,
    );
  }
  if (!raw || raw === '24/7') return undefined;
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(raw);
  if (!m || raw.slice(0, 5) === raw.slice(6))
    throw new ConfigError('HARBOUR_PHONE_HOURS must look like 08:00-22:00 (or 24/7)');
  return { start: raw.slice(0, 5), end: raw.slice(6), timeZone };
}

function emailConfig(env: Env, production: boolean, demo: boolean): EmailConfig {
  const port = env.SMTP_PORT
    ? int(env, 'SMTP_PORT', 0, 0, 65535)
    : demo && env.NODE_ENV !== 'test'
      ? 2525
      : undefined;
  const rawAddresses = env.HARBOUR_EMAIL_ADDRESS || (demo ? 'help@hotline.harbour.example' : '');
  const addresses = rawAddresses
    .split(',')
    .map((a) => a.trim().toLowerCase())
    .filter(Boolean);
  for (const a of addresses)
    if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(a))
      throw new ConfigError(
        `HARBOUR_EMAIL_ADDRESS must be e-mail addresses separated by commas (got "${a}")`,
      );
  if (port !== undefined && addresses.length === 0)
    throw new ConfigError(
      'SMTP_PORT needs HARBOUR_EMAIL_ADDRESS: the addresses the hotline receives mail for',
    );
  return {
    smtpPort: port,
    smtpHost: env.SMTP_HOST || (production ? '0.0.0.0' : '127.0.0.1'),
    addresses,
    maxBytes: int(env, 'SMTP_MAX_BYTES', 15 * 1024 * 1024, 64 * 1024, 100 * 1024 * 1024),
    relayUrl: smtpUrl(env.SMTP_RELAY_URL, 'SMTP_RELAY_URL'),
  };
}

function interpreterLine(env: Env, demo: boolean): Config['interpreterLine'] {
  const number = env.HARBOUR_INTERPRETER_NUMBER || (demo && !env.TWILIO_ACCOUNT_SID ? '+15550100099' : '');
  if (!number) return undefined;
  if (!E164.test(number)) throw new ConfigError('HARBOUR_INTERPRETER_NUMBER must be an E.164 number');
  const code = env.HARBOUR_INTERPRETER_CODE || undefined;
  if (code && !/^[0-9w#*]{1,40}$/.test(code))
    throw new ConfigError('HARBOUR_INTERPRETER_CODE may hold digits, #, * and w (a half-second pause)');
  return { number, code };
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

  let currentKey: Buffer;
  const rawKey = env.HARBOUR_ENCRYPTION_KEY;
  if (rawKey) currentKey = decodeKey('HARBOUR_ENCRYPTION_KEY', rawKey);
  else if (production) {
    throw new ConfigError(
      'HARBOUR_ENCRYPTION_KEY is required in production (32 bytes: `openssl rand -base64 32`); keep it safe, data encrypted with it cannot be read without it',
    );
  } else currentKey = devKey(dataDir, 'HARBOUR_ENCRYPTION_KEY');
  const previousKeys = (env.HARBOUR_ENCRYPTION_KEYS_PREVIOUS ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
    .map((v) => decodeKey('HARBOUR_ENCRYPTION_KEYS_PREVIOUS', v));
  const encryptionKey = keyring(currentKey, previousKeys);

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
    twilio: twilioConfig(env, dataDir, demo),
    interpreterLine: interpreterLine(env, demo),
    emergencyNumber: env.HARBOUR_EMERGENCY_NUMBER || '911',
    phoneHours: phoneHours(env),
    timeZone: env.HARBOUR_TIME_ZONE || DEFAULT_TIME_ZONE,
    retentionDays: int(env, 'HARBOUR_RETENTION_DAYS', 1095, 0, 36500),
    email: emailConfig(env, production, demo),
  };
}
