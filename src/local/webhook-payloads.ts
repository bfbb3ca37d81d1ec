/**
 * Webhook bodies as Meta sends them (docs/platform.md), for everything that plays Meta locally:
 * the playground's phones, `npm run simulate:whatsapp`, the bench and the tests. Posting them
 * signed goes through the same /webhooks/whatsapp route and checks as Meta's own requests.
 */
import { randomBytes } from 'node:crypto';
import { signBody } from '../channels/whatsapp/webhook';
import { BSUID_PATTERN } from '../services/registry/contact';

export interface WebhookNumber {
  /** Our sender number's id (metadata.phone_number_id). */
  phoneNumberId: string;
  /** Our sender number as digits (metadata.display_phone_number). */
  displayNumber: string;
  /** The WhatsApp Business Account the change belongs to (entry.id). */
  businessAccountId?: string;
}

export type DeliveryStatusName = 'sent' | 'delivered' | 'read' | 'failed';

export interface StatusEvent {
  /** The wamid we sent. */
  id: string;
  status: DeliveryStatusName;
  at: Date;
  /** The number (recipient_id) or, for a username user, the business-scoped user id (recipient_user_id). */
  recipient: string;
  /** Echoed from the send request, as Meta does. */
  opaque?: string;
  error?: { code: number; title: string };
}

export function newWamid(): string {
  return `wamid.${randomBytes(18).toString('base64url')}`;
}

function unix(at: Date): string {
  return String(Math.floor(at.getTime() / 1000));
}

function envelope(number: WebhookNumber, value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: number.businessAccountId ?? 'local-waba',
        changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: number.displayNumber.replace(/\D/g, ''), phone_number_id: number.phoneNumberId }, ...value } }],
      },
    ],
  };
}

export interface InboundOptions {
  id?: string;
  at?: Date;
  profileName?: string;
}

/**
 * Who sends: a number (the payload as before usernames), or a username user with a business-
 * scoped user id and, when Meta shares it, the number (Meta, "Business-scoped user IDs":
 * `contacts[].user_id`, `messages[].from_user_id`, and no `from`/`wa_id` without a number).
 */
export type WebhookSender = string | { userId: string; phone?: string; username?: string };

/** An inbound message of any type; `content` is its type and the type's own field, e.g. { type: 'image', image: {...} }. */
export function inboundWebhook(number: WebhookNumber, from: WebhookSender, content: Record<string, unknown>, options: InboundOptions = {}) {
  const message = { id: options.id ?? newWamid(), timestamp: unix(options.at ?? new Date()), ...content };
  const name = options.profileName ?? 'Simulator';
  if (typeof from === 'string') {
    return envelope(number, { contacts: [{ profile: { name }, wa_id: from }], messages: [{ from, ...message }] });
  }
  return envelope(number, {
    contacts: [{ profile: { name, ...(from.username ? { username: from.username } : {}) }, ...(from.phone ? { wa_id: from.phone } : {}), user_id: from.userId }],
    messages: [{ ...(from.phone ? { from: from.phone } : {}), from_user_id: from.userId, ...message }],
  });
}

/** An inbound text message from a subscriber's phone. */
export function textMessageWebhook(number: WebhookNumber, from: WebhookSender, text: string, options: InboundOptions = {}) {
  return inboundWebhook(number, from, { type: 'text', text: { body: text } }, options);
}

/** Status callbacks, several in one webhook as Meta batches them. */
export function statusWebhook(number: WebhookNumber, statuses: StatusEvent[]) {
  return envelope(number, {
    statuses: statuses.map((s) => ({
      id: s.id,
      status: s.status,
      timestamp: unix(s.at),
      ...(BSUID_PATTERN.test(s.recipient) ? { recipient_user_id: s.recipient } : { recipient_id: s.recipient }),
      ...(s.opaque ? { biz_opaque_callback_data: s.opaque } : {}),
      ...(s.status === 'failed' ? { errors: [{ code: s.error?.code ?? 131026, title: s.error?.title ?? 'Message undeliverable' }] } : {}),
      ...(s.status === 'failed' ? {} : { conversation: { id: 'local-conversation', origin: { type: 'utility' } }, pricing: { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' } }),
    })),
  });
}

/** Posts a body to a webhook URL with Meta's X-Hub-Signature-256; resolves with the HTTP status. */
export async function postSignedWebhook(url: string, appSecret: string, body: unknown): Promise<number> {
  const raw = JSON.stringify(body);
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signBody(appSecret, raw) }, body: raw });
  await res.arrayBuffer();
  return res.status;
}
