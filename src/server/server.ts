import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { DEMO_PASSWORD, demoEmail, isDemoSeeded, seedDemo } from './modules/demo/demo.seed.js';
import { ensureSearchProjection } from './modules/directory/directory.projection.js';
import { ensureReferenceData } from './modules/directory/reference.js';
import { identityRepository } from './modules/identity/identity.repository.js';
import { type Database, migrate, openConfigured, serveEmbedded } from './platform/db.js';

export interface RunningServer {
  app: FastifyInstance;
  database: Database;
  url: string;
  /** Graceful: stop accepting, drain requests, close the socket server and the database. */
  close(): Promise<void>;
}

export class StartupError extends Error {}

function pidFile(dataDir: string) {
  return path.join(dataDir, 'harbour.pid');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Migrate, check production rules, seed the demo if asked, serve the CLI socket, listen. */
export async function startServer(
  config: Config,
  log: (line: string) => void = console.log,
): Promise<RunningServer> {
  const embedded = !config.databaseUrl;
  if (embedded) {
    const file = pidFile(config.dataDir);
    if (existsSync(file)) {
      const pid = Number(readFileSync(file, 'utf8'));
      if (pid && pid !== process.pid && processAlive(pid)) {
        throw new StartupError(
          `Another Harbour process (pid ${pid}) is using the embedded database in ${config.dataDir}. ` +
            'Stop it first, or run several processes on PostgreSQL (DATABASE_URL).',
        );
      }
    }
  }

  const database = await openConfigured(config);
  let stopSocket: (() => Promise<void>) | undefined;
  try {
    await migrate(database);
    const { db } = database;
    await ensureReferenceData(db);
    await ensureSearchProjection(db);
    if (config.env === 'production' && (await identityRepository.countDemoUsers(db)) > 0) {
      throw new StartupError(
        'This database holds demo accounts; production refuses to start with them. Use a fresh database.',
      );
    }
    const empty = (await identityRepository.countUsers(db)) === 0;
    if (config.demo && empty && !(await isDemoSeeded(db))) {
      await seedDemo(db, { id: null, label: 'system' }, config);
      log('Loaded demo data. ALL OF IT IS FICTIONAL.');
    }
    if (embedded) {
      writeFileSync(pidFile(config.dataDir), String(process.pid));
      stopSocket = await serveEmbedded(database, config.dataDir);
    }

    let shuttingDown = false;
    const { app } = await buildApp({ config, db, isShuttingDown: () => shuttingDown });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
    const shown = `http://${['0.0.0.0', '127.0.0.1'].includes(config.host) ? 'localhost' : config.host}:${port}`;

    log(`Harbour is running on ${shown}/console/ (${database.describe}).`);
    if (config.demo && (await identityRepository.countDemoUsers(db)) > 0) {
      log(`Demo mode — sign in as ${demoEmail('admin')} with password "${DEMO_PASSWORD}"`);
      log(`  (one demo account per role: <role>@demo.harbour.example, e.g. ${demoEmail('advocate')}).`);
      if (config.twilio?.demo)
        log(
          '  Calls, texts and e-mail come from the simulator (a fictional Twilio account): ' +
            'npx harbour simulate call | sms | whatsapp | email',
        );
    } else if (empty && !config.demo) {
      log(
        'No staff accounts yet. Create the first administrator: npx harbour user add --email you@example.org --role admin',
      );
    }

    return {
      app,
      database,
      url,
      async close() {
        shuttingDown = true;
        await app.close();
        if (stopSocket) await stopSocket();
        await database.close();
        if (embedded) rmSync(pidFile(config.dataDir), { force: true });
      },
    };
  } catch (err) {
    if (stopSocket) await stopSocket().catch(() => {});
    await database.close().catch(() => {});
    throw err;
  }
}
