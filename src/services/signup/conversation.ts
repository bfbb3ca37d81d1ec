/**
 * signup/: how a customer contact becomes a subscriber. R1 registry (customers.ts), R2
 * stappenplan invitations with a single-use code (invitations.ts), R4 tolerant reading of the
 * opt-in sentence (opt-in-text.ts), R6 active only when complete, R7 confirmation and R8 AVG
 * e-mail at sign-up, R10 one polite reply per 24 h (this file, with the Dutch texts in
 * replies.ts). An opt-out is handed to privacy/erasure.ts (R11).
 *
 * The subscriber's side of the conversation (R3-R11): every inbound WhatsApp message of a
 * number is handled in one transaction under a per-number advisory lock, so concurrent
 * webhooks for the same number leave one consistent state. Message contents are read, never
 * stored (R5). Returns the replies to send once the transaction has committed.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../../config';
import { ContactThrottle, Customer, EmailKind, Invitation, InvitationStatus, Subscriber, SubscriberStatus, SubscriptionEvent, SubscriptionEventKind } from '../../entities';
import { queueEmail } from '../email/outbox';
import { avgOptInMail } from '../email/templates';
import { eraseSubscriber } from '../privacy/erasure';
import { findUsableInvitation } from './invitations';
import { isOptOut, readOptIn, type OptInParts } from './opt-in-text';
import { readFirstName } from '../registry/first-name';
import { forgetContactCounters, phoneHash } from '../privacy/contact-counters';
import { replies as dutchReplies } from './replies';

export interface InboundMessage {
  /** WhatsApp message id (wamid...): a redelivered message is recognised by it. */
  messageId: string;
  /** wa_id: digits only, country code first. */
  phone: string;
  /** The text, or null for images, voice, stickers and other types. */
  text: string | null;
  receivedAt: Date;
}

export interface InboundOutcome {
  replies: string[];
  emailQueued: boolean;
  /** The message id was handled before: nothing changed. */
  duplicate?: boolean;
}

const MAX_WRONG_CODES = 5;
const DAY_MS = 24 * 3600 * 1000;

export async function handleInbound(dataSource: DataSource, config: Config, message: InboundMessage): Promise<InboundOutcome> {
  // What the text says is read before the number's lock is taken: a long text never holds it.
  const read = readText(message.text ?? '');
  return dataSource.transaction((manager) => handleInTransaction(manager, config, message, read));
}

/** Everything the conversation may want to know of one text, read once (each reader is linear). */
interface ReadText {
  optOut: boolean;
  optIn: OptInParts;
  firstName: string | null;
}

function readText(text: string): ReadText {
  return text ? { optOut: isOptOut(text), optIn: readOptIn(text), firstName: readFirstName(text) } : { optOut: false, optIn: { hasSentence: false, code: null }, firstName: null };
}

async function handleInTransaction(manager: EntityManager, config: Config, message: InboundMessage, read: ReadText): Promise<InboundOutcome> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`wa:${message.phone}`]);
  // De-duplication inside the same transaction: if handling fails, the id is not kept and
  // Meta's redelivery is handled afresh.
  const fresh: unknown[] = await manager.query('INSERT INTO inbound_message (wa_message_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING 1', [message.messageId]);
  if (fresh.length === 0) return { replies: [], emailQueued: false, duplicate: true };
  const say = dutchReplies(config.mail.supportEmail);
  const subscriber = await manager.getRepository(Subscriber).findOneBy({ phone: message.phone });

  if (read.optOut) {
    if (!subscriber) return { replies: [say.notSubscribed], emailQueued: false };
    const { emailQueued } = await eraseSubscriber(manager, config, subscriber, { kind: SubscriptionEventKind.OptOut, actor: 'subscriber' });
    return { replies: [say.optedOut], emailQueued };
  }

  if (subscriber?.status === SubscriberStatus.Active) {
    await manager.getRepository(Subscriber).update({ id: subscriber.id }, { lastInboundAt: message.receivedAt });
    if (read.optIn.hasSentence) return reply(say.alreadySubscribed);
    return (await autoReplyAllowed(manager, config, message)) ? reply(say.oneWay) : reply();
  }

  if (subscriber?.status === SubscriberStatus.PendingName) {
    const firstName = read.firstName;
    if (!firstName) return reply(say.askNameAgain);
    return activate(manager, config, subscriber, firstName, message.receivedAt);
  }

  return handleStranger(manager, config, message, read.optIn);
}

