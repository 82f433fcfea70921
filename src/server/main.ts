import { ConfigError, loadConfig } from './config.js';
import { StartupError, startServer } from './server.js';

// Entry point: listen, and shut down gracefully on SIGTERM/SIGINT. Everything else lives in server.ts.
async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Harbour cannot start: ${err.message}\nSee .env.example for every setting.`);
      process.exit(78);
    }
    throw err;
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config);
  } catch (err) {
    if (err instanceof StartupError) {
      console.error(`Harbour cannot start: ${err.message}`);
      process.exit(78);
    }
    throw err;
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down gracefully…`);
    const force = setTimeout(() => {
      console.error('Shutdown took longer than 10 s; exiting.');
      process.exit(1);
    }, 10_000);
    force.unref();
    await server.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
