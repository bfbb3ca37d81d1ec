/**
 * Meta's error codes sorted into what the sender should do (docs/platform.md, Error codes):
 * retry later, give up on this message, or stop the whole broadcast and tell staff.
 */
import { SendFailure, type ErrorKind, type ErrorScope } from '../../services/dispatcher/sender';

export class CloudApiError extends SendFailure {
  override readonly name = 'CloudApiError';
  constructor(httpStatus: number, code: number | undefined, title: string, kind: ErrorKind, scope: ErrorScope, retryAfterMs?: number) {
    super(httpStatus, code, title, kind, scope, retryAfterMs);
    this.message = `WhatsApp Cloud API error${code !== undefined ? ` ${code}` : ''} (HTTP ${httpStatus}): ${title}`;
  }
}

const GLOBAL_THROTTLE = new Set([130429, 4, 80007]);
const PERMANENT = new Set([131026, 131047, 131049, 131050, 131051, 131052, 131053, 100, 190, 10, 200]);
/**
 * Spam limit, restricted account, and a template Meta paused (132015) or disabled (132016):
 * every further send would fail the same way, so the broadcast waits for staff instead.
 */
const STOP = new Set([131048, 368, 132015, 132016]);

/** Classifies an error answer (httpStatus 0 = no answer: timeout, reset, refused). */
export function classifyCloudApiError(httpStatus: number, code: number | undefined, title: string, retryAfterMs?: number): CloudApiError {
  const make = (kind: ErrorKind, scope: ErrorScope) => new CloudApiError(httpStatus, code, title, kind, scope, retryAfterMs);
  if (code !== undefined) {
    if (STOP.has(code)) return make('stop', 'global');
    if (GLOBAL_THROTTLE.has(code)) return make('retryable', 'global');
    if (code === 131056) return make('retryable', 'recipient');
    if (code === 131000) return make('retryable', 'message');
    if (code >= 132000 && code <= 132018) return make('permanent', 'message');
    if (PERMANENT.has(code)) return make('permanent', 'message');
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
