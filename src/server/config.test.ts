import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'harbour-config-'));
const KEY = Buffer.alloc(32, 7).toString('base64');

describe('configuration from the environment', () => {
  it('defaults: port 8080, ./data, embedded database, demo outside production', () => {
    const config = loadConfig({ HARBOUR_DATA_DIR: dir() });
    expect(config).toMatchObject({ env: 'development', port: 8080, databaseUrl: undefined, demo: true });
  });

  it('generates the encryption key once outside production and keeps it private', () => {
    const dataDir = dir();
    const a = loadConfig({ HARBOUR_DATA_DIR: dataDir });
    const b = loadConfig({ HARBOUR_DATA_DIR: dataDir });
    expect(a.encryptionKey.current.key.equals(b.encryptionKey.current.key)).toBe(true);
    const file = path.join(dataDir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).HARBOUR_ENCRYPTION_KEY).toBeTruthy();
  });

  it('production: a missing key or public URL is a clear start-up error', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', HARBOUR_PUBLIC_URL: 'https://h.example' })).toThrow(
      /HARBOUR_ENCRYPTION_KEY is required in production/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', HARBOUR_ENCRYPTION_KEY: KEY })).toThrow(
      /HARBOUR_PUBLIC_URL/,
    );
    const ok = loadConfig({
      NODE_ENV: 'production',
      HARBOUR_ENCRYPTION_KEY: KEY,
      HARBOUR_PUBLIC_URL: 'https://h.example',
    });
    expect(ok.demo).toBe(false);
  });

  it('production refuses demo mode', () => {
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        HARBOUR_DEMO: 'true',
        HARBOUR_ENCRYPTION_KEY: KEY,
        HARBOUR_PUBLIC_URL: 'https://h.example',
      }),
    ).toThrow(/demo data and default accounts are refused/);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be a whole number/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres/],
    [{ HARBOUR_ENCRYPTION_KEY: 'short' }, /must be 32 bytes/],
    [{ HARBOUR_DEMO: 'maybe' }, /HARBOUR_DEMO must be true or false/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV must be/],
  ])('rejects %o', (env, message) => {
    expect(() => loadConfig({ HARBOUR_DATA_DIR: dir(), ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ HARBOUR_DATA_DIR: dir(), ...env })).toThrow(message);
  });

  describe('channels (docs/api/channels.md)', () => {
    const SID = `AC${'0123456789abcdef'.repeat(2)}`;
    const prod = {
      NODE_ENV: 'production',
      HARBOUR_ENCRYPTION_KEY: KEY,
      HARBOUR_PUBLIC_URL: 'https://h.example',
    };

    it('without a Twilio account (outside demo) Twilio is off and the rest starts', () => {
      const config = loadConfig(prod);
      expect(config.twilio).toBeUndefined();
      expect(config.email).toMatchObject({ smtpPort: undefined, addresses: [], smtpHost: '0.0.0.0' });
      expect(config.emergencyNumber).toBe('911');
      expect(config.phoneHours).toBeUndefined();
    });

    it('reads the account, numbers with language and campaign, caller id, SDK keys, hours, interpreter, e-mail', () => {
      const config = loadConfig({
        ...prod,
        TWILIO_ACCOUNT_SID: SID,
        TWILIO_AUTH_TOKEN: 'token-0123456789abcdef',
        TWILIO_NUMBERS: '+15550100001=en:main, +15550100002=fr:campagne-2026,+15550100004',
        TWILIO_API_KEY_SID: 'SKx',
        TWILIO_API_KEY_SECRET: 'secret',
        TWILIO_TWIML_APP_SID: 'APx',
        HARBOUR_PHONE_HOURS: '22:00-06:00',
        HARBOUR_INTERPRETER_NUMBER: '+15550100099',
        HARBOUR_INTERPRETER_CODE: 'ww12#',
        SMTP_PORT: '2526',
        HARBOUR_EMAIL_ADDRESS: 'Help@Hotline.example, aide@hotline.example',
        SMTP_RELAY_URL: 'smtp://relay.example:587',
      });
      expect(config.twilio).toMatchObject({
        accountSid: SID,
        apiBaseUrl: 'https://api.twilio.com',
        callerId: '+15550100001',
        twimlAppSid: 'APx',
        demo: false,
      });
      expect(config.twilio?.numbers).toEqual([
        { number: '+15550100001', language: 'en', campaign: 'main' },
        { number: '+15550100002', language: 'fr', campaign: 'campagne-2026' },
        { number: '+15550100004', language: undefined, campaign: undefined },
      ]);
      expect(config.phoneHours).toEqual({ start: '22:00', end: '06:00', timeZone: 'America/Toronto' });
      expect(config.interpreterLine).toEqual({ number: '+15550100099', code: 'ww12#' });
      expect(config.email).toMatchObject({
        smtpPort: 2526,
        addresses: ['help@hotline.example', 'aide@hotline.example'],
        relayUrl: 'smtp://relay.example:587',
      });
    });

    it('demo: a fictional account whose REST calls go to the simulator, secrets kept in the data folder', () => {
      const dataDir = dir();
      const a = loadConfig({ HARBOUR_DATA_DIR: dataDir });
      const b = loadConfig({ HARBOUR_DATA_DIR: dataDir });
      expect(a.twilio).toMatchObject({ demo: true, apiBaseUrl: 'http://127.0.0.1:4010' });
      expect(a.twilio?.authToken).toBe(b.twilio?.authToken);
      expect(a.twilio?.numbers.map((n) => n.number)).toEqual(['+15550100001', '+15550100002']);
      expect(a.email).toMatchObject({ smtpPort: 2525, addresses: ['help@hotline.harbour.example'] });
      expect(loadConfig({ HARBOUR_DATA_DIR: dataDir, SMTP_PORT: '0' }).email?.smtpPort).toBe(0);
    });

    it.each([
      [{ TWILIO_ACCOUNT_SID: 'AC123' }, /TWILIO_ACCOUNT_SID must be AC/],
      [{ TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}` }, /TWILIO_AUTH_TOKEN is required/],
      [{ TWILIO_NUMBERS: '555-0100' }, /TWILIO_NUMBERS must look like/],
      [{ TWILIO_NUMBERS: '+15550100001=de' }, /TWILIO_NUMBERS must look like/],
      [{ TWILIO_CALLER_ID: '5550100' }, /TWILIO_CALLER_ID/],
      [{ TWILIO_API_BASE_URL: 'ftp://x' }, /TWILIO_API_BASE_URL/],
      [{ HARBOUR_PHONE_HOURS: '8-22' }, /HARBOUR_PHONE_HOURS/],
      [{ HARBOUR_PHONE_HOURS: '08:00-08:00' }, /HARBOUR_PHONE_HOURS/],
      [{ HARBOUR_TIME_ZONE: 'Mars/Olympus' }, /HARBOUR_TIME_ZONE/],
      [{ HARBOUR_INTERPRETER_NUMBER: 'call me' }, /HARBOUR_INTERPRETER_NUMBER/],
      [{ HARBOUR_EMAIL_ADDRESS: 'nobody' }, /HARBOUR_EMAIL_ADDRESS/],
      [{ SMTP_RELAY_URL: 'http://x' }, /SMTP_RELAY_URL must look like/],
      [{ SMTP_PORT: '2525', HARBOUR_DEMO: 'false' }, /SMTP_PORT needs HARBOUR_EMAIL_ADDRESS/],
    ])('rejects %o', (env, message) => {
      expect(() => loadConfig({ HARBOUR_DATA_DIR: dir(), ...env })).toThrow(message);
    });
  });
});
