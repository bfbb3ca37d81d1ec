/**
 * Stappenplan invitations (R1, R2): staff invite a contact of a registry customer by e-mail;
 * the e-mail carries a personal, single-use sign-up code inside the exact sentence to send.
 */
import { randomInt } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import type { Config } from '../../config';
import { Customer, EmailKind, Invitation, InvitationStatus } from '../../entities';
import { NotFoundError, ValidationError } from '../../http/errors';
import { findCustomer, suggestCustomers } from '../registry/customers';
import { queueEmail } from '../email/outbox';
import { stappenplanMail } from '../email/templates';
import { subscriberNumber } from './whatsapp-number';

/** No 0/O, 1/I/L, 5/S, 2/Z, 8/B: readable on a phone and over the telephone. */
const CODE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';
export const INVITATION_DAYS = 30;

/** e.g. K7P2-QX: 6 characters, about 2.4e8 combinations. */
export function newSignUpCode(): string {
  const pick = () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${pick()}${pick()}${pick()}${pick()}-${pick()}${pick()}`;
}

/** The code as a subscriber may type it (lower case, without the dash, O for 0...) normalised. */
export function normaliseCode(typed: string): string {
  const clean = typed.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return clean.length === 6 ? `${clean.slice(0, 4)}-${clean.slice(4)}` : clean;
}

const emailSchema = z.string().trim().toLowerCase().email();

export interface InvitationResult {
  invitation: Invitation;
  customerName: string;
  /** Sent, as staff confirmed, to an address outside the customer's e-mail domains. */
  outsideDomains: boolean;
}

/** An address outside the customer's e-mail domains, not sent: staff confirm it or pick the right customer. */
export class OutsideDomainsError extends ValidationError {
  constructor(
    readonly customerName: string,
    readonly customerNumber: string,
    readonly domains: string[],
    /** Registry customers whose domains the address does belong to. */
    readonly matching: { name: string; customerNumber: string }[],
  ) {
    super('the address is outside the customer\'s e-mail domains', `Dit e-mailadres hoort niet bij ${customerName} (${domains.join(', ')}).`);
  }
}

/** The address's domain belongs to one of the customer's (a subdomain counts). */
export function inDomains(email: string, domains: string[]): boolean {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return domains.some((d) => domain === d.toLowerCase() || domain.endsWith(`.${d.toLowerCase()}`));
}

/** The customer typed is not in the registry; the ones it may have meant, closest first (the bot offers each as a button). */
export class UnknownCustomerError extends NotFoundError {
  constructor(
    readonly typed: string,
    readonly suggestions: { name: string; customerNumber: string }[],
  ) {
    super('the customer is not in the registry', `"${typed}" staat niet in het klantenbestand van CBG Connect.${suggestions.length ? ` Bedoel je: ${suggestions.map((c) => `${c.name} (${c.customerNumber})`).join(', ')}?` : ''}`);
  }
}

export async function createInvitation(
  dataSource: DataSource,
  config: Config,
  input: { email: string; customer: string; createdBy: string | null; outsideDomainsConfirmed?: boolean },
): Promise<InvitationResult> {
  const email = emailSchema.safeParse(input.email);
  if (!email.success) throw new ValidationError('the e-mail address is not valid', `"${input.email}" is geen geldig e-mailadres.`);
  return dataSource.transaction(async (manager) => {
    const customer = await findCustomer(manager, input.customer);
    if (!customer) {
      throw new UnknownCustomerError(input.customer, await suggestCustomers(manager, input.customer));
    }
    // R1, R2: a sign-up code sent to an address the customer does not own would sign its holder
    // up as that customer. Where the registry lists the customer's domains, another address waits
    // for staff to confirm it (or to pick the customer it does belong to).
    if (customer.emailDomains.length > 0 && !inDomains(email.data, customer.emailDomains) && !input.outsideDomainsConfirmed) {
      const all = await manager.getRepository(Customer).find({ select: { name: true, customerNumber: true, emailDomains: true } });
      const matching = all.filter((c) => c.customerNumber !== customer.customerNumber && inDomains(email.data, c.emailDomains)).map((c) => ({ name: c.name, customerNumber: c.customerNumber }));
      throw new OutsideDomainsError(customer.name, customer.customerNumber, customer.emailDomains, matching);
    }
    // The database's clock, as the expiry is checked against it (findUsableInvitation).
    const [{ at: expiresAt }]: { at: Date }[] = await manager.query(`SELECT now() + ($1::int * interval '1 day') AS at`, [INVITATION_DAYS]);
    const invitation = await insertWithUniqueCode(manager, { customerId: customer.id, email: email.data, expiresAt, createdBy: input.createdBy });
    const mail = stappenplanMail({
      code: invitation.code,
      companyName: customer.name,
      whatsappNumber: await subscriberNumber(manager, config),
      supportEmail: config.mail.supportEmail,
      expiresOn: expiresAt.toLocaleDateString('nl-NL', { timeZone: 'Europe/Amsterdam', day: 'numeric', month: 'long', year: 'numeric' }),
    });
    await queueEmail(manager, EmailKind.Stappenplan, email.data, mail, undefined);
    return { invitation, customerName: customer.name, outsideDomains: customer.emailDomains.length > 0 && !inDomains(email.data, customer.emailDomains) };
  });
}

async function insertWithUniqueCode(manager: EntityManager, values: Partial<Invitation>): Promise<Invitation> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = newSignUpCode();
    const clash = await manager.getRepository(Invitation).existsBy({ code });
    if (!clash) return manager.getRepository(Invitation).save({ ...values, code, status: InvitationStatus.Open });
  }
  throw new Error('could not find a free sign-up code');
}

/** An open, unexpired invitation for this code, locked for the caller's transaction. */
export async function findUsableInvitation(manager: EntityManager, typedCode: string): Promise<Invitation | null> {
  return manager
    .getRepository(Invitation)
    .createQueryBuilder('i')
    .setLock('pessimistic_write')
    .where('i.code = :code AND i.status = :open AND i.expires_at > now()', { code: normaliseCode(typedCode), open: InvitationStatus.Open })
    .getOne();
}

/** The newest open, unexpired invitation for an e-mail address, if any. */
export async function findOpenInvitation(dataSource: DataSource, email: string): Promise<Invitation | null> {
  return dataSource
    .getRepository(Invitation)
    .createQueryBuilder('i')
    .where('i.email = :email AND i.status = :open AND i.expires_at > now()', { email: email.trim().toLowerCase(), open: InvitationStatus.Open })
    .orderBy('i.createdAt', 'DESC')
    .getOne();
}
