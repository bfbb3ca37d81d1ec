/**
 * Composition root: config -> database -> app -> listen, and a graceful stop on SIGINT/SIGTERM.
 * `node dist/src/index.js [all|teams|whatsapp]` picks which service(s) this process serves.
 */
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config';
import { createApp, type App, type ServiceSelection } from './app';
import { openDatabase, type Database } from './db/database';
import { createLogger } from './logger';

async function main(): Promise<void> {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`configuration error: ${problem}\n`);
      process.exit(1);
    }
    throw error;
  }
  const services = parseServices(process.argv[2]);
  const logger = createLogger({ level: config.logLevel, pretty: !config.production });
  const started = Date.now();

  // Signals are handled from the first moment: a stop during start-up still closes cleanly.
  // The database is kept as a promise: a stop while it is still opening closes it once open
  // (the embedded server runs in a process of its own and would otherwise stay behind).
  const running: { database?: Promise<Database>; app?: App } = {};
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    try {
      await running.app?.close();
      await (await running.database?.catch(() => undefined))?.close();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error while stopping');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  running.database = openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, logger });
  const opened = await running.database;
  if (stopping) return;
  const app = (running.app = await createApp(config, opened, logger, services));
  if (stopping) return;
  const port = await app.listen(config.port);
  logger.info({ port, services, ms: Date.now() - started, database: opened.embedded ? 'embedded' : 'external' }, `Storingsmelder is listening on http://localhost:${port}`);
}

function parseServices(arg: string | undefined): ServiceSelection {
  if (arg === undefined || arg === 'all') return 'all';
  if (arg === 'teams' || arg === 'whatsapp') return arg;
  process.stderr.write(`unknown service "${arg}": expected all, teams or whatsapp\n`);
  process.exit(1);
}

main().catch((error: Error) => {
  // One line, no stack trace: the common causes (database unreachable, port taken) say enough.
  process.stderr.write(`Storingsmelder could not start: ${error.message}\n`);
  process.exit(1);
});
