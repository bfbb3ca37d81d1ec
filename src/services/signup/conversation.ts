/**
 * signup/: how a customer contact becomes a subscriber. R1 registry (customers.ts), R2
 * stappenplan invitations with a single-use code (invitations.ts), R4 tolerant reading of the
 * opt-in sentence (opt-in-text.ts), R6 active only when complete, R7 confirmation and R8 AVG
 * e-mail at sign-up, R10 one polite reply per 24 h (this file, with the Dutch texts in
 * replies.ts). An opt-out is handed to privacy/erasure.ts (R11).
 *
 * The subscriber's side of the conversation (R3-R11): every inbound WhatsApp message of a
 * contact is handled in one transaction under the contact's lock (registry/contact.ts: the
 * number, the business-scoped user id of a username user, or both), so concurrent webhooks for
 * the same person leave one consistent state. Message contents are read, never
 * stored (R5). The replies are queued in the same transaction (ledger/reply-outbox.ts) and sent
 * by the dispatcher: a crash between the two loses none.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../../config';
import { Customer, EmailKind, Invitation, InvitationStatus, ServiceMessageKind, Subscriber, SubscriberStatus, SubscriptionEvent, SubscriptionEventKind } from '../../entities';
import { queueEmail } from '../email/outbox';
import { avgOptInMail } from '../email/templates';
import { eraseSubscriber } from '../privacy/erasure';
import { mergePerson } from '../privacy/person-merge';
import { appendTombstones, type Tombstone } from '../privacy/erasure-log';
import { findUsableInvitation } from './invitations';
import { readOptIn, type OptInParts } from './opt-in-text';
import { readConfirmation, readIntent, type Intent } from './opt-out-text';
import { readFirstName } from '../registry/first-name';
import { forgetContactCounters, readContactCounters, saveContactCounters, type ContactCounters } from '../privacy/contact-counters';
import { lockContact, sendAddress, type WhatsAppContact } from '../registry/contact';
import { queueReplies } from '../ledger/reply-outbox';
import { lastNoticeTo } from '../ledger/delivery-ledger';
import { messageIdHash } from '../../lib/message-id-hash';
import { firstSighting } from '../ledger/inbound-messages';
import { sendWindowDutch } from '../../lib/send-window';
import { replies as dutchReplies } from './replies';

export interface InboundMessage {
  /** WhatsApp message id (wamid...): a redelivered message is recognised by it. */
  messageId: string;
  /** Who wrote: the number and/or the business-scoped user id the webhook carried. */
  contact: WhatsAppContact;
  /** The text, or null for images, voice, stickers and other types. */
  text: string | null;
  receivedAt: Date;
}

export interface InboundOutcome {
  /** The replies queued, each with the kind of service message it is (counted per month once sent: Meta bills them). */
  replies: { kind: ServiceMessageKind; text: string }[];
  emailQueued: boolean;
  /** The message id was handled before: nothing changed. */
  duplicate?: boolean;
  /** An opt-out's tombstones (privacy/erasure-log.ts), appended after the commit. */
  tombstones?: Tombstone[];
}

const { SignUp, OptOut, OneWay } = ServiceMessageKind;
const MAX_WRONG_CODES = 5;
const DAY_MS = 24 * 3600 * 1000;

export async function handleInbound(dataSource: DataSource, config: Config, message: InboundMessage): Promise<InboundOutcome> {
  // What the text says is read before the number's lock is taken: a long text never holds it.
  const read = readText(message.text ?? '');
  const outcome = await dataSource.transaction(async (manager) => {
    const result = await handleInTransaction(manager, config, message, read);
    // The replies are committed with the state they confirm; the dispatcher sends them.
    await queueReplies(manager, messageIdHash(config.pseudonymKeys.current.secret, message.messageId), sendAddress(message.contact), result.replies);
    return result;
  });
  // An opt-out's tombstone goes to the erasure log once it is committed (it outlives a restore).
  if (outcome.tombstones) await appendTombstones(dataSource, config, outcome.tombstones);
  return outcome;
}

/** Everything the conversation may want to know of one text, read once (each reader is linear). */
interface ReadText {
  intent: Intent;
  /** An answer to "Wil je je afmelden? Antwoord JA". */
  confirmation: 'yes' | 'no' | null;
  optIn: OptInParts;
  firstName: string | null;
}

function readText(text: string): ReadText {
  if (!text) return { intent: 'other', confirmation: null, optIn: { hasSentence: false, code: null }, firstName: null };
  return { intent: readIntent(text), confirmation: readConfirmation(text), optIn: readOptIn(text), firstName: readFirstName(text) };
}

/** An unclear opt-out asked about less than a day before this message (not after it: a late redelivery of an earlier "ja" is no answer). */
function askedRecently(subscriber: Subscriber | null, at: Date): boolean {
  if (subscriber?.optOutAskedAt == null) return false;
  const age = at.getTime() - subscriber.optOutAskedAt.getTime();
  return age >= 0 && age < DAY_MS;
}

