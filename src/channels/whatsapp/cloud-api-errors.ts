/**
 * Meta's error codes sorted into what the sender should do (docs/platform.md, Error codes):
 * retry later, give up on this recipient, or stop every broadcast and tell staff what to fix.
 */
import { SendFailure, type ErrorKind, type ErrorScope, type StopScope } from '../../services/dispatcher/sender';

export class CloudApiError extends SendFailure {
  override readonly name = 'CloudApiError';
  constructor(httpStatus: number, code: number | undefined, title: string, kind: ErrorKind, scope: ErrorScope, retryAfterMs?: number) {
    super(httpStatus, code, title, kind, scope, retryAfterMs);
    this.message = `WhatsApp Cloud API error${code !== undefined ? ` ${code}` : ''} (HTTP ${httpStatus}): ${title}`;
  }
}

/*
 * Meta's error codes by scope (Meta's "Error codes" page for the Cloud API, read December 2026;
 * docs/platform.md). An error about the account, the number or the template would fail every
 * recipient the same way: the broadcast waits for staff instead (stop), and nobody is marked
 * failed. Only errors about one recipient or one message fail a delivery.
 */
const GLOBAL_THROTTLE = new Set([130429, 4, 80007]);
/** The account or its token: 0/190 (token invalid or expired), 3, 10 and 200-299 (permission), 368 (blocked for policy), 131005 (access denied), 131031 (account locked), 131042 (payment). */
const ACCOUNT = new Set([0, 3, 10, 190, 368, 131005, 131031, 131042]);
/** The sending number: 131048 (spam rate limit: the number's quality rating dropped), 133000-133016 (registration). Code 100 only with evidence (numberNamedBy100). */
const NUMBER = new Set([131048]);
/** Meta's generic "Invalid parameter". */
const INVALID_PARAMETER = 100;
/** Graph's subcode for "Object with ID '…' does not exist": the URL's object, our phone number id. */
const OBJECT_DOES_NOT_EXIST = 33;

/**
 * Code 100 is about the sending number only when Meta says so: subcode 33 (the phone number id
 * in the URL does not exist or is not ours), or details that name the phone number id. A wrong
 * recipient_type or parameter answers 100 too, and says nothing about the number (A4).
 */
function numberNamedBy100(subcode: number | undefined, title: string): boolean {
  return subcode === OBJECT_DOES_NOT_EXIST || /phone[ _]number[ _]id|object with id/i.test(title);
}
/** One recipient: not on WhatsApp or an old app (131026), outside the window (131047), Meta chose not to deliver (131049), stopped marketing (131050), unsupported type (131051), media (131052, 131053), no BSUID sends for this type (131062). */
const RECIPIENT = new Set([131026, 131047, 131049, 131050, 131051, 131052, 131053, 131062]);

/** This notice's own text: too long (132005), against Meta's format policy (132007), parameter format (132012, 132018). */
const NOTICE_TEXT = new Set([132005, 132007, 132012, 132018]);

function stopScope(code: number): StopScope | undefined {
  if (ACCOUNT.has(code) || (code >= 200 && code <= 299)) return 'account';
  if (NUMBER.has(code) || (code >= 133000 && code <= 133016)) return 'number';
  if (NOTICE_TEXT.has(code)) return 'notice';
  if (code >= 132000 && code <= 132999) return 'template';
  return undefined;
}

/** Classifies an error answer (httpStatus 0 = no answer: timeout, reset, refused). */
export function classifyCloudApiError(httpStatus: number, code: number | undefined, title: string, retryAfterMs?: number, subcode?: number): CloudApiError {
  const make = (kind: ErrorKind, scope: ErrorScope) => new CloudApiError(httpStatus, code, title, kind, scope, retryAfterMs);
  if (code === INVALID_PARAMETER) return numberNamedBy100(subcode, title) ? make('stop', 'number') : make('permanent', 'request');
  if (code !== undefined) {
    const stop = stopScope(code);
    if (stop) return make('stop', stop);
    if (GLOBAL_THROTTLE.has(code)) return make('retryable', 'global');
    if (code === 131056) return make('retryable', 'recipient');
    if (code === 131000) return make('retryable', 'message');
    if (RECIPIENT.has(code)) return make('permanent', 'recipient');
  }
  if (httpStatus === 429) return make('retryable', 'global');
  if (httpStatus === 0 || httpStatus >= 500) return make('retryable', 'message');
  return make('permanent', 'message');
}

/** Retry-After as seconds or an HTTP date, in milliseconds. */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
