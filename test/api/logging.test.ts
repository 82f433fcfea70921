import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HarbourApp } from '../../src/server/app.js';
import { totpNow } from '../../src/server/modules/identity/identity.service.js';
import { json, testApp } from '../helpers/app.js';
import { testDatabase } from '../helpers/db.js';
import { createUser, setCookieValue } from '../helpers/factories.js';

const lines: string[] = [];
let harbour: HarbourApp;

beforeAll(async () => {
  harbour = await testApp({ logLevel: 'trace' }, { write: (line) => lines.push(line) });
});
afterAll(() => harbour.app.close());

describe('logs', () => {
  it('carry requests but no credentials, cookies, codes or personal data', async () => {
    const db = (await testDatabase()).db;
    const user = await createUser(db, { mfa: true });
    const first = await harbour.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in?email=leak%40example.org',
      headers: { 'user-agent': 'test' },
      payload: { email: user.email, password: user.password },
    });
    const cookie = setCookieValue(first.headers['set-cookie'])!;
    const code = totpNow(user.totpSecret!);
    await harbour.app.inject({
      method: 'POST',
      url: '/api/auth/mfa/verify',
      headers: {
        cookie: `harbour_session=${cookie}`,
        'x-csrf-token': json<{ csrfToken: string }>(first).csrfToken,
      },
      payload: { code },
    });
    await harbour.app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: '{"email": broken' });
    const log = lines.join('');
    expect(log).toMatch(/"url":"\/api\/auth\/sign-in"/); // requests are logged…
    for (const secret of [user.email, user.password, cookie, 'leak%40example.org', 'leak@example.org']) {
      expect(log).not.toContain(secret); // …without anything personal
    }
    expect(log).not.toMatch(new RegExp(`"${code}"`));
  });
});
