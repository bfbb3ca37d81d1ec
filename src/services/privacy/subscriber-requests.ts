/**
 * Requests about a subscriber's data (R15), handled by staff: access (export everything stored
 * about a number, or a username user's business-scoped user id), correction (first name,
 * company) and erasure on written request. Every action is audited, naming the subscriber only
 * by a masked number or id (R14).
 */
import type { DataSource, EntityManager, FindOptionsWhere } from 'typeorm';
import type { Config } from '../../config';
import { Customer, Delivery, EmailNotice, Subscriber, SubscriptionEventKind } from '../../entities';
import { recordAudit } from '../audit/audit-log';
import { NotFoundError, ValidationError } from '../../http/errors';
import { maskContact } from '../../lib/mask';
import { isBusinessScopedUserId, lockContact, type WhatsAppContact } from '../registry/contact';
import { findCustomer } from '../registry/customers';
import { eraseSubscriber } from './erasure';
import { appendTombstones } from './erasure-log';
import { readFirstName } from '../registry/first-name';
import { readPhoneNumber } from '../../lib/phone-number';

/** A phone number as staff type it (lib/phone-number.ts) as a WhatsApp id (digits), or a Dutch error. */
export function toWaId(typed: string): string {
  const number = readPhoneNumber(typed);
  if (!number) {
    throw new ValidationError('not a phone number', `"${typed}" is geen geldig telefoonnummer of WhatsApp-gebruikers-ID. Gebruik bijvoorbeeld 06 12345678, +31 6 12345678 of NL.13491208655302741918.`);
  }
  return number;
}

/** What staff typed to name a subscriber: a number, or the user id of a username user without one. */
export function toContact(typed: string): WhatsAppContact {
  const trimmed = typed.trim();
  return isBusinessScopedUserId(trimmed) ? { phone: null, userId: trimmed } : { phone: toWaId(trimmed), userId: null };
}

function byContact(contact: WhatsAppContact): FindOptionsWhere<Subscriber> {
  return contact.phone ? { phone: contact.phone } : { userId: contact.userId ?? '' };
}

export interface SubscriberExport {
  subscriber: { id: string; phone: string | null; userId: string | null; firstName: string | null; company: string; customerNumber: string; email: string | null; status: string; signedUpAt: string; activatedAt: string | null; lastMessageAt: string | null } | null;
  deliveries: { notice: string; status: string; sentAt: string | null; deliveredAt: string | null; readAt: string | null }[];
  emails: { kind: string; subject: string; status: string; createdAt: string; sha256: string }[];
}

async function audit(manager: EntityManager, actor: string, action: string, contact: WhatsAppContact, detail: Record<string, string> = {}): Promise<void> {
  await recordAudit(manager, { actor, action, target: maskContact(contact), detail });
}

/** Everything stored about a number or user id, as JSON (right of access). */
export async function exportSubscriber(dataSource: DataSource, typed: string, actor: string): Promise<SubscriberExport> {
  const contact = toContact(typed);
  return dataSource.transaction(async (manager) => {
    const subscriber = await manager.getRepository(Subscriber).findOne({ where: byContact(contact), relations: { customer: true } });
    const deliveries = subscriber
      ? await manager.getRepository(Delivery).find({ where: { subscriberId: subscriber.id }, order: { createdAt: 'DESC' } })
      : await manager.getRepository(Delivery).find({ where: byContact(contact) as FindOptionsWhere<Delivery>, order: { createdAt: 'DESC' } });
    const emails = subscriber?.email ? await manager.getRepository(EmailNotice).find({ where: { recipient: subscriber.email }, order: { createdAt: 'ASC' } }) : [];
    await audit(manager, actor, 'subscriber.export', contact, { found: subscriber ? 'yes' : 'no' });
    return {
      subscriber: subscriber && {
        id: subscriber.id,
        phone: subscriber.phone,
        userId: subscriber.userId,
        firstName: subscriber.firstName,
        company: subscriber.customer.name,
        customerNumber: subscriber.customer.customerNumber,
        email: subscriber.email,
        status: subscriber.status,
        signedUpAt: subscriber.createdAt.toISOString(),
        activatedAt: subscriber.activatedAt?.toISOString() ?? null,
        lastMessageAt: subscriber.lastInboundAt?.toISOString() ?? null,
      },
      deliveries: deliveries.map((d) => ({ notice: d.outageMessageId, status: d.status, sentAt: d.sentAt?.toISOString() ?? null, deliveredAt: d.deliveredAt?.toISOString() ?? null, readAt: d.readAt?.toISOString() ?? null })),
      emails: emails.map((e) => ({ kind: e.kind, subject: e.subject, status: e.status, createdAt: e.createdAt.toISOString(), sha256: e.sha256 })),
    };
  });
}

