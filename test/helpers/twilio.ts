import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import twilio from 'twilio';
import { startTwilioStandin, type TwilioStandin } from '../../src/cli/twilio-standin.js';
import type { Config, TwilioConfig } from '../../src/server/config.js';

/**
 * Twilio in tests (docs/api/channels.md): the REST calls go to a real local stand-in server (never a mocked
 * function), and webhooks are signed with the real `twilio` package's algorithm.
 */

export const TEST_ACCOUNT_SID = `AC${'a1'.repeat(16)}`;
export const TEST_AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
export const TEST_PUBLIC_URL = 'http://harbour.test';
/**
 * Fictional hotline numbers (555-010x-xxxx), different in every test file: files share one PostgreSQL database and
 * an app's outbox sends only the conversations of its own numbers (channels.module.ts, tests only).
 */
const fictional = (from: number, span: number) => `+1555010${from + Math.floor(Math.random() * span)}`;
export const HOTLINE_EN = fictional(1000, 4000);
export const HOTLINE_FR = fictional(5000, 4000);
export const TEST_WHATSAPP_FROM = `whatsapp:${fictional(9000, 1000)}`;

/** A stand-in on port 0 and the config overrides that point Harbour at it. Close the stand-in in afterAll. */
export async function twilioTestSetup(extra: Partial<TwilioConfig> = {}): Promise<{
  standin: TwilioStandin;
  overrides: Partial<Config>;
}> {
  const standin = await startTwilioStandin({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
  const twilioConfig: TwilioConfig = {
    accountSid: TEST_ACCOUNT_SID,
    authToken: TEST_AUTH_TOKEN,
    apiBaseUrl: standin.url,
    numbers: [
      { number: HOTLINE_EN, language: 'en', campaign: 'main' },
      { number: HOTLINE_FR, language: 'fr', campaign: 'campagne-test' },
    ],
    callerId: HOTLINE_EN,
    whatsappFrom: TEST_WHATSAPP_FROM,
    apiKeySid: `SK${'b2'.repeat(16)}`,
    apiKeySecret: 'test-api-key-secret-0123456789',
    twimlAppSid: `AP${'c3'.repeat(16)}`,
    demo: false,
    ...extra,
  };
  return {
    standin,
    overrides: {
      publicUrl: TEST_PUBLIC_URL,
      twilio: twilioConfig,
      interpreterLine: { number: '+15550100099', code: 'ww1234#' },
      emergencyNumber: '911',
    },
  };
}

/** X-Twilio-Signature for a POST of `params` to `url`, computed by the real `twilio` package. */
export function signatureFor(
  url: string,
  params: Record<string, string>,
  authToken = TEST_AUTH_TOKEN,
): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

/** POSTs a form-encoded webhook signed like Twilio signs it (publicUrl + path, the form parameters). */
export function signedPost(
  app: FastifyInstance,
  path: string,
  params: Record<string, string>,
  options: { authToken?: string; publicUrl?: string; signature?: string | null } = {},
): Promise<LightMyRequestResponse> {
  const url = (options.publicUrl ?? TEST_PUBLIC_URL) + path;
  const signature =
    options.signature === undefined ? signatureFor(url, params, options.authToken) : options.signature;
  return app.inject({
    method: 'POST',
    url: path,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature === null ? {} : { 'x-twilio-signature': signature }),
    },
    payload: new URLSearchParams(params).toString(),
  });
}

let counter = 0;
/** A fresh Twilio-looking SID (CA…, SM…, MM…) for test data. */
export function fakeSid(prefix: 'CA' | 'SM' | 'MM' | 'CF'): string {
  counter++;
  const hex = (
    Date.now().toString(16) +
    counter.toString(16).padStart(6, '0') +
    Math.random().toString(16).slice(2)
  )
    .replace(/[^0-9a-f]/g, '')
    .padEnd(32, '0')
    .slice(0, 32);
  return prefix + hex;
}

/** Every caller number `personNumber()` handed out in this test file (privacy tests look for them in logs). */
export const usedNumbers = new Set<string>();

/** A fresh fictional caller number (NANP 555-01xx lines, varied area codes), never the same twice in a file. */
export function personNumber(): string {
  for (;;) {
    const n = `+1${200 + Math.floor(Math.random() * 700)}55501${String(Math.floor(Math.random() * 100)).padStart(2, '0')}`;
    if (!usedNumbers.has(n)) {
      usedNumbers.add(n);
      return n;
    }
  }
}
