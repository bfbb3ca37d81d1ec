/**
 * Simulated subscriber phones for the local playground. They play Meta's side of the Cloud
 * API in both directions: what a phone types is posted to /webhooks/whatsapp as a signed
 * webhook, exactly as Meta would; every message the service sends to a phone's number (through
 * the built-in Graph API stand-in) lands in that phone, and its sent/delivered/read statuses
 * are posted back as status webhooks.
 */
import type { Logger } from '../logger';
import { ValidationError } from '../http/errors';
import { maskPhone } from '../lib/mask';
import type { MessagesRequest } from '../channels/whatsapp/cloud-api-types';
import type { RecordedRequest } from '../local/graph-standin';
import { statusRank } from '../services/ledger/status-order';
import type { PhoneMessage, PhoneView } from './state';
import { newWamid, postSignedWebhook, statusWebhook, textMessageWebhook, type DeliveryStatusName, type StatusEvent, type WebhookNumber } from '../local/webhook-payloads';

export interface SimulatedPhonesOptions {
  phones: { number: string; label: string }[];
  /** Where the service's webhook is, known once it listens. */
  webhookUrl: () => string;
  appSecret: string;
  sender: WebhookNumber;
  /** The template text a subscriber reads, from the send request's parameters. */
  renderTemplate: (parameters: string[]) => string;
  logger: Logger;
  sentAfterMs?: number;
  deliveredAfterMs?: number;
}

const KEEP = 200;

interface Phone {
  label: string;
  messages: PhoneMessage[];
  /** biz_opaque_callback_data of our messages, echoed on their statuses as Meta does. */
  opaque: Map<string, string>;
  onWhatsApp: boolean;
}

export class SimulatedPhones {
  private readonly phones = new Map<string, Phone>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Status reports being posted (id:status): a second click does not report the same again. */
  private readonly reporting = new Set<string>();
  private stopped = false;

  constructor(private readonly options: SimulatedPhonesOptions) {
    for (const phone of options.phones) this.phones.set(phone.number, { label: phone.label, messages: [], opaque: new Map(), onWhatsApp: true });
  }

  has(number: string): boolean {
    return this.phones.has(number);
  }

  view(): PhoneView[] {
    return [...this.phones].map(([number, phone]) => ({ number, label: phone.label, messages: phone.messages, onWhatsApp: phone.onWhatsApp }));
  }

  /**
   * The owner removes WhatsApp (off) or installs it again (on). While off, Meta accepts a send to
   * the number and then reports it failed with 131026 (undeliverable), as it does for a number
   * that is not on WhatsApp: the way to see failure reasons and *Opnieuw proberen (mislukt)*.
   */
  setWhatsApp(number: string, on: boolean): void {
    this.phoneOf(number).onWhatsApp = on;
  }

  /** A message the stand-in accepted: if it is for one of the phones, show it and report it sent, then delivered. */
  receive(request: RecordedRequest): void {
    const body = request.body;
    // The phones are known by their numbers: a send to a business-scoped user id is not theirs.
    if (!('to' in body) || body.to === undefined || !request.answeredId) return;
    const to = body.to;
    const phone = this.phones.get(to);
    if (!phone) return;
    if (!phone.onWhatsApp) {
      // Never shown on the phone: it is not on WhatsApp. Meta's failed status follows.
      const lost: PhoneMessage = { id: request.answeredId, from: 'service', at: new Date(request.at).toISOString(), text: '', status: 'pending' };
      if (body.type === 'template' && body.biz_opaque_callback_data) phone.opaque.set(lost.id, body.biz_opaque_callback_data);
      this.later(this.options.sentAfterMs ?? 300, () => this.report(to, [lost], 'failed'));
      return;
    }
    const message: PhoneMessage = { id: request.answeredId, from: 'service', at: new Date(request.at).toISOString(), text: this.textOf(body), status: 'pending' };
    if (body.type === 'template' && body.biz_opaque_callback_data) phone.opaque.set(message.id, body.biz_opaque_callback_data);
    this.append(phone, message);
    this.later(this.options.sentAfterMs ?? 300, () => this.report(to, [message], 'sent'));
    this.later(this.options.deliveredAfterMs ?? 1200, () => this.report(to, [message], 'delivered'));
  }

  /** The phone's owner sends a text: a signed inbound webhook to the service. */
  async send(number: string, text: string): Promise<PhoneMessage> {
    const phone = this.phoneOf(number);
    if (!phone.onWhatsApp) throw new ValidationError('the phone has WhatsApp off', 'Deze telefoon heeft WhatsApp uitgezet.');
    const message: PhoneMessage = { id: newWamid(), from: 'phone', at: new Date().toISOString(), text, status: 'pending' };
    this.append(phone, message);
    const status = await this.post(textMessageWebhook(this.options.sender, number, text, { id: message.id, profileName: phone.label }));
    message.status = status === 200 ? 'sent' : 'failed';
    return message;
  }

  /** The owner opened the chat: everything delivered so far is read (one webhook, as Meta batches them). */
  async read(number: string): Promise<number> {
    const unread = this.phoneOf(number).messages.filter((m) => m.from === 'service' && m.status === 'delivered');
    if (unread.length > 0) await this.report(number, unread, 'read');
    return unread.length;
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private textOf(body: MessagesRequest): string {
    if ('text' in body && body.type === 'text') return body.text.body;
    if ('template' in body && body.type === 'template') return this.options.renderTemplate(body.template.components[0]?.parameters.map((p) => p.text) ?? []);
    return '';
  }

  private async report(number: string, messages: PhoneMessage[], status: DeliveryStatusName): Promise<void> {
    const due = messages.filter((m) => statusRank(m.status) < statusRank(status) && !this.reporting.has(`${m.id}:${status}`));
    if (due.length === 0 || this.stopped) return;
    const phone = this.phoneOf(number);
    const at = new Date();
    const events: StatusEvent[] = due.map((m) => ({ id: m.id, status, at, recipient: number, opaque: phone.opaque.get(m.id) }));
    for (const m of due) this.reporting.add(`${m.id}:${status}`);
    try {
      if ((await this.post(statusWebhook(this.options.sender, events))) === 200) {
        for (const m of due) if (statusRank(m.status) < statusRank(status)) m.status = status;
      }
    } finally {
      for (const m of due) this.reporting.delete(`${m.id}:${status}`);
    }
  }

  private async post(body: unknown): Promise<number> {
    try {
      return await postSignedWebhook(this.options.webhookUrl(), this.options.appSecret, body);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'playground: the webhook could not be posted');
      return 0;
    }
  }

  private phoneOf(number: string): Phone {
    const phone = this.phones.get(number);
    if (!phone) throw new Error(`no simulated phone ${maskPhone(number)}`);
    return phone;
  }

  private append(phone: Phone, message: PhoneMessage): void {
    phone.messages.push(message);
    for (const gone of phone.messages.splice(0, Math.max(0, phone.messages.length - KEEP))) phone.opaque.delete(gone.id);
  }

  private later(ms: number, work: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void work();
    }, ms);
    this.timers.add(timer);
  }
}
