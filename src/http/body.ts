/**
 * Reading request bodies before the sender is known. A webhook's signature and a Bot Framework
 * token can only be checked once the body is in, so strangers could otherwise make us hold as
 * much as they send: 500 unsigned 3 MB posts once took the process from 163 MB to 778 MB. Every
 * body read here is held against one budget for the whole process, byte by byte as it arrives,
 * and a large body also needs one of a few slots; a body that does not fit is refused at once
 * with 503 (Meta and Teams retry) and its connection closed.
 */
import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError, RequestTimeoutError, ServiceUnavailableError, ValidationError } from './errors';
import { noteRefusedBody } from './flood-recovery';

/** Bytes held by all bodies being read at once. */
export const BODY_BUDGET_BYTES = 16 * 1024 * 1024;
/** A body over this size (announced, or once it has grown past it) is large. */
export const SMALL_BODY_BYTES = 256 * 1024;
/**
 * Large bodies read at once. Meta's 3 MB batches are rare; strangers' large bodies are the
 * flood. Counted per request, so a socket that announces a large body and sends nothing holds a
 * slot (until the idle timeout) but no bytes, and small bodies, what Meta and Teams send almost
 * always, keep their way in.
 */
export const LARGE_BODY_SLOTS = 4;

/** 503 for a body that does not fit the budget now; the connection is closed, the body not read. */
export class TooBusyError extends ServiceUnavailableError {}

export class BodyBudget {
  private held = 0;
  private large = 0;

  constructor(
    readonly totalBytes = BODY_BUDGET_BYTES,
    readonly largeSlots = LARGE_BODY_SLOTS,
  ) {}

  get heldBytes(): number {
    return this.held;
  }

  /** Takes bytes for a body; false when they do not fit. */
  take(bytes: number): boolean {
    if (this.held + bytes > this.totalBytes) return false;
    this.held += bytes;
    return true;
  }

  give(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }

  /** Takes a slot for a large body; false when all are in use. */
  takeLarge(): boolean {
    if (this.large >= this.largeSlots) return false;
    this.large += 1;
    return true;
  }

  giveLarge(): void {
    this.large = Math.max(0, this.large - 1);
  }
}

/** The process's budget for bodies not yet authenticated. */
export const unverifiedBodies = new BodyBudget();

/** A body that stops arriving for this long is given up (Meta's and Teams' bodies arrive in well under a second). */
export const BODY_IDLE_MS = 5000;

/**
 * Reads a request body as raw bytes (webhook signatures are computed over the exact bytes).
 * Bytes are held against the budget as they arrive, never on what Content-Length promises (a
 * socket that announces a body and sends nothing holds no bytes; an announced large body holds
 * one of the few large slots, until the idle timeout at most), and a body that stalls for
 * BODY_IDLE_MS is given up with 408.
 */
export function readRawBody(req: IncomingMessage, limitBytes: number, budget: BodyBudget = unverifiedBodies): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isSafeInteger(declared) && declared > limitBytes) return Promise.reject(new PayloadTooLargeError(`request body is larger than ${limitBytes} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let held = 0;
    let large = false;
    let timer: NodeJS.Timeout | undefined;
    const busy = () => {
      // Refusals come in floods: once they stop, the memory they took is given back.
      noteRefusedBody();
      return new TooBusyError('too many request bodies are being received at once; try again');
    };
    const finish = (error: Error | undefined) => {
      clearTimeout(timer);
      budget.give(held);
      held = 0;
      if (large) budget.giveLarge();
      large = false;
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
      if (size > SMALL_BODY_BYTES && !large) {
        if (!budget.takeLarge()) return finish(busy());
        large = true;
      }
      if (!budget.take(chunk.length)) return finish(busy());
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
    // An announced large body needs its slot before a byte is read.
    if (Number.isSafeInteger(declared) && declared > SMALL_BODY_BYTES) {
      if (!budget.takeLarge()) return finish(busy());
      large = true;
    }
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
