import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, testApp } from '../../../../test/helpers/app.js';
import { testDatabase } from '../../../../test/helpers/db.js';
import { createUser, sessionFor } from '../../../../test/helpers/factories.js';
import type { Db } from '../../platform/db.js';

let app: FastifyInstance;
let db: Db;
beforeAll(async () => {
  ({ app } = await testApp());
  db = (await testDatabase()).db;
});
afterAll(() => app.close());

const uuid = () => crypto.randomUUID();

describe('import and export over HTTP', () => {
  it('imports HSDS JSON, exports it as JSON and NDJSON; confidential only on request, never for analysts', async () => {
    const manager = await sessionFor(db, await createUser(db, { role: 'directory_manager' }));
    const canary = `CANARY${Date.now()}`;
    const openId = uuid();
    const data = [
      {
        id: openId,
        name: `Open Door ${canary.toLowerCase()} (fictional)`,
        status: 'active',
        organization: { id: uuid(), name: 'Open Org (fictional)', description: 'A fictional organisation' },
      },
      {
        id: uuid(),
        name: `Hidden ${canary}`,
        status: 'active',
        organization: { id: uuid(), name: `Hidden Org ${canary}`, description: canary, confidential: true },
      },
    ];
    const dry = await app.inject({
      method: 'POST',
      url: '/api/directory/import',
      headers: manager.headers,
      payload: { format: 'json', data, dryRun: true },
    });
    expect(json(dry), dry.body).toMatchObject({
      ok: true,
      dryRun: true,
      counts: { service: 2, organization: 2 },
    });
    const res = await app.inject({
      method: 'POST',
      url: '/api/directory/import',
      headers: manager.headers,
      payload: { format: 'json', data },
    });
    expect(res.statusCode, res.body).toBe(200);

    const pub = await app.inject({
      method: 'GET',
      url: '/api/directory/export?format=ndjson',
      headers: manager.headers,
    });
    expect(pub.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = pub.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string });
    expect(lines.some((l) => l.id === openId)).toBe(true);
    expect(pub.body).not.toContain(canary);

    const staff = await app.inject({
      method: 'GET',
      url: '/api/directory/export?format=json&include_confidential=true',
      headers: manager.headers,
    });
    expect(staff.body).toContain(canary);

    const analyst = await sessionFor(db, await createUser(db, { role: 'analyst' }));
    const denied = await app.inject({
      method: 'GET',
      url: '/api/directory/export?include_confidential=true',
      headers: analyst.headers,
    });
    expect(denied.statusCode).toBe(403);
    const csv = await app.inject({
      method: 'GET',
      url: '/api/directory/export?format=csv',
      headers: analyst.headers,
    });
    const files = json<{ files: Record<string, string> }>(csv).files;
    expect(files['services.csv']).toMatch(/^id,organization_id,program_id,name/);
    expect(Object.values(files).join('')).not.toContain(canary);
  });

  it('answers an invalid import with 422 and every error, and imports nothing', async () => {
    const manager = await sessionFor(db, await createUser(db, { role: 'admin' }));
    const good = uuid();
    const res = await app.inject({
      method: 'POST',
      url: '/api/directory/import',
      headers: manager.headers,
      payload: {
        format: 'csv',
        files: {
          'organizations.csv': `id,name\n${uuid()},Good Org (fictional)\nnot-a-uuid,Bad Org\n`,
          'services.csv': `id,organization_id,name,status\n${good},${uuid()},Orphan service,active\n`,
        },
      },
    });
    expect(res.statusCode).toBe(422);
    const report = json<{ ok: boolean; errors: string[] }>(res);
    expect(report.errors.some((e) => e.startsWith('organization row 2'))).toBe(true);
    expect(report.errors.some((e) => e.startsWith('service row 1: organization_id refers'))).toBe(true);
    const check = await app.inject({
      method: 'GET',
      url: '/api/directory/export?format=json&include_confidential=true',
      headers: manager.headers,
    });
    expect(check.body).not.toContain(good);
  });

  it('survives hostile import bodies without a 5xx', async () => {
    const manager = await sessionFor(db, await createUser(db, { role: 'admin' }));
    const bodies = [
      { format: 'json', data: null },
      { format: 'json', data: 'x'.repeat(10_000) },
      { format: 'json', data: [[[]]] },
      { format: 'json', data: { id: "'; drop table service; --", name: '🏠', status: 'active' } },
      { format: 'csv', files: { 'services.csv': '"unterminated,quote\n' } },
      { format: 'csv', files: { 'datapackage.json': '{not json' } },
      { format: 'xml' },
    ];
    for (const payload of bodies) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/directory/import',
        headers: manager.headers,
        payload,
      });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
    }
  });
});
