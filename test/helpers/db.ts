import { inject } from 'vitest';
import { type Database, migrate, openPglite, openPostgres } from '../../src/server/platform/db.js';

let shared: Promise<Database> | undefined;

/** One migrated database per worker, shared by every test file that worker runs. */
export function testDatabase(): Promise<Database> {
  shared ??= (async () => {
    const url = inject('databaseUrl');
    if (url) return openPostgres(url, { max: 5 });
    const database = await openPglite('memory://');
    await migrate(database);
    return database;
  })();
  return shared;
}

export const onPostgres = () => Boolean(process.env.DATABASE_URL);

/**
 * A database of its own, for tests that must damage or fill one (audit tampering, production checks).
 * PostgreSQL: a new database next to DATABASE_URL's; PGlite: a new in-memory instance.
 */
export async function isolatedDatabase(): Promise<{
  database: Database;
  url?: string;
  drop(): Promise<void>;
}> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const database = await openPglite('memory://');
    await migrate(database);
    return { database, drop: () => database.close() };
  }
  const { default: pg } = await import('pg');
  const name = `harbour_iso_${Date.now()}_${Math.random().toString(16).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  const database = await openPostgres(url, { max: 2 });
  await migrate(database);
  return {
    database,
    url,
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
