/** `npm run customers:import <file.csv>`: upserts the customer registry from a CRM export. */
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, loadDotEnv } from '../config';
import { openDatabase } from '../db/database';
import { ValidationError } from '../http/errors';
import { createLogger } from '../logger';
import { importCustomers } from '../services/customers';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new ValidationError('usage: npm run customers:import <file.csv> (columns customer_number,name,email_domains,regions; lists separated by ;)');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ValidationError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger({ level: 'warn', pretty: !config.production });
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, logger, poolSize: 2 });
  try {
    const { created, updated } = await importCustomers(database.dataSource, text);
    process.stdout.write(`imported ${created + updated} customers (${created} new, ${updated} updated)\n`);
  } finally {
    await database.close();
  }
}

main().catch((error: Error) => {
  const lines =
    error instanceof ConfigError
      ? error.problems.map((p) => `configuration error: ${p}`)
      : error instanceof ValidationError
        ? [error.message, ...error.details]
        : [`import failed: ${error.message}`];
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exit(1);
});
