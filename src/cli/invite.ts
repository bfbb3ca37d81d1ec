/**
 * `npm run invite -- <e-mail> <customer number or name>`: sends a stappenplan from the command
 * line (staff normally use /stappenplan in Teams). Prints the opt-in line for local testing.
 */
import { ValidationError } from '../http/errors';
import { optInLine } from '../services/email/templates';
import { createInvitation } from '../services/signup/invitations';
import { runWithDatabase } from './run';

runWithDatabase('invite', async (dataSource, config) => {
  const [email, ...customerWords] = process.argv.slice(2);
  if (!email || customerWords.length === 0) throw new ValidationError('usage: npm run invite -- <e-mail> <customer number or name>');
  const { invitation, customerName } = await createInvitation(dataSource, config, { email, customer: customerWords.join(' '), createdBy: 'cli' });
  process.stdout.write(`stappenplan queued for ${customerName}; the running service e-mails it within a minute\nopt-in line: ${optInLine(invitation.code)}\n`);
});
