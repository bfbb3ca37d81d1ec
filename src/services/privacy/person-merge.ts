/**
 * One person, one subscriber. A person can come to have two rows: signed up once by WhatsApp
 * username (BSUID) and once by number, before Meta's webhooks linked the two. When a message
 * names both identities, or Meta reports that a user changed their number or user id (system
 * messages user_changed_number and user_changed_user_id, docs/platform.md A4), the rows become
 * one: the oldest keeps the person's data (filled in from the others), takes the current
 * number and BSUID, and gets the others' deliveries; the other rows are deleted (here, in
 * privacy/: the only place that deletes subscriber rows). A notice then reaches the person once,
 * and /abonnee, /verwijder and an opt-out cover them whole.
 */
import { In, type DataSource, type EntityManager } from 'typeorm';
import type { Config } from '../../config';
import { Subscriber, SubscriberStatus } from '../../entities';
import { messageIdHash } from '../../lib/message-id-hash';
import { mergeRecipients } from '../ledger/delivery-ledger';
import { contactKeys, lockContact, type WhatsAppContact } from '../registry/contact';

/**
 * Makes one row of a person's rows (oldest first, locked by the caller), known by `identity`.
 * Returns the survivor.
 */
export async function mergePerson(manager: EntityManager, rows: Subscriber[], identity: WhatsAppContact): Promise<Subscriber> {
  const [survivor, ...others] = rows;
  const active = rows.some((row) => row.status === SubscriberStatus.Active);
  const merged = {
    phone: identity.phone,
    userId: identity.userId,
    firstName: survivor.firstName ?? others.find((o) => o.firstName)?.firstName ?? null,
    email: survivor.email ?? others.find((o) => o.email)?.email ?? null,
    status: active ? SubscriberStatus.Active : survivor.status,
    activatedAt: rows.map((r) => r.activatedAt).filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? null,
    lastInboundAt: rows.map((r) => r.lastInboundAt).filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0] ?? null,
  };
  const repository = manager.getRepository(Subscriber);
  if (others.length > 0) {
    await mergeRecipients(manager, others.map((o) => o.id), { id: survivor.id, phone: merged.phone, userId: merged.userId });
    // The others' identities are unique: they leave with the rows before the survivor takes them.
    await manager.getRepository(Subscriber).delete({ id: In(others.map((o) => o.id)) });
  }
  await repository.update({ id: survivor.id }, merged);
  await mergeRecipients(manager, [], { id: survivor.id, phone: merged.phone, userId: merged.userId });
  return Object.assign(survivor, merged);
}

export interface IdentityChange {
  /** The system message's id (a redelivery changes nothing twice). */
  id: string;
  /** Who the user was: the number and/or BSUID before the change. */
  previous: WhatsAppContact;
  /** Who the user is now. */
  current: WhatsAppContact;
}

/** Meta reports that a user changed number or BSUID: their subscription follows them. */
export async function applyIdentityChange(dataSource: DataSource, config: Config, change: IdentityChange): Promise<{ duplicate: boolean; subscriber: boolean }> {
  return dataSource.transaction(async (manager) => {
    // Every identity involved, locked in a fixed order (two webhooks about one person wait for each other).
    // (A contact's lock is per key, whichever field it came from: registry/contact.ts.)
    const keys = [...new Set([...contactKeys(change.previous), ...contactKeys(change.current)])].sort();
    for (const key of keys) await lockContact(manager, { phone: key, userId: null });
    const fresh: unknown[] = await manager.query('INSERT INTO inbound_message (wa_message_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING 1', [messageIdHash(config.whatsapp.appSecret, change.id)]);
    if (fresh.length === 0) return { duplicate: true, subscriber: false };
    const phones = [change.previous.phone, change.current.phone].filter((p): p is string => p !== null);
    const userIds = [change.previous.userId, change.current.userId].filter((u): u is string => u !== null);
    const where = [...(phones.length ? [{ phone: In(phones) }] : []), ...(userIds.length ? [{ userId: In(userIds) }] : [])];
    const rows = where.length ? await manager.getRepository(Subscriber).find({ where, lock: { mode: 'pessimistic_write' }, order: { createdAt: 'ASC' } }) : [];
    if (rows.length === 0) return { duplicate: false, subscriber: false };
    await mergePerson(manager, rows, { phone: change.current.phone, userId: change.current.userId });
    return { duplicate: false, subscriber: true };
  });
}
