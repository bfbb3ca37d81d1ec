/**
 * `npm run invite -- <e-mail> <customer number or name>`: sends a stappenplan from the command
 * line (staff normally use /stappenplan in Teams). Prints the sign-up code for local testing.
 */
import { ConfigError, loadConfig, loadDotEnv } from '../config';
import { openDatabase } from '../db/database';
import { NotFoundError, ValidationError } from '../http/errors';
import { createLogger } from '../logger';
import { createInvitation } from '../services/invitations';
import { optInLine } from '../services/email/templates';

async function main(): Promise<void> {
  const [email, ...customerWords] = process.argv.slice(2);
  if (!email || customerWords.length === 0) throw new ValidationError('usage: npm run invite -- <e-mail> <customer number or name>');
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger({ level: 'warn', pretty: !config.production });
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, logger, poolSize: 2 });
  try {
    const { invitation, customerName } = await createInvitation(database.dataSource, config, { email, customer: customerWords.join(' '), createdBy: 'cli' });
    process.stdout.write(`stappenplan queued for ${customerName}; the running service e-mails it within a minute\nopt-in line: ${optInLine(invitation.code)}\n`);
  } finally {
    await database.close();
  }
}

main().catch((error: Error) => {
  const lines =
    error instanceof ConfigError
      ? error.problems.map((p) => `configuration error: ${p}`)
      : error instanceof ValidationError || error instanceof NotFoundError
        ? [error instanceof NotFoundError ? error.dutch : error.message]
        : [`invite failed: ${error.message}`];
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exit(1);
});
