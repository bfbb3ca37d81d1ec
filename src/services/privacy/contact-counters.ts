/**
 * The per-contact counters of the sign-up conversation (auto-reply, wrong codes) exist before,
 * or without, a subscriber row. They are keyed by an HMAC of the number or the business-scoped
 * user id with the pseudonymisation key (lib/pseudonym-keys.ts), so the table cannot be reversed
 * by trying numbers (R5); rows made with an earlier key version are still found, and
 * forgotten as soon as they are not needed: at sign-up, at opt-out, and after two quiet days
 * (retention.ts). A contact known by both identities has a row under each, kept equal, so
 * the counters hold whichever of the two the next message carries.
 */
import { createHmac } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import type { Config } from '../../config';
import type { PseudonymKey } from '../../lib/pseudonym-keys';
import { ContactThrottle } from '../../entities';
import { contactKeys, type WhatsAppContact } from '../registry/contact';

/** The hash of one identity (a number or a BSUID; the two never look alike), with the current key or the one given. */
export function contactHash(config: Config, identity: string, key: PseudonymKey = config.pseudonymKeys.current): string {
  return createHmac('sha256', key.secret).update(`wa:${identity}`).digest('hex');
}

/** The hashes of a contact's identities under every key version: what its rows may be stored under. */
function everyContactHash(config: Config, contact: WhatsAppContact): string[] {
  return contactKeys(contact).flatMap((identity) => config.pseudonymKeys.all.map((key) => contactHash(config, identity, key)));
}

export type ContactCounters = Omit<ContactThrottle, 'phoneHash' | 'updatedAt'> & {
  /** Where they are saved: the identities' hashes with the current key. */
  hashes: string[];
  /** Rows under earlier key versions: read, then replaced by the save (an old row must not outweigh the current one for ever). */
  olderHashes: string[];
};

/** The counters of a contact: the rows of its identities taken together (the stricter value of each). */
export async function readContactCounters(manager: EntityManager, config: Config, contact: WhatsAppContact): Promise<ContactCounters> {
  const hashes = contactKeys(contact).map((identity) => contactHash(config, identity));
  const olderHashes = everyContactHash(config, contact).filter((hash) => !hashes.includes(hash));
  const rows = await manager.getRepository(ContactThrottle).findBy({ phoneHash: In([...hashes, ...olderHashes]) });
  const latest = (pick: (row: ContactThrottle) => Date | null) => rows.map(pick).reduce<Date | null>((a, b) => (b && (!a || b > a) ? b : a), null);
  const mostFailures = rows.reduce<ContactThrottle | undefined>((a, b) => (!a || b.failedCodeAttempts > a.failedCodeAttempts ? b : a), undefined);
  return {
    hashes,
    olderHashes,
    lastAutoReplyAt: latest((row) => row.lastAutoReplyAt),
    failedCodeAttempts: mostFailures?.failedCodeAttempts ?? 0,
    firstFailedAt: mostFailures?.firstFailedAt ?? null,
    sentenceAt: latest((row) => row.sentenceAt),
  };
}

export async function saveContactCounters(manager: EntityManager, counters: ContactCounters): Promise<void> {
  const { hashes, olderHashes, ...values } = counters;
  if (olderHashes.length > 0) await manager.query('DELETE FROM contact_throttle WHERE phone_hash = ANY($1)', [olderHashes]);
  const updatedAt = new Date();
  await manager.getRepository(ContactThrottle).save(hashes.map((phoneHash) => ({ ...values, phoneHash, updatedAt })));
}

/** Removes the counters of a contact (both identities), inside the caller's transaction. */
export async function forgetContactCounters(manager: EntityManager, config: Config, contact: WhatsAppContact): Promise<void> {
  const hashes = everyContactHash(config, contact);
  if (hashes.length > 0) await manager.query('DELETE FROM contact_throttle WHERE phone_hash = ANY($1)', [hashes]);
}
