/**
 * The WhatsApp webhook: GET verification, POST events. The signature is checked on the raw
 * bytes before anything is parsed or stored; a body whose envelope is not what Meta sends gets
 * a 400 and changes nothing; within a good envelope each change, message and status is checked
 * on its own, and a malformed one is skipped (logged) while the rest of the batch is applied; a
 * redelivered message id changes nothing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'restify';
import { UnauthorizedError, ValidationError } from '../../http/errors';
import { readRawBody } from '../../http/body';
import { sameSecret } from '../../lib/secrets';
import type { StatusUpdate, WhatsAppStatus } from '../../services/ledger/delivery-ledger';
import type { WhatsAppContact } from '../../services/registry/contact';
import { contactSchema, inboundMessageSchema, messagesValueSchema, statusSchema, systemMessageSchema, webhookSchema, type WebhookBody } from './webhook-schema';
import { isBilled } from './pricing';

/** Meta allows webhook payloads up to 3 MB. */
export const MAX_WEBHOOK_BYTES = 3 * 1024 * 1024;

export function signBody(appSecret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

export function verifySignature(appSecret: string, body: Buffer, header: string | undefined): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/i.test(header)) return false;
  const expected = Buffer.from(signBody(appSecret, body));
  const given = Buffer.from(header.toLowerCase());
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** GET: answers Meta's hub.challenge when the verify token matches. */
export function verificationHandler(verifyToken: string) {
  return async (req: Request, res: Response): Promise<void> => {
    const query = (req.query ?? {}) as Record<string, string | undefined>;
    const token = query['hub.verify_token'];
    const matches = typeof token === 'string' && sameSecret(token, verifyToken);
    if (query['hub.mode'] === 'subscribe' && matches && typeof query['hub.challenge'] === 'string') {
      res.setHeader('Content-Type', 'text/plain');
      res.writeHead(200);
      res.end(query['hub.challenge']);
      return;
    }
    res.send(403, { error: 'forbidden', message: 'verification token does not match' });
  };
}

/** Reads, authenticates and parses a POST; throws 401/400 errors. */
export async function readWebhook(req: Request, appSecret: string): Promise<WebhookBody> {
  const raw = await readRawBody(req, MAX_WEBHOOK_BYTES);
  const header = req.headers['x-hub-signature-256'];
  if (!verifySignature(appSecret, raw, Array.isArray(header) ? header[0] : header)) {
    throw new UnauthorizedError('missing or invalid X-Hub-Signature-256');
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ValidationError('body is not valid JSON');
  }
  const parsed = webhookSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ValidationError(`body is not a WhatsApp webhook: ${first.path.join('.') || 'body'}: ${first.message}`);
  }
  return parsed.data;
}

/** WhatsApp's limit for a text message: a longer text is not parsed (it cannot come from WhatsApp). */
export const MAX_TEXT_LENGTH = 4096;

export interface WebhookEvents {
  /** Who wrote: the number, the business-scoped user id (a username user may send only that), or both. */
  messages: { id: string; contact: WhatsAppContact; text: string | null; receivedAt: Date }[];
  statuses: StatusUpdate[];
  /** A user changed their number or BSUID (Meta's system messages): their subscription follows them. */
  identityChanges: { id: string; kind: 'number' | 'userId'; previous: WhatsAppContact; current: WhatsAppContact; receivedAt: Date }[];
  /** Entries that are not what Meta sends, skipped (the rest of the batch is applied). */
  skipped: { changes: number; messages: number; statuses: number; texts: number };
}

const STATUSES = new Set<WhatsAppStatus>(['sent', 'delivered', 'read', 'failed']);

