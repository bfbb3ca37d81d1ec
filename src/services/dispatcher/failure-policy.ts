/**
 * What to do with a send WhatsApp did not accept (docs/platform.md (Error codes), as classified by
 * the channel: SendFailure): pause the notice, give up on this recipient, or try again later,
 * slowing every send down when the number as a whole is over its limit.
 */
import { SendFailure } from './sender';

export type FailureDecision =
  | { action: 'pause' }
  | { action: 'fail'; title: string }
  | { action: 'retry'; delayMs: number; pauseAllMs: number | undefined };

/** Network errors and anything unexpected are passing trouble: retried like a 5xx. */
export function asSendFailure(error: unknown): SendFailure {
  return error instanceof SendFailure ? error : new SendFailure(0, undefined, String((error as Error)?.message ?? error), 'retryable', 'message');
}

export function decideOnFailure(e: SendFailure, attempts: number, maxAttempts: number, random: () => number = Math.random): FailureDecision {
  if (e.kind === 'stop') return { action: 'pause' };
  if (e.kind === 'permanent') return { action: 'fail', title: e.title };
  if (attempts >= maxAttempts) return { action: 'fail', title: `gave up after ${attempts} attempts: ${e.title}` };
  // Exponential backoff with jitter, at most 5 minutes.
  const backoff = Math.min(300_000, 1000 * 2 ** (attempts - 1)) * (0.5 + random());
  // The pair limit (131056): this recipient only, about 6 s. Otherwise honour Retry-After.
  const delayMs = e.scope === 'recipient' ? Math.max(6000, e.retryAfterMs ?? 0) : Math.max(backoff, e.retryAfterMs ?? 0);
  // The number is over its limit: hold every send, at most a minute at a time (a longer
  // Retry-After is asked again by the next send).
  const pauseAllMs = e.scope === 'global' ? Math.min(60_000, e.retryAfterMs ?? backoff) : undefined;
  return { action: 'retry', delayMs, pauseAllMs };
}
