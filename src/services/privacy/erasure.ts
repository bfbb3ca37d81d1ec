/**
 * privacy/: the only place that deletes subscriber data (test/architecture.test.ts). R5 keyed
 * hashes instead of numbers for counters (contact-counters.ts), R11 opt-out and R15 erasure on
 * request (this file), R15 access and correction (subscriber-requests.ts), R14 retention of
 * recipient links and stale sign-ups (retention.ts, scheduled by feature.ts).
 *
 * Removing a subscriber (opt-out by WhatsApp, R11; erasure on request, R15). One routine for
 * both: queued deliveries cancelled, every recipient link cleared, open invitations to the
 * address cleared, the subscriber row deleted, an anonymous history event kept, the AVG
 * opt-out e-mail queued (the e-mail archive is the one place that keeps the name and address).
 */
import type { EntityManager } from 'typeorm';
import type { Config } from '../../config';
import { Customer, EmailKind, Subscriber, SubscriptionEvent, SubscriptionEventKind } from '../../entities';
import { recordAudit } from '../audit/audit-log';
import { maskContact, maskPersonalData } from '../../lib/mask';
import { queueEmail } from '../email/outbox';
import { avgOptOutMail } from '../email/templates';
import { unlinkSubscriber } from '../ledger/delivery-ledger';
import { forgetContactCounters } from './contact-counters';
import { newTombstone, type Tombstone } from './erasure-log';

export interface ErasureOptions {
  kind: SubscriptionEventKind.OptOut | SubscriptionEventKind.Erasure;
  /** Who asked: 'subscriber' for a WhatsApp opt-out, else the staff member's Entra object id. */
  actor: string;
  reason?: string;
  /** The AVG opt-out e-mail (default yes; not when an erasure is applied again after a restore: it went out then). */
  mail?: boolean;
}

/**
 * Erases inside the caller's transaction. Returns whether an opt-out e-mail was queued, and the
 * tombstone the caller appends to the erasure log once the transaction committed (erasure-log.ts).
 */
export async function eraseSubscriber(manager: EntityManager, config: Config, subscriber: Subscriber, options: ErasureOptions): Promise<{ emailQueued: boolean; tombstone: Tombstone }> {
  const customer = await manager.getRepository(Customer).findOneBy({ id: subscriber.customerId });
  await unlinkSubscriber(manager, subscriber, config.pseudonymKeys.current.secret);
  if (subscriber.email) {
    await manager.query(`UPDATE invitation SET email = NULL, status = CASE WHEN status = 'open' THEN 'revoked'::invitation_status ELSE status END WHERE email = $1`, [subscriber.email]);
  }
  await forgetContactCounters(manager, config, subscriber);
  // Replies still queued to them (the opt-out confirmation is queued after this).
  await manager.query(`DELETE FROM reply_outbox WHERE address = ANY($1) AND status = 'queued'`, [[subscriber.phone, subscriber.userId].filter((a) => a !== null)]);
  const tombstone = await newTombstone(manager, config, subscriber);
  await manager.getRepository(Subscriber).delete({ id: subscriber.id });
  await manager.getRepository(SubscriptionEvent).insert({ kind: options.kind, customerId: subscriber.customerId });
  const detail: Record<string, string> = { customer: customer?.customerNumber ?? 'unknown' };
  if (options.reason) detail.reason = maskPersonalData(options.reason);
  await recordAudit(manager, {
    actor: options.actor,
    action: options.kind === SubscriptionEventKind.OptOut ? 'subscriber.opt_out' : 'subscriber.erase',
    target: maskContact(subscriber),
    detail,
  });
  if (!subscriber.email || options.mail === false) return { emailQueued: false, tombstone };
  const mail = avgOptOutMail({
    firstName: subscriber.firstName ?? 'relatie',
    companyName: customer?.name ?? 'je bedrijf',
    supportEmail: config.mail.supportEmail,
    retentionMonths: Math.round(config.retentionDays / 30.5),
    erasedOnRequest: options.kind === SubscriptionEventKind.Erasure,
  });
  await queueEmail(manager, EmailKind.AvgOptOut, subscriber.email, mail, config.mail.crmArchiveBcc);
  return { emailQueued: true, tombstone };
}