/** The events we act on: inbound messages of the messages field, and delivery statuses. */
export function extractEvents(body: WebhookBody, phoneNumberId: string): WebhookEvents {
  const events: WebhookEvents = { messages: [], statuses: [], identityChanges: [], skipped: { changes: 0, messages: 0, statuses: 0, texts: 0 } };
  if (body.object !== 'whatsapp_business_account') return events;
  for (const entry of body.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue;
      const checked = messagesValueSchema.safeParse(change.value);
      if (!checked.success) {
        events.skipped.changes += 1;
        continue;
      }
      const value = checked.data;
      // Another number of the same business account is not ours to answer.
      if (value.metadata && value.metadata.phone_number_id !== phoneNumberId) continue;
      const contacts = readContacts(value.contacts ?? []);
      for (const raw of value.messages ?? []) {
        if ((raw as { type?: unknown } | null)?.type === 'system') {
          const change = readIdentityChange(raw);
          if (change === 'malformed') events.skipped.messages += 1;
          else if (change) events.identityChanges.push(change);
          continue;
        }
        const parsed = inboundMessageSchema.safeParse(raw);
        if (!parsed.success) {
          events.skipped.messages += 1;
          continue;
        }
        const message = parsed.data;
        let text = message.type === 'text' ? (message.text?.body ?? '') : message.type === 'button' ? (message.button?.text ?? null) : null;
        if (text !== null && text.length > MAX_TEXT_LENGTH) {
          // Handled as a message without text (the one-way reply), never parsed.
          events.skipped.texts += 1;
          text = null;
        }
        events.messages.push({ id: message.id, contact: contacts.complete({ phone: message.from ?? null, userId: message.from_user_id ?? null }), text, receivedAt: new Date(Number(message.timestamp) * 1000) });
      }
      for (const raw of value.statuses ?? []) {
        const parsed = statusSchema.safeParse(raw);
        if (!parsed.success) {
          events.skipped.statuses += 1;
          continue;
        }
        const status = parsed.data;
        if (!isWhatsAppStatus(status.status)) continue;
        const error = status.errors?.[0];
        // We send "delivery:<id>" along with each template (biz_opaque_callback_data); Meta echoes it.
        const deliveryId = /^delivery:(\d{1,18})$/.exec(status.biz_opaque_callback_data ?? '')?.[1] ?? null;
        events.statuses.push({
          waMessageId: status.id,
          deliveryId,
          recipientId: status.recipient_id ?? null,
          recipientUserId: status.recipient_user_id ?? null,
          billable: isBilled(status.pricing),
          pricingCategory: status.pricing?.category ?? null,
          pricingModel: status.pricing?.pricing_model ?? null,
          status: status.status,
          timestamp: new Date(Number(status.timestamp) * 1000),
          errorCode: error?.code ?? null,
          errorTitle: error ? (error.title ?? error.message ?? null) : null,
        });
      }
    }
  }
  return events;
}

/** A system message about the user's identity as the change it reports; null for other system messages. */
function readIdentityChange(raw: unknown): WebhookEvents['identityChanges'][number] | null | 'malformed' {
  const parsed = systemMessageSchema.safeParse(raw);
  if (!parsed.success) return 'malformed';
  const { system, from, from_user_id: fromUserId, id, timestamp } = parsed.data;
  const receivedAt = new Date(Number(timestamp) * 1000);
  const previousUserId = system.previous_user_id ?? fromUserId ?? null;
  if (system.type === 'user_changed_number') {
    // A new number gives a new BSUID: the old one is not carried over.
    if (!system.wa_id || (!from && !previousUserId)) return 'malformed';
    return { id, kind: 'number', previous: { phone: from ?? null, userId: previousUserId }, current: { phone: system.wa_id, userId: system.user_id ?? null }, receivedAt };
  }
  if (system.type === 'user_changed_user_id') {
    if (!system.user_id || !previousUserId) return 'malformed';
    return { id, kind: 'userId', previous: { phone: from ?? null, userId: previousUserId }, current: { phone: from ?? system.wa_id ?? null, userId: system.user_id }, receivedAt };
  }
  return null;
}

/**
 * The contacts block names the sender by number and BSUID when Meta shares both: a message
 * that carries one of them gets the other from there (so a subscriber known by one is found,
 * and learns the other). A malformed contact is left out; the message still has its own id.
 */
function readContacts(raw: unknown[]): { complete(contact: WhatsAppContact): WhatsAppContact } {
  const known: WhatsAppContact[] = [];
  for (const entry of raw) {
    const parsed = contactSchema.safeParse(entry);
    if (parsed.success) known.push({ phone: parsed.data.wa_id ?? null, userId: parsed.data.user_id ?? null });
  }
  return {
    complete(contact) {
      const match = known.find((k) => (contact.phone !== null && k.phone === contact.phone) || (contact.userId !== null && k.userId === contact.userId));
      return { phone: contact.phone ?? match?.phone ?? null, userId: contact.userId ?? match?.userId ?? null };
    },
  };
}

function isWhatsAppStatus(value: string): value is WhatsAppStatus {
  return (STATUSES as Set<string>).has(value);
}
