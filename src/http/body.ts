/**
 * Reading request bodies before the sender is known. A webhook's signature and a Bot Framework
 * token can only be checked once the body is in, so strangers could otherwise make us hold as
 * much as they send: 500 unsigned 3 MB posts once took the process from 163 MB to 778 MB. Every
 * body read here is held against one budget for the whole process, byte by byte as it arrives;
 * a body that does not fit is refused at once with 503 (Meta and Teams retry) and its connection
 * closed, and a part of the budget is kept for small bodies, which is what Meta's and Teams' own
 * requests are.
 */
import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError, RequestTimeoutError, ServiceUnavailableError, ValidationError } from './errors';

/** Bytes held by all bodies being read at once. */
export const BODY_BUDGET_BYTES = 16 * 1024 * 1024;
/** A body up to this size is small: it may also use the reserve below. */
export const SMALL_BODY_BYTES = 256 * 1024;
/** The part of the budget large bodies cannot take. */
export const SMALL_BODY_RESERVE_BYTES = 4 * 1024 * 1024;

/** 503 for a body that does not fit the budget now; the connection is closed, the body not read. */
export class TooBusyError extends ServiceUnavailableError {}

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

/** A body that stops arriving for this long is given up (Meta's and Teams' bodies arrive in well under a second). */
export const BODY_IDLE_MS = 5000;

/**
 * Reads a request body as raw bytes (webhook signatures are computed over the exact bytes).
 * Bytes are held against the budget as they arrive, never on what Content-Length promises (a
 * socket that announces a body and sends nothing holds nothing), and a body that stalls for
 * BODY_IDLE_MS is given up with 408.
 */
export function readRawBody(req: IncomingMessage, limitBytes: number, budget: BodyBudget = unverifiedBodies): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isSafeInteger(declared) && declared > limitBytes) return Promise.reject(new PayloadTooLargeError(`request body is larger than ${limitBytes} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let held = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error: Error | undefined) => {
      clearTimeout(timer);
      budget.give(held);
      held = 0;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (!error) return resolve(Buffer.concat(chunks));
      // Nothing more is read: the answer closes the connection.
      req.pause();
      chunks.length = 0;
      reject(error);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(new RequestTimeoutError(`no part of the request body arrived for ${BODY_IDLE_MS} ms`)), BODY_IDLE_MS);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) return finish(new PayloadTooLargeError(`request body is larger than ${limitBytes} bytes`));
      if (!budget.take(chunk.length, size)) return finish(new TooBusyError('too many request bodies are being received at once; try again'));
      held += chunk.length;
      chunks.push(chunk);
      arm();
    };
    const onEnd = () => finish(undefined);
    const onError = (error: Error) => finish(error);
    const onAborted = () => finish(new ValidationError('the request was aborted while its body was sent'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
    arm();
  });
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
