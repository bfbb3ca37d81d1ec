/**
 * Reading request bodies before the sender is known. A webhook's signature and a Bot Framework
 * token can only be checked once the body is in, so strangers could otherwise make us hold as
 * much as they send: 500 unsigned 3 MB posts once took the process from 163 MB to 778 MB. Every
 * body read here is held against one budget for the whole process; a body that does not fit is
 * refused at once with 503 (Meta and Teams retry) and its connection closed, and a part of the
 * budget is kept for small bodies, which is what Meta's and Teams' own requests are.
 */
import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError, ServiceUnavailableError, ValidationError } from './errors';

/** Bytes held by all bodies being read at once. */
export const BODY_BUDGET_BYTES = 16 * 1024 * 1024;
/** A body up to this size is small: it may also use the reserve below. */
export const SMALL_BODY_BYTES = 256 * 1024;
/** The part of the budget large bodies cannot take. */
export const SMALL_BODY_RESERVE_BYTES = 4 * 1024 * 1024;

/** 503 for a body that does not fit the budget now; the connection is closed, the body not read. */
export class TooBusyError extends ServiceUnavailableError {
  readonly closeConnection = true;
}

export class BodyBudget {
  private held = 0;

  constructor(
    readonly totalBytes = BODY_BUDGET_BYTES,
    readonly smallBodyBytes = SMALL_BODY_BYTES,
    readonly smallReserveBytes = SMALL_BODY_RESERVE_BYTES,
  ) {}

  get heldBytes(): number {
    return this.held;
  }

  /** Takes bytes for a body of `size` so far; false when they do not fit. */
  take(bytes: number, size: number): boolean {
    const limit = size > this.smallBodyBytes ? this.totalBytes - this.smallReserveBytes : this.totalBytes;
    if (this.held + bytes > limit) return false;
    this.held += bytes;
    return true;
  }

  give(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }
}

/** The process's budget for bodies not yet authenticated. */
export const unverifiedBodies = new BodyBudget();

/** Reads a request body as raw bytes (webhook signatures are computed over the exact bytes). */
export async function readRawBody(req: IncomingMessage, limitBytes: number, budget: BodyBudget = unverifiedBodies): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  const known = Number.isSafeInteger(declared) && declared >= 0;
  if (known && declared > limitBytes) throw new PayloadTooLargeError(`request body is larger than ${limitBytes} bytes`);
  // With Content-Length the whole body is reserved before a byte is read; without, chunk by chunk.
  let held = 0;
  const hold = (bytes: number, size: number) => {
    if (!budget.take(bytes, size)) throw new TooBusyError('too many request bodies are being received at once; try again');
    held += bytes;
  };
  try {
    if (known) hold(declared, declared);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const bytes = (chunk as Buffer).length;
      size += bytes;
      if (size > limitBytes) throw new PayloadTooLargeError(`request body is larger than ${limitBytes} bytes`);
      if (!known) hold(bytes, size);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  } finally {
    budget.give(held);
  }
}

/** Reads and parses a JSON body; a clear 400 when it is not JSON. */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const raw = await readRawBody(req, limitBytes);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ValidationError('request body is not valid JSON');
  }
}
