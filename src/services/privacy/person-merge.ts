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
import { Subscriber, SubscriberStatus, SubscriptionEventKind } from '../../entities';
import { firstSighting } from '../ledger/inbound-messages';
import { mergeRecipients, unlinkSubscriber } from '../ledger/delivery-ledger';
import { eraseSubscriber } from './erasure';
import { appendTombstones, type Tombstone } from './erasure-log';
import { contactKeys, lockContact, type WhatsAppContact } from '../registry/contact';

/**
 * Makes one row of a person's rows (oldest first, locked by the caller), known by `identity`.
 * The row that keeps the person is an active one (the oldest of those), so a sign-up still
 * waiting for its first name never takes over a complete one. Returns the survivor.
 */
export async function mergePerson(manager: EntityManager, rows: Subscriber[], identity: WhatsAppContact, idKey: string): Promise<Subscriber> {
  const survivor = rows.find((row) => row.status === SubscriberStatus.Active) ?? rows[0];
  const others = rows.filter((row) => row !== survivor);
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
  // The others' deliveries first (they reference the rows), then the rows: their identities are
  // unique and leave with them before the survivor takes them.
  await mergeRecipients(manager, others.map((o) => o.id), { id: survivor.id, phone: merged.phone, userId: merged.userId }, idKey);
  if (others.length > 0) await manager.getRepository(Subscriber).delete({ id: In(others.map((o) => o.id)) });
  await manager.getRepository(Subscriber).update({ id: survivor.id }, merged);
  return Object.assign(survivor, merged);
}

export interface IdentityChange {
  /** The system message's id (a redelivery changes nothing twice). */
  id: string;
  /** user_changed_number (a new number and BSUID) or user_changed_user_id (a new BSUID, the number unchanged). */
  kind: 'number' | 'userId';
  /** Who the user was: the number and/or BSUID before the change. */
  previous: WhatsAppContact;
  /** Who the user is now. */
  current: WhatsAppContact;
}

/**
 * A row whose number or BSUID now belongs to another person: that identity is taken from it
 * (and its queued notices to it are cancelled); a row left with no identity is erased as on
 * request, without mail (its address is of someone we can no longer reach by WhatsApp).
 */
async function releaseIdentity(manager: EntityManager, config: Config, holder: Subscriber, taken: WhatsAppContact): Promise<Tombstone | null> {
  const left = { phone: holder.phone === taken.phone ? null : holder.phone, userId: holder.userId === taken.userId ? null : holder.userId };
  await unlinkSubscriber(manager, { id: holder.id, phone: holder.phone === taken.phone ? holder.phone : null, userId: holder.userId === taken.userId ? holder.userId : null }, config.pseudonymKeys.current.secret);
  if (left.phone === null && left.userId === null) {
    const { tombstone } = await eraseSubscriber(manager, config, Object.assign(holder, { phone: null, userId: null }), { kind: SubscriptionEventKind.Erasure, actor: 'whatsapp', reason: 'nummer of gebruikers-ID overgegaan naar een ander', mail: false });
    return tombstone;
  }
  await manager.getRepository(Subscriber).update({ id: holder.id }, left);
  return null;
}

/** Meta reports that a user changed number or BSUID: their subscription follows them. */
export async function applyIdentityChange(dataSource: DataSource, config: Config, change: IdentityChange): Promise<{ duplicate: boolean; subscriber: boolean }> {
  const tombstones: Tombstone[] = [];
  const result = await dataSource.transaction(async (manager) => {
    // Every identity involved, locked in a fixed order (two webhooks about one person wait for each other).
    // (A contact's lock is per key, whichever field it came from: registry/contact.ts.)
    const keys = [...new Set([...contactKeys(change.previous), ...contactKeys(change.current)])].sort();
    for (const key of keys) await lockContact(manager, { phone: key, userId: null });
    if (!(await firstSighting(manager, config.pseudonymKeys, change.id)).fresh) return { duplicate: true, subscriber: false };
    const repository = manager.getRepository(Subscriber);
    // The person is who they were: the rows of their previous identities.
    const previousWhere = [...(change.previous.phone ? [{ phone: change.previous.phone }] : []), ...(change.previous.userId ? [{ userId: change.previous.userId }] : [])];
    const person = previousWhere.length ? await repository.find({ where: previousWhere, lock: { mode: 'pessimistic_write' }, order: { createdAt: 'ASC' } }) : [];
    if (person.length === 0) return { duplicate: false, subscriber: false };
    // A row that already holds the new number or id is someone else's past (a number handed on,
    // an id reused): it loses that identity, and leaves if it has none left.
    const currentWhere = [...(change.current.phone ? [{ phone: change.current.phone }] : []), ...(change.current.userId ? [{ userId: change.current.userId }] : [])];
    const holders = (currentWhere.length ? await repository.find({ where: currentWhere, lock: { mode: 'pessimistic_write' } }) : []).filter((row) => !person.some((p) => p.id === row.id));
    for (const holder of holders) {
      const tombstone = await releaseIdentity(manager, config, holder, change.current);
      if (tombstone) tombstones.push(tombstone);
    }
    // A new BSUID leaves the number as it is (Meta's user_changed_user_id carries none).
    const phone = change.kind === 'userId' ? (change.current.phone ?? person.find((p) => p.phone)?.phone ?? null) : change.current.phone;
    await mergePerson(manager, person, { phone, userId: change.current.userId }, config.pseudonymKeys.current.secret);
    return { duplicate: false, subscriber: true };
  });
  // As for an opt-out: the erasure's line goes to the log once it is committed.
  await appendTombstones(dataSource, config, tombstones);
  return result;
}
