/**
 * The few error types the services throw, and the one place that maps them to HTTP answers
 * (JSON, no stack traces, personal data masked) and to Dutch texts for staff and subscribers.
 */
import { maskPersonalData } from '../lib/mask';

export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  /** Dutch, safe to show to staff or a subscriber. */
  constructor(message: string, readonly dutch: string = 'De invoer is niet geldig.', readonly details: string[] = []) {
    super(message);
  }
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(message: string, readonly dutch: string = 'Niet gevonden.') {
    super(message);
  }
}

export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
}

export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
  constructor(message: string, readonly dutch: string = 'Je hebt hiervoor geen toestemming.') {
    super(message);
  }
}

/** A request body over the route's limit (413). */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

/** A request body that stopped arriving (408). */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
}

/** Something we depend on to answer is out of reach right now (503): the caller may retry. */
export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError';
}

export class ExternalServiceError extends Error {
  override readonly name = 'ExternalServiceError';
  constructor(readonly service: string, message: string, readonly retryable: boolean = true) {
    super(`${service}: ${message}`);
  }
}

export interface HttpErrorAnswer {
  status: number;
  body: { error: string; message: string; details?: string[] };
}

export function toHttp(error: unknown): HttpErrorAnswer {
  if (error instanceof ValidationError) {
    return { status: 400, body: { error: 'invalid_request', message: maskPersonalData(error.message), ...(error.details.length ? { details: error.details.map(maskPersonalData) } : {}) } };
  }
  if (error instanceof NotFoundError) return { status: 404, body: { error: 'not_found', message: maskPersonalData(error.message) } };
  if (error instanceof UnauthorizedError) return { status: 401, body: { error: 'unauthorized', message: error.message } };
  if (error instanceof ForbiddenError) return { status: 403, body: { error: 'forbidden', message: error.message } };
  if (error instanceof PayloadTooLargeError) return { status: 413, body: { error: 'payload_too_large', message: error.message } };
  if (error instanceof RequestTimeoutError) return { status: 408, body: { error: 'request_timeout', message: error.message } };
  if (error instanceof ServiceUnavailableError) return { status: 503, body: { error: 'unavailable', message: error.message } };
  if (error instanceof ExternalServiceError) return { status: 502, body: { error: 'upstream_unavailable', message: `${error.service} is not available` } };
  return { status: 500, body: { error: 'internal', message: 'internal error' } };
}

/** The Dutch sentence for staff or subscribers; never the internal message of an unknown error. */
export function toDutch(error: unknown): string {
  if (error instanceof ValidationError || error instanceof NotFoundError || error instanceof ForbiddenError) return error.dutch;
  if (error instanceof ExternalServiceError) return 'Een externe dienst is tijdelijk niet bereikbaar. Probeer het over een paar minuten opnieuw.';
  return 'Er ging iets mis. Probeer het opnieuw of neem contact op met Team Techniek.';
}
