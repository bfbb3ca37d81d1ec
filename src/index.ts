/**
 * Composition root: config -> database -> app -> listen, and a graceful stop on SIGINT/SIGTERM.
 * `node dist/src/index.js [all|teams|whatsapp] [--local]` picks which service(s) this process
 * serves. Without --local (the production command, `node .`) every credential is required;
 * --local is the development commands' switch (npm start): a side without credentials runs
 * locally, on loopback only.
 */
import { ConfigError, loadConfig, loadDotEnv, type Config } from './config';
import { createApp, type App, type ServiceSelection } from './app';
import { openDatabase, type Database } from './db/database';
import { createLogger, routeConsoleTo, type Logger } from './logger';
import { assertErasureLogWritable } from './services/privacy/erasure-log';

async function main(): Promise<void> {
  loadDotEnv();
  const args = process.argv.slice(2);
  const local = args.includes('--local');
  const services = parseServices(args.filter((a) => a !== '--local')[0]);
  let config: Config;
  try {
    config = loadConfig(process.env, { purpose: local ? 'local' : 'serve', serves: services });
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`configuration error: ${problem}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, pretty: !config.production });
  routeConsoleTo(logger);
  const started = Date.now();
  announceLocalSides(config, logger);

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

  // Before the database opens: a refused start leaves no embedded PostgreSQL behind.
  try {
    assertErasureLogWritable(config);
  } catch (error) {
    process.stderr.write(`Storingsmelder could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  running.database = openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, logger });
  const opened = await running.database;
  if (stopping) return;
  const app = (running.app = await createApp(config, opened, logger, services));
  if (stopping) return;
  let port: number;
  try {
    port = await app.listen(config.port, config.host);
  } catch (error) {
    // A taken port or an address this machine does not have: one line, and what was opened is closed.
    await app.close().catch(() => undefined);
    await opened.close().catch(() => undefined);
    throw listenFailure(error as NodeJS.ErrnoException, config);
  }
  logger.info({ host: config.host, port, services, ms: Date.now() - started, database: opened.embedded ? 'embedded' : 'external' }, `Storingsmelder is listening on http://${config.host}:${port}`);
}

/** One line that says which sides run locally, and that the bot then takes anyone's requests. */
function announceLocalSides(config: Config, logger: Logger): void {
  if (config.purpose !== 'local' || (!config.bot.localMode && !config.whatsapp.localMode)) return;
  const sides = [config.bot.localMode ? 'Teams bot without authentication (anyone on this computer is staff)' : '', config.whatsapp.localMode ? 'WhatsApp simulated (nothing leaves this computer)' : ''].filter(Boolean);
  logger.warn({ bot: config.bot.localMode ? 'local' : 'authenticated', whatsapp: config.whatsapp.localMode ? 'simulated' : 'cloud-api' }, `local mode, loopback only: ${sides.join('; ')}`);
}

function listenFailure(error: NodeJS.ErrnoException, config: Config): Error {
  if (error.code === 'EADDRINUSE') return new Error(`port ${config.port} on ${config.host} is already in use: stop what uses it, or set PORT`);
  if (error.code === 'EADDRNOTAVAIL') return new Error(`this machine has no address ${config.host}: set HOST (127.0.0.1, or 0.0.0.0 in a container)`);
  if (error.code === 'EACCES') return new Error(`port ${config.port} needs privileges: use a port above 1023`);
  return error;
}

function parseServices(arg: string | undefined): ServiceSelection {
  if (arg === undefined || arg === 'all') return 'all';
  if (arg === 'teams' || arg === 'whatsapp') return arg;
  process.stderr.write(`unknown service "${arg}": expected all, teams or whatsapp (and --local for development)\n`);
  process.exit(1);
}

main().catch((error: Error) => {
  // One line, no stack trace: the common causes (database unreachable, port taken) say enough.
  process.stderr.write(`Storingsmelder could not start: ${error.message}\n`);
  process.exit(1);
});