async function handleInTransaction(manager: EntityManager, config: Config, message: InboundMessage, read: ReadText): Promise<InboundOutcome> {
  await lockContact(manager, message.contact);
  // De-duplication inside the same transaction (ledger/inbound-messages.ts).
  if (!(await firstSighting(manager, config.pseudonymKeys, message.messageId)).fresh) return { replies: [], emailQueued: false, duplicate: true };
  const say = dutchReplies(config.mail.supportEmail, sendWindowDutch(config.businessHours));
  const rows = await findSubscribers(manager, config, message.contact);
  const subscriber = rows[0] ?? null;

  const confirmed = askedRecently(subscriber, message.receivedAt) && read.confirmation === 'yes';
  if (read.intent === 'optOut' || confirmed) {
    if (!subscriber) return reply(OptOut, say.notSubscribed);
    // Every row of the person (two, when they signed up under each identity before Meta linked them).
    // One AVG opt-out mail per address: both rows may carry the same one (a second stappenplan).
    let emailQueued = false;
    const tombstones: Tombstone[] = [];
    const mailed = new Set<string>();
    for (const row of rows) {
      const mail = row.email === null || !mailed.has(row.email);
      if (row.email) mailed.add(row.email);
      const erased = await eraseSubscriber(manager, config, row, { kind: SubscriptionEventKind.OptOut, actor: 'subscriber', mail });
      emailQueued ||= erased.emailQueued;
      tombstones.push(erased.tombstone);
    }
    return { replies: [{ kind: OptOut, text: say.optedOut }], emailQueued, tombstones };
  }

  if (subscriber?.status === SubscriberStatus.Active) {
    await manager.getRepository(Subscriber).update({ id: subscriber.id }, { lastInboundAt: message.receivedAt });
    if (read.optIn.hasSentence) return reply(SignUp, say.alreadySubscribed);
    if (askedRecently(subscriber, message.receivedAt) && read.confirmation === 'no') {
      await manager.getRepository(Subscriber).update({ id: subscriber.id }, { optOutAskedAt: null });
      return reply(OptOut, say.stillSubscribed);
    }
    if (read.intent === 'confirm') {
      // Asked once a day at most: a second unclear message within it waits for the JA (and two bots cannot loop).
      if (askedRecently(subscriber, message.receivedAt)) return noReply();
      await manager.getRepository(Subscriber).update({ id: subscriber.id }, { optOutAskedAt: message.receivedAt });
      return reply(OptOut, say.askToConfirmOptOut);
    }
    if (!(await autoReplyAllowed(manager, config, message))) return noReply();
    return read.intent === 'status' ? reply(OneWay, await subscriptionStatus(manager, config, rows, say)) : reply(OneWay, say.oneWay);
  }

  if (subscriber?.status === SubscriberStatus.PendingName) {
    const firstName = read.firstName;
    if (!firstName) return reply(SignUp, say.askNameAgain);
    return activate(manager, config, subscriber, firstName, message.receivedAt);
  }

  return handleStranger(manager, config, message, read.optIn);
}

/** A number that is not (yet) a subscriber: only the sentence with a valid code gets it in. */
async function handleStranger(manager: EntityManager, config: Config, message: InboundMessage, optIn: OptInParts): Promise<InboundOutcome> {
  const say = dutchReplies(config.mail.supportEmail, sendWindowDutch(config.businessHours));
  const throttle = await readContactCounters(manager, config, message.contact);
  const sentenceRecently = throttle.sentenceAt !== null && message.receivedAt.getTime() - throttle.sentenceAt.getTime() < DAY_MS;

  if (!optIn.hasSentence && !(optIn.code && sentenceRecently)) {
    return (await autoReplyAllowed(manager, config, message, throttle)) ? reply(OneWay, say.oneWay) : noReply();
  }
  if (!optIn.code) {
    await saveContactCounters(manager, { ...throttle, sentenceAt: message.receivedAt });
    return reply(SignUp, say.needCode);
  }
  const windowStart = throttle.firstFailedAt && message.receivedAt.getTime() - throttle.firstFailedAt.getTime() < DAY_MS ? throttle.firstFailedAt : null;
  const failures = windowStart ? throttle.failedCodeAttempts : 0;
  if (failures >= MAX_WRONG_CODES) return noReply();

  const invitation = await findUsableInvitation(manager, optIn.code);
  if (!invitation) {
    const attempts = failures + 1;
    await saveContactCounters(manager, { ...throttle, failedCodeAttempts: attempts, firstFailedAt: windowStart ?? message.receivedAt });
    return reply(SignUp, attempts >= MAX_WRONG_CODES ? say.tooManyAttempts : say.badCode);
  }

  const customer = await manager.getRepository(Customer).findOneByOrFail({ id: invitation.customerId });
  await manager.getRepository(Subscriber).insert({
    phone: message.contact.phone,
    userId: message.contact.userId,
    customerId: customer.id,
    email: invitation.email,
    status: SubscriberStatus.PendingName,
    lastInboundAt: message.receivedAt,
  });
  // The address now lives with the subscriber only; the invitation is spent.
  await manager.getRepository(Invitation).update({ id: invitation.id }, { status: InvitationStatus.Used, usedAt: message.receivedAt, email: null });
  await forgetContactCounters(manager, config, message.contact);
  return reply(SignUp, say.askName(customer.name));
}

