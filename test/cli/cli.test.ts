import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/server/platform/db.js';
import { isolatedDatabase, onPostgres } from '../helpers/db.js';
import { harbour, type ServerProcess, startServerProcess } from '../helpers/processes.js';

/**
 * The real CLI and server as processes, on the database this run uses: a fresh embedded data
 * folder (and the CLI going through the running server's socket), or a fresh PostgreSQL database.
 */
describe('harbour CLI and server processes', { timeout: 180_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hb-'));
  let iso: Awaited<ReturnType<typeof isolatedDatabase>> | undefined;
  let env: Record<string, string | undefined>;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    env = { HARBOUR_DATA_DIR: dataDir, NODE_ENV: 'development', DATABASE_URL: undefined };
    if (onPostgres()) {
      iso = await isolatedDatabase();
      env.DATABASE_URL = iso.url;
    }
  });
  afterAll(async () => {
    await server?.stop();
    await iso?.drop();
  });

  it('--help lists the subcommands', async () => {
    const r = await harbour(['--help'], env);
    expect(r.code).toBe(0);
    for (const cmd of ['migrate', 'user', 'token', 'audit', 'demo']) expect(r.stdout).toContain(cmd);
  });

  it('migrates, seeds the demo, adds a user and verifies the audit log', async () => {
    expect((await harbour(['migrate'], env)).stdout).toMatch(/up to date/);
    const seed = await harbour(['demo', 'seed'], env);
    expect(seed.code).toBe(0);
    expect(seed.stdout).toMatch(/admin@demo\.harbour\.example/);
    const add = await harbour(
      ['user', 'add', '--email', 'first.analyst@test.harbour.example', '--role', 'analyst'],
      env,
    );
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/Invitation link .*\/console\/invite#token=/);
    const verify = await harbour(['audit', 'verify'], env);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/Audit log intact: \d+ rows/);
  });

  it('refuses bad arguments with a clear message', async () => {
    const role = await harbour(['user', 'add', '--email', 'x@test.harbour.example', '--role', 'wizard'], env);
    expect(role.code).not.toBe(0);
    expect(role.stderr).toMatch(/unknown role/);
    const scope = await harbour(
      ['token', 'create', '--user', 'admin@demo.harbour.example', '--scope', 'root'],
      env,
    );
    expect(scope.code).not.toBe(0);
    expect(scope.stderr).toMatch(/unknown scope/);
    const dup = await harbour(
      ['user', 'add', '--email', 'first.analyst@test.harbour.example', '--role', 'analyst'],
      env,
    );
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/EMAIL_TAKEN/);
  });

  it('works while the server runs, and what it creates is live in the server', async () => {
    server = await startServerProcess(env);
    const token = await harbour(
      [
        'token',
        'create',
        '--user',
        'admin@demo.harbour.example',
        '--scope',
        'users:read',
        '--name',
        'cli test',
      ],
      env,
    );
    expect(token.code, token.stderr).toBe(0);
    const secret = token.stdout.trim().split('\n').pop()!;
    expect(secret).toMatch(/^hbr_/);
    const add = await harbour(
      ['user', 'add', '--email', 'second.advocate@test.harbour.example', '--role', 'advocate'],
      env,
    );
    expect(add.code, add.stderr).toBe(0);

    const res = await fetch(`${server.url}/api/admin/users`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(res.status).toBe(200);
    const { users } = (await res.json()) as { users: Array<{ email: string }> };
    expect(users.map((u) => u.email)).toEqual(
      expect.arrayContaining(['second.advocate@test.harbour.example', 'first.analyst@test.harbour.example']),
    );
    expect((await harbour(['audit', 'verify'], env)).code).toBe(0);
  });

  it('refuses a second server on the same embedded folder', async () => {
    if (onPostgres()) return; // several processes on one PostgreSQL are the supported scale-out
    await expect(startServerProcess(env)).rejects.toMatchObject({ exitCode: 78 });
  });

  it('shuts down gracefully on SIGTERM', async () => {
    expect(await server!.stop()).toBe(0);
    if (!onPostgres()) expect(existsSync(path.join(dataDir, 'harbour.pid'))).toBe(false);
    server = undefined;
  });

  it('production refuses to start on a database with demo accounts', async () => {
    const err = await startServerProcess({
      ...env,
      NODE_ENV: 'production',
      HARBOUR_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'),
      HARBOUR_PUBLIC_URL: 'https://hotline.test',
      // No e-mail listener (production would ask for the hotline's addresses first).
      SMTP_PORT: undefined,
    }).catch((e: { exitCode: number; out: string }) => e);
    expect(err).toMatchObject({ exitCode: 78 });
    expect((err as { out: string }).out).toMatch(/demo accounts/);
  });

  it('imports the official HSDS examples and exports them; confidential only with a staff token', async () => {
    const examples = path.resolve('../shared/standards/hsds-3.0/examples');
    const json = await harbour(['directory', 'import', path.join(examples, 'service_full.json')], env);
    expect(json.code, JSON.stringify(json.stderr)).toBe(0);
    expect(json.stdout).toMatch(/Imported: .*service/);
    const csv = await harbour(['directory', 'import', path.join(examples, 'csv')], env);
    expect(csv.code, csv.stderr).toBe(0);
    const bad = path.join(dataDir, 'bad.json');
    writeFileSync(bad, JSON.stringify([{ id: 'nope', status: 'active' }]));
    const refused = await harbour(['directory', 'import', bad], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/nothing was imported/);
    expect(refused.stderr).toMatch(/item|service row 1/);

    const out = path.join(dataDir, 'export');
    const exported = await harbour(['directory', 'export', '--format', 'csv', '--out', out], env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(readFileSync(path.join(out, 'services.csv'), 'utf8')).toMatch(/Community Counselling/);
    const ndjson = await harbour(['directory', 'export', '--format', 'ndjson'], env);
    expect(ndjson.stdout.trim().split('\n').length).toBeGreaterThan(0);
    const noToken = await harbour(['directory', 'export', '--include-confidential'], env);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/needs --token/);
  });

  it('`audit verify` catches a tampered row', async () => {
    if (iso) {
      await iso.database.db.execute(sql`alter table audit_log disable trigger user`);
      await iso.database.db.execute(sql`update audit_log set actor_label = 'someone else' where seq = 2`);
    } else {
      const db = await openPglite(path.join(dataDir, 'pg'));
      await db.db.execute(sql`alter table audit_log disable trigger user`);
      await db.db.execute(sql`update audit_log set actor_label = 'someone else' where seq = 2`);
      await db.close();
    }
    const verify = await harbour(['audit', 'verify'], env);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/AUDIT LOG TAMPERED/);
    expect(verify.stderr).toMatch(/seq 2: hash mismatch/);
  });
});
