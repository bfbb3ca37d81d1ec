/** `npm run migrate`: runs pending migrations (also done on every start); `--revert` undoes the last one. */
import { ConfigError, loadConfig, loadDotEnv } from '../config';
import { openDatabase } from '../db/database';
import { createLogger } from '../logger';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, pretty: !config.production });
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, logger, poolSize: 2 });
  try {
    if (process.argv.includes('--revert')) {
      await database.dataSource.undoLastMigration({ transaction: 'each' });
      logger.info('reverted the last migration');
    } else {
      logger.info('database schema is up to date');
    }
  } finally {
    await database.close();
  }
}

main().catch((error: Error) => {
  const lines = error instanceof ConfigError ? error.problems.map((p) => `configuration error: ${p}`) : [`migration failed: ${error.message}`];
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exit(1);
});
