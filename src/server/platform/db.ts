import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import * as schema from '../db/schema.js';

export type Schema = typeof schema;
/** The query builder, on either driver; a transaction has the same type. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

/** Rows of a raw query, on either driver (both return `{ rows }`). */
export async function rowsOf<T = Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** From the sources (src/server/platform) or from the bundled server (dist/server). */
export const migrationsFolder =
  [path.resolve(here, '../db/migrations'), path.resolve(here, '../../src/server/db/migrations')].find((p) =>
    existsSync(p),
  ) ?? path.resolve(here, '../db/migrations');

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Human description without credentials, for logs and the CLI. */
  describe: string;
  close(): Promise<void>;
  /** Only for the embedded database: the PGlite instance (socket serving, tests). */
  pglite?: PGlite;
  /** Only for PostgreSQL: the connection pool (LISTEN/NOTIFY, migration lock). */
  pool?: pg.Pool;
}

/**
 * PGlite runs PostgreSQL's defaults (128 MB shared buffers), sized for a server of its own; a hotline's
 * embedded database is small, so smaller buffers keep the whole process within its memory budget.
 */
const PGLITE_CONF = ['shared_buffers = 16MB', 'work_mem = 4MB', 'maintenance_work_mem = 16MB'];

/** The embedded database; `dir` is a folder, or `memory://` for tests. Loaded lazily: PostgreSQL deployments never load it. */
export async function openPglite(dir: string): Promise<Database> {
  if (dir !== 'memory://') mkdirSync(dir, { recursive: true });
  const [
    { PGlite },
    { btree_gist },
    { cube },
    { earthdistance },
    { pg_trgm },
    { pgcrypto },
    { unaccent },
    { drizzle },
  ] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/btree_gist'),
    import('@electric-sql/pglite/contrib/cube'),
    import('@electric-sql/pglite/contrib/earthdistance'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('@electric-sql/pglite/contrib/pgcrypto'),
    import('@electric-sql/pglite/contrib/unaccent'),
    import('drizzle-orm/pglite'),
  ]);
  const client = await PGlite.create(dir, {
    extensions: { pg_trgm, unaccent, cube, earthdistance, pgcrypto, btree_gist },
    postgresqlconf: PGLITE_CONF,
  });
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    describe: dir === 'memory://' ? 'embedded PGlite (in memory)' : `embedded PGlite in ${dir}`,
    pglite: client,
    close: () => client.close(),
  };
}

/** Connection details safe to print: never the password. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL ${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'PostgreSQL (unparseable DATABASE_URL)';
  }
}

export async function openPostgres(
  connection: string | pg.PoolConfig,
  options: { max?: number; describe?: string } = {},
): Promise<Database> {
  const poolConfig: pg.PoolConfig =
    typeof connection === 'string'
      ? { connectionString: connection, max: options.max ?? 10 }
      : { max: options.max ?? 10, ...connection };
  const pool = new pg.Pool(poolConfig);
  // An idle client's network error must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = drizzleNodePg(pool, { schema }) as unknown as Db;
  await db.execute(sql`select 1`);
  return {
    db,
    kind: 'postgres',
    describe: options.describe ?? (typeof connection === 'string' ? describeUrl(connection) : 'PostgreSQL'),
    pool,
    close: () => pool.end(),
  };
}

/** Migrations are serialised across processes by an advisory lock, so two instances can start together. */
export async function migrate(database: Database): Promise<void> {
  if (database.kind === 'pglite' && database.pglite) {
    const [{ drizzle }, { migrate: migratePglite }] = await Promise.all([
      import('drizzle-orm/pglite'),
      import('drizzle-orm/pglite/migrator'),
    ]);
    await migratePglite(drizzle(database.pglite), { migrationsFolder });
    return;
  }
  if (!database.pool) throw new Error('migrate: PostgreSQL database without a pool');
  const client = await database.pool.connect();
  try {
    await client.query('select pg_advisory_lock(74130001)');
    await migrateNodePg(drizzleNodePg(client), { migrationsFolder });
  } finally {
    await client.query('select pg_advisory_unlock(74130001)').catch(() => {});
    client.release();
  }
}

/** Folder with the embedded database's socket; 0700 so only this OS user can reach the database. */
export function socketDir(dataDir: string): string {
  return path.join(dataDir, 'run');
}
export const SOCKET_PORT = 5432;

/**
 * Serves the embedded database on a Unix socket so that a second local process (the `harbour` CLI)
 * can use it while the server runs: only one process may open PGlite's data directory.
 */
export async function serveEmbedded(database: Database, dataDir: string): Promise<() => Promise<void>> {
  if (!database.pglite) throw new Error('serveEmbedded needs the embedded database');
  const dir = socketDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const socketPath = path.join(dir, `.s.PGSQL.${SOCKET_PORT}`);
  if (socketPath.length > 100) {
    throw new Error(
      `HARBOUR_DATA_DIR is too long for a Unix socket path (${socketPath.length} > 100 characters)`,
    );
  }
  if (existsSync(socketPath)) rmSync(socketPath);
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const server = new PGLiteSocketServer({ db: database.pglite, path: socketPath, maxConnections: 4 });
  await server.start();
  return async () => {
    await server.stop();
    rmSync(socketPath, { force: true });
  };
}

/** Opens the database named by the configuration: PostgreSQL when DATABASE_URL is set, else PGlite. */
export async function openConfigured(config: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl);
  return openPglite(path.join(config.dataDir, 'pg'));
}
