/**
 * Shared frame of the command-line tools: config and database opened and closed around the
 * work, and failures as short lines (no stack traces) with exit code 1.
 */
import type { DataSource } from 'typeorm';
import { ConfigError, loadConfig, loadDotEnv, type Config } from '../config';
import { openDatabase } from '../db/database';
import { NotFoundError, ValidationError } from '../http/errors';
import { createLogger } from '../logger';

export function runWithDatabase(name: string, work: (dataSource: DataSource, config: Config) => Promise<void>): void {
  const run = async () => {
    loadDotEnv();
    const config = loadConfig(process.env, { purpose: 'tool' });
    const logger = createLogger({ level: 'warn', pretty: !config.production });
    const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, logger, poolSize: 2 });
    try {
      await work(database.dataSource, config);
    } finally {
      await database.close();
    }
  };
  run().catch((error: Error) => {
    const lines =
      error instanceof ConfigError
        ? error.problems.map((p) => `configuration error: ${p}`)
        : error instanceof ValidationError
          ? [error.message, ...error.details]
          : error instanceof NotFoundError
            ? [error.dutch]
            : [`${name} failed: ${error.message}`];
    process.stderr.write(`${lines.join('\n')}\n`);
    process.exit(1);
  });
}
