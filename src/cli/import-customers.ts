/** `npm run customers:import <file.csv>`: upserts the customer registry from a CRM export. */
import { readFileSync } from 'node:fs';
import { ValidationError } from '../http/errors';
import { importCustomers } from '../services/registry/customers';
import { runWithDatabase } from './run';

runWithDatabase('import', async (dataSource) => {
  const file = process.argv[2];
  if (!file) throw new ValidationError('usage: npm run customers:import <file.csv> (columns customer_number,name,email_domains,regions; lists separated by ;)');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ValidationError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const { created, updated } = await importCustomers(dataSource, text);
  process.stdout.write(`imported ${created + updated} customers (${created} new, ${updated} updated)\n`);
});
