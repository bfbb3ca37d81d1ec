/**
 * What the dispatcher needs of a messaging channel: send the outage template to one recipient,
 * and, when that fails, a SendFailure that says what to do (the WhatsApp channel classifies
 * Meta's error codes into these: channels/whatsapp/cloud-api-errors.ts). The dispatcher thus
 * knows no HTTP client; the channel depends on the domain, never the other way round.
 */
export type ErrorKind = 'retryable' | 'permanent' | 'stop';
/**
 * What an error is about. Retryable: what it slows down (the whole number, one recipient, this
 * message). Permanent 'request': Meta called the request itself invalid (its generic code 100)
 * without saying which part; the same request shape fails for every recipient of a notice, so
 * the dispatcher pauses the notice when none of it has gone out yet, and fails only this message
 * otherwise. Stop: what staff must fix before anything more can be sent (the account or its
 * token, the sending number, the template), so nothing is marked failed for it.
 */
export type ErrorScope = 'global' | 'recipient' | 'message' | 'request' | 'account' | 'number' | 'template' | 'notice';

/**
 * The scopes of a stop: the broadcast waits for staff, with this reason on its status card.
 * Account, number and template stop every notice; 'notice' (Meta refuses this notice's own
 * text, the same for each of its recipients) stops only the notice it happened to.
 */
export type StopScope = Extract<ErrorScope, 'account' | 'number' | 'template' | 'notice'>;

export class SendFailure extends Error {
  constructor(
    /** The HTTP status of the answer; 0 = no answer (timeout, reset, refused). */
    readonly httpStatus: number,
    readonly code: number | undefined,
    readonly title: string,
    readonly kind: ErrorKind,
    readonly scope: ErrorScope,
    readonly retryAfterMs?: number,
  ) {
    super(`send failed${code !== undefined ? ` with ${code}` : ''} (HTTP ${httpStatus}): ${title}`);
  }
}

export interface TemplateSender {
  sendTemplate(to: string, parameters: string[], options?: { opaque?: string }): Promise<{ id: string }>;
  /** Free text, for the conversation's replies (always inside the 24 h window: they answer the user). */
  sendText(to: string, text: string): Promise<{ id: string }>;
}
