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
