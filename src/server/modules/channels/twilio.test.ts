import fastifyFormbody from '@fastify/formbody';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fakeSid,
  HOTLINE_EN,
  signedPost,
  TEST_ACCOUNT_SID,
  TEST_PUBLIC_URL,
  twilioTestSetup,
} from '../../../../test/helpers/twilio.js';
import { startTwilioStandin, type TwilioStandin } from '../../../cli/twilio-standin.js';
import type { Config } from '../../config.js';
import { registerErrorHandling } from '../../platform/http.js';
import { createTwilioClient, formParams, twilioWebhook } from './twilio.js';

let standin: TwilioStandin;
let overrides: Partial<Config>;

beforeAll(async () => {
  ({ standin, overrides } = await twilioTestSetup());
});
afterAll(() => standin.close());

describe('the twilio client against the stand-in', () => {
  it('sends an SMS through the configured origin with the account credentials', async () => {
    const client = createTwilioClient(overrides.twilio!);
    const message = await client.messages.create({
      to: '+15550100123',
      from: HOTLINE_EN,
      body: 'Test reply (fictional)',
    });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    const seen = await standin.waitFor((r) => r.sid === message.sid);
    expect(seen.path).toBe(`/2010-04-01/Accounts/${TEST_ACCOUNT_SID}/Messages.json`);
    expect(seen.params).toMatchObject({
      To: '+15550100123',
      From: HOTLINE_EN,
      Body: 'Test reply (fictional)',
    });
  });

  it('updates a call, dials a conference participant and removes it', async () => {
    const client = createTwilioClient(overrides.twilio!);
    const callSid = fakeSid('CA');
    const call = await client.calls(callSid).update({ twiml: '<Response><Hangup/></Response>' });
    expect(call.sid).toBe(callSid);
    const party = await client
      .conferences('harbour-test')
      .participants.create({ from: HOTLINE_EN, to: '+15550100099', label: 'interpreter' });
    expect(party.callSid).toMatch(/^CA/);
    const updated = await client
      .conferences(party.conferenceSid)
      .participants(party.callSid)
      .update({ hold: true });
    expect(updated.hold).toBe(true);
    await expect(client.conferences(party.conferenceSid).participants(party.callSid).remove()).resolves.toBe(
      true,
    );
  });

  it('a stand-in on a port already taken fails to start (an error, not a crash)', async () => {
    const port = Number(new URL(standin.url).port);
    await expect(
      startTwilioStandin({ accountSid: TEST_ACCOUNT_SID, authToken: 'x'.repeat(20), port }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('is refused with a wrong auth token, as Twilio would (401)', async () => {
    const client = createTwilioClient({ ...overrides.twilio!, authToken: 'wrong-token-wrong-token' });
    await expect(
      client.messages.create({ to: '+15550100123', from: HOTLINE_EN, body: 'x' }),
    ).rejects.toMatchObject({
      status: 401,
    });
  });
});

describe('twilioWebhook (signature validation)', () => {
  const build = async (config: Pick<Config, 'twilio' | 'publicUrl'>) => {
    const app = Fastify();
    registerErrorHandling(app);
    await app.register(fastifyFormbody);
    let handled = 0;
    app.post('/webhooks/twilio/test', { preHandler: twilioWebhook(config) }, async (request) => {
      handled++;
      return { params: formParams(request.body) };
    });
    await app.ready();
    return { app, handled: () => handled };
  };

  it('accepts a request signed by the real algorithm, with a query string too', async () => {
    const { app } = await build({ twilio: overrides.twilio, publicUrl: TEST_PUBLIC_URL });
    const res = await signedPost(app, '/webhooks/twilio/test?leg=caller', {
      CallSid: fakeSid('CA'),
      Digits: '2',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().params.Digits).toBe('2');
    await app.close();
  });

  it('refuses a missing, forged or replayed-elsewhere signature with 403 before the handler runs', async () => {
    const { app, handled } = await build({ twilio: overrides.twilio, publicUrl: TEST_PUBLIC_URL });
    const params = { CallSid: fakeSid('CA'), From: '+15550100123' };
    const missing = await signedPost(app, '/webhooks/twilio/test', params, { signature: null });
    const forged = await signedPost(app, '/webhooks/twilio/test', params, {
      signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    });
    const otherToken = await signedPost(app, '/webhooks/twilio/test', params, {
      authToken: 'another-account-token-xyz',
    });
    const otherUrl = await signedPost(app, '/webhooks/twilio/test', params, {
      publicUrl: 'https://evil.example',
    });
    for (const res of [missing, forged, otherToken, otherUrl]) {
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('TWILIO_SIGNATURE_INVALID');
    }
    // A parameter changed after signing.
    const url = `${TEST_PUBLIC_URL}/webhooks/twilio/test`;
    const { signatureFor } = await import('../../../../test/helpers/twilio.js');
    const tampered = await app.inject({
      method: 'POST',
      url: '/webhooks/twilio/test',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signatureFor(url, params),
      },
      payload: new URLSearchParams({ ...params, From: '+15550100999' }).toString(),
    });
    expect(tampered.statusCode).toBe(403);
    expect(handled()).toBe(0);
    await app.close();
  });

  it('answers 503 TWILIO_NOT_CONFIGURED without an account', async () => {
    const { app, handled } = await build({ twilio: undefined, publicUrl: TEST_PUBLIC_URL });
    const res = await signedPost(app, '/webhooks/twilio/test', { CallSid: fakeSid('CA') });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('TWILIO_NOT_CONFIGURED');
    expect(handled()).toBe(0);
    await app.close();
  });
});