/** Corrects the first name and/or the company (right of correction). */
export async function correctSubscriber(dataSource: DataSource, typed: string, changes: { firstName?: string; customer?: string }, actor: string): Promise<Subscriber> {
  const contact = toContact(typed);
  return dataSource.transaction(async (manager) => {
    const subscriber = await manager.getRepository(Subscriber).findOneBy(byContact(contact));
    if (!subscriber) throw new NotFoundError('no subscriber with this number', 'Dit nummer staat niet in de lijst van aangemelde nummers.');
    const update: Partial<Subscriber> = {};
    const changed: Record<string, string> = {};
    if (changes.firstName !== undefined) {
      const name = readFirstName(changes.firstName);
      if (!name) throw new ValidationError('not a first name', `"${changes.firstName}" is geen geldige voornaam.`);
      update.firstName = name;
      changed.firstName = 'changed';
    }
    if (changes.customer !== undefined) {
      const customer: Customer | null = await findCustomer(manager, changes.customer);
      if (!customer) throw new NotFoundError('unknown customer', `"${changes.customer}" staat niet in het klantenbestand.`);
      update.customerId = customer.id;
      changed.customer = customer.customerNumber;
    }
    await manager.getRepository(Subscriber).update({ id: subscriber.id }, update);
    await audit(manager, actor, 'subscriber.correct', contact, changed);
    return manager.getRepository(Subscriber).findOneByOrFail({ id: subscriber.id });
  });
}

/** Erasure on written request: the same removal as an opt-out, recorded as erasure. */
export async function eraseOnRequest(dataSource: DataSource, config: Config, typed: string, actor: string, reason: string): Promise<{ emailQueued: boolean }> {
  const subscriber = await dataSource.getRepository(Subscriber).findOneBy(byContact(toContact(typed)));
  if (!subscriber) throw new NotFoundError('no subscriber with this number', 'Dit nummer staat niet in de lijst van aangemelde nummers.');
  return eraseByIdOnRequest(dataSource, config, subscriber.id, actor, reason);
}

/**
 * Erasure on request of the subscriber with this id (the opaque id a staff card carries, never
 * the number), under the contact's lock, as the WhatsApp conversation takes it.
 */
export async function eraseByIdOnRequest(dataSource: DataSource, config: Config, subscriberId: string, actor: string, reason: string): Promise<{ emailQueued: boolean }> {
  const gone = () => new NotFoundError('no such subscriber', 'Deze abonnee staat niet (meer) in de lijst van aangemelde nummers.');
  const found = await dataSource.getRepository(Subscriber).findOneBy({ id: subscriberId });
  if (!found) throw gone();
  const { emailQueued, tombstone } = await dataSource.transaction(async (manager) => {
    await lockContact(manager, found);
    const subscriber = await manager.getRepository(Subscriber).findOne({ where: { id: subscriberId }, lock: { mode: 'pessimistic_write' } });
    if (!subscriber) throw gone();
    return eraseSubscriber(manager, config, subscriber, { kind: SubscriptionEventKind.Erasure, actor, reason });
  });
  await appendTombstones(dataSource, config, [tombstone]);
  return { emailQueued };
}
