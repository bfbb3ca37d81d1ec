/**
 * Meta's message ids (wamid.…) encode the recipient's number: Meta's own sample
 * "wamid.HBgLMzE2MTIzNDU2Nzg…" holds base64("31612345678"). Where a message id must outlive the
 * link to a person (a delivery after erasure or retention, an inbound id kept for
 * de-duplication), a keyed hash is kept instead: still unique and still matchable against the
 * next webhook, but no number can be read from it or found by trying numbers without the key.
 * The same construction in TypeScript and in SQL (PostgreSQL's sha256), so rows can be
 * rewritten in place.
 */
import { createHash } from 'node:crypto';
import type { PseudonymKeys } from './pseudonym-keys';

export function messageIdHash(key: string, id: string): string {
  return `h:${createHash('sha256').update(`${key}:${id}`, 'utf8').digest('hex')}`;
}

/** An id's hash under every key version (newest first): a hash stored before a key rotation still matches. */
export function everyMessageIdHash(keys: PseudonymKeys, id: string): string[] {
  return keys.all.map((key) => messageIdHash(key.secret, id));
}

/** The SQL expression of messageIdHash for a column (or expression) and the parameter holding the key. */
export function messageIdHashSql(idExpression: string, keyParameter: string): string {
  return `('h:' || encode(sha256(convert_to(${keyParameter} || ':' || ${idExpression}, 'UTF8')), 'hex'))`;
}

/** Whether a stored id is already a hash. */
export const HASHED_ID_SQL = (column: string) => `${column} LIKE 'h:%'`;