/** A number that is not (yet) a subscriber: only the sentence with a valid code gets it in. */
async function handleStranger(manager: EntityManager, config: Config, message: InboundMessage, optIn: OptInParts): Promise<InboundOutcome> {
  const say = dutchReplies(config.mail.supportEmail);
  const throttle = await throttleRow(manager, config, message.phone);
  const sentenceRecently = throttle.sentenceAt !== null && message.receivedAt.getTime() - throttle.sentenceAt.getTime() < DAY_MS;

  if (!optIn.hasSentence && !(optIn.code && sentenceRecently)) {
    return (await autoReplyAllowed(manager, config, message, throttle)) ? reply(say.oneWay) : reply();
  }
  if (!optIn.code) {
    await saveThrottle(manager, { ...throttle, sentenceAt: message.receivedAt });
    return reply(say.needCode);
  }
  const windowStart = throttle.firstFailedAt && message.receivedAt.getTime() - throttle.firstFailedAt.getTime() < DAY_MS ? throttle.firstFailedAt : null;
  const failures = windowStart ? throttle.failedCodeAttempts : 0;
  if (failures >= MAX_WRONG_CODES) return reply();

  const invitation = await findUsableInvitation(manager, optIn.code);
  if (!invitation) {
    const attempts = failures + 1;
    await saveThrottle(manager, { ...throttle, failedCodeAttempts: attempts, firstFailedAt: windowStart ?? message.receivedAt });
    return reply(attempts >= MAX_WRONG_CODES ? say.tooManyAttempts : say.badCode);
  }

  const customer = await manager.getRepository(Customer).findOneByOrFail({ id: invitation.customerId });
  await manager.getRepository(Subscriber).insert({
    phone: message.phone,
    customerId: customer.id,
    email: invitation.email,
    status: SubscriberStatus.PendingName,
    lastInboundAt: message.receivedAt,
  });
  // The address now lives with the subscriber only; the invitation is spent.
  await manager.getRepository(Invitation).update({ id: invitation.id }, { status: InvitationStatus.Used, usedAt: message.receivedAt, email: null });
  await forgetContactCounters(manager, config, message.phone);
  return reply(say.askName(customer.name));
}

async function activate(manager: EntityManager, config: Config, subscriber: Subscriber, firstName: string, at: Date): Promise<InboundOutcome> {
  const say = dutchReplies(config.mail.supportEmail);
  const customer = await manager.getRepository(Customer).findOneByOrFail({ id: subscriber.customerId });
  await manager.getRepository(Subscriber).update({ id: subscriber.id }, { firstName, status: SubscriberStatus.Active, activatedAt: at, lastInboundAt: at });
  await manager.getRepository(SubscriptionEvent).insert({ kind: SubscriptionEventKind.OptIn, customerId: customer.id });
  let emailQueued = false;
  if (subscriber.email) {
    const mail = avgOptInMail({ firstName, companyName: customer.name, supportEmail: config.mail.supportEmail, retentionMonths: Math.round(config.retentionDays / 30.5) });
    await queueEmail(manager, EmailKind.AvgOptIn, subscriber.email, mail, config.mail.crmArchiveBcc);
    emailQueued = true;
  }
  return { replies: [say.confirmed(firstName, customer.name)], emailQueued };
}

/** R10: the one-way notice goes to a number at most once per 24 hours. */
async function autoReplyAllowed(manager: EntityManager, config: Config, message: InboundMessage, known?: ContactThrottle): Promise<boolean> {
  const throttle = known ?? (await throttleRow(manager, config, message.phone));
  if (throttle.lastAutoReplyAt && message.receivedAt.getTime() - throttle.lastAutoReplyAt.getTime() < DAY_MS) return false;
  await saveThrottle(manager, { ...throttle, lastAutoReplyAt: message.receivedAt });
  return true;
}

async function throttleRow(manager: EntityManager, config: Config, phone: string): Promise<ContactThrottle> {
  const hash = phoneHash(config, phone);
  const found = await manager.getRepository(ContactThrottle).findOneBy({ phoneHash: hash });
  return found ?? Object.assign(new ContactThrottle(), { phoneHash: hash, lastAutoReplyAt: null, failedCodeAttempts: 0, firstFailedAt: null, sentenceAt: null });
}

async function saveThrottle(manager: EntityManager, row: ContactThrottle): Promise<void> {
  await manager.getRepository(ContactThrottle).save({ ...row, updatedAt: new Date() });
}

function reply(...texts: string[]): InboundOutcome {
  return { replies: texts, emailQueued: false };
}
