import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError, ValidationError } from './errors';

/** Reads a request body as raw bytes (webhook signatures are computed over the exact bytes). */
export async function readRawBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new PayloadTooLargeError(`request body is larger than ${limitBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
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
