/**
 * `npm run invite -- <e-mail> <customer number or name>`: sends a stappenplan from the command
 * line (staff normally use /stappenplan in Teams). Prints the opt-in line for local testing. An
 * address outside the customer's e-mail domains is sent only with --outside-domains.
 */
import { ValidationError } from '../http/errors';
import { optInLine } from '../services/email/templates';
import { createInvitation, OutsideDomainsError } from '../services/signup/invitations';
import { runWithDatabase } from './run';

runWithDatabase('invite', async (dataSource, config) => {
  const args = process.argv.slice(2);
  const outsideDomainsConfirmed = args.includes('--outside-domains');
  const [email, ...customerWords] = args.filter((a) => a !== '--outside-domains');
  if (!email || customerWords.length === 0) throw new ValidationError('usage: npm run invite -- <e-mail> <customer number or name> [--outside-domains]');
  let created;
  try {
    created = await createInvitation(dataSource, config, { email, customer: customerWords.join(' '), createdBy: 'cli', outsideDomainsConfirmed });
  } catch (error) {
    if (!(error instanceof OutsideDomainsError)) throw error;
    const elsewhere = error.matching.length ? `; it belongs to ${error.matching.map((c) => `${c.name} (${c.customerNumber})`).join(', ')}` : '';
    throw new ValidationError(`not sent: ${email} is outside the e-mail domains of ${error.customerName} (${error.domains.join(', ')})${elsewhere}; add --outside-domains to send it anyway`);
  }
  const { invitation, customerName } = created;
  process.stdout.write(`stappenplan queued for ${customerName}; the running service e-mails it within a minute\nopt-in line: ${optInLine(invitation.code)}\n`);
});