async function activate(manager: EntityManager, config: Config, subscriber: Subscriber, firstName: string, at: Date): Promise<InboundOutcome> {
  const say = dutchReplies(config.mail.supportEmail, sendWindowDutch(config.businessHours));
  const customer = await manager.getRepository(Customer).findOneByOrFail({ id: subscriber.customerId });
  await manager.getRepository(Subscriber).update({ id: subscriber.id }, { firstName, status: SubscriberStatus.Active, activatedAt: at, lastInboundAt: at });
  await manager.getRepository(SubscriptionEvent).insert({ kind: SubscriptionEventKind.OptIn, customerId: customer.id });
  let emailQueued = false;
  if (subscriber.email) {
    const mail = avgOptInMail({ firstName, companyName: customer.name, supportEmail: config.mail.supportEmail, retentionMonths: Math.round(config.retentionDays / 30.5), sendWindow: sendWindowDutch(config.businessHours) });
    await queueEmail(manager, EmailKind.AvgOptIn, subscriber.email, mail, config.mail.crmArchiveBcc);
    emailQueued = true;
  }
  return { replies: [{ kind: SignUp, text: say.confirmed(firstName, customer.name) }], emailQueued };
}

/** "Krijg ik nog meldingen?": subscribed for which company, and when the last notice went to them. */
async function subscriptionStatus(manager: EntityManager, config: Config, rows: Subscriber[], say: ReturnType<typeof dutchReplies>): Promise<string> {
  const customer = await manager.getRepository(Customer).findOneByOrFail({ id: rows[0].customerId });
  const last = await lastNoticeTo(manager, rows.map((row) => row.id));
  const when = (at: Date) => at.toLocaleString('nl-NL', { timeZone: config.businessHours.timeZone, day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  const since = rows[0].activatedAt ? rows[0].activatedAt.toLocaleDateString('nl-NL', { timeZone: config.businessHours.timeZone, day: 'numeric', month: 'long', year: 'numeric' }) : null;
  return say.subscriptionStatus(customer.name, last ? when(last) : null, since);
}

/** R10: the one-way notice goes to a number at most once per 24 hours. */
async function autoReplyAllowed(manager: EntityManager, config: Config, message: InboundMessage, known?: ContactCounters): Promise<boolean> {
  const throttle = known ?? (await readContactCounters(manager, config, message.contact));
  if (throttle.lastAutoReplyAt && message.receivedAt.getTime() - throttle.lastAutoReplyAt.getTime() < DAY_MS) return false;
  await saveContactCounters(manager, { ...throttle, lastAutoReplyAt: message.receivedAt });
  return true;
}

/**
 * The subscriber rows a message is from, by number or BSUID, oldest first, locked for this
 * transaction. A subscriber known by one learns the other when a webhook carries both (a phone
 * subscriber's BSUID since Meta added it; a username user's number once they share it), so
 * either finds them next time and erasure removes both.
 */
async function findSubscribers(manager: EntityManager, config: Config, contact: WhatsAppContact): Promise<Subscriber[]> {
  const repository = manager.getRepository(Subscriber);
  const where = [contact.phone ? { phone: contact.phone } : null, contact.userId ? { userId: contact.userId } : null].filter((w) => w !== null);
  const found = await repository.find({ where, lock: { mode: 'pessimistic_write' }, order: { createdAt: 'ASC' } });
  const subscriber = found[0];
  if (!subscriber) return [];
  // Two rows of one person (one per identity, from before Meta linked them) become one now that
  // a message names both (privacy/person-merge.ts): one notice per person, one erasure.
  if (found.length > 1) return [await mergePerson(manager, found, { phone: contact.phone ?? found.find((f) => f.phone)?.phone ?? null, userId: contact.userId ?? found.find((f) => f.userId)?.userId ?? null }, config.pseudonymKeys.current.secret)];
  const learned = { phone: subscriber.phone ?? contact.phone, userId: subscriber.userId ?? contact.userId };
  if (learned.phone !== subscriber.phone || learned.userId !== subscriber.userId) {
    await repository.update({ id: subscriber.id }, learned);
    Object.assign(subscriber, learned);
  }
  return found;
}

function reply(kind: ServiceMessageKind, text: string): InboundOutcome {
  return { replies: [{ kind, text }], emailQueued: false };
}

function noReply(): InboundOutcome {
  return { replies: [], emailQueued: false };
}
