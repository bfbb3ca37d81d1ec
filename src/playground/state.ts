/**
 * What GET /playground/api/state answers, shared by the server side and the page's browser
 * code (types only, so the page bundle takes nothing else from the server).
 */
import type { MailboxEntry } from '../services/email/mailbox-entry';

export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface PhoneMessage {
  id: string;
  /** 'service': sent by Storingsmelder to the phone; 'phone': typed on the phone. */
  from: 'service' | 'phone';
  at: string;
  /** As WhatsApp shows it: *bold*, _italic_ and line breaks still in the text. */
  text: string;
  status: MessageStatus;
}

export interface PhoneView {
  number: string;
  label: string;
  messages: PhoneMessage[];
  /** Off: the owner removed WhatsApp; what is sent to the number fails with Meta's 131026. */
  onWhatsApp: boolean;
}

/** One mail of the outbox (services/email/mailbox.ts). */
export type MailView = MailboxEntry;

export interface PlaygroundState {
  phones: PhoneView[];
  mailbox: MailView[];
  links: { teams: string | null; tab: string };
  whatsappNumber: string;
}
