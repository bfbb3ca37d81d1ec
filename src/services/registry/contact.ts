/**
 * Who is on the other end of a WhatsApp conversation. Since 2026 a user may adopt a username;
 * Meta then identifies them by a business-scoped user id (BSUID, `NL.13491208655302741918`)
 * and may leave the phone number out (docs/platform.md A3). A contact is known by its number,
 * its BSUID or both, and everything keyed on "the person" (the subscriber row, the per-contact
 * lock, the stranger counters) takes whichever of the two a webhook carries, both when both.
 */
import type { EntityManager } from 'typeorm';

export interface WhatsAppContact {
  /** wa_id: digits only, country code first; null for a username user Meta keeps it from. */
  phone: string | null;
  /** The business-scoped user id; null in payloads from before Meta added it. */
  userId: string | null;
}

/** Country code, a dot, then alphanumerics; a parent BSUID has an ENT part (Meta, "Business-scoped user IDs"). */
export const BSUID_PATTERN = /^[A-Z]{2}(?:\.ENT)?\.[A-Za-z0-9]{1,128}$/;
export const PHONE_PATTERN = /^\d{6,15}$/;

export function isBusinessScopedUserId(value: string): boolean {
  return BSUID_PATTERN.test(value);
}

/** The one address a message goes to: the number when known (Meta prefers it), else the BSUID. */
export function sendAddress(contact: WhatsAppContact): string {
  const address = contact.phone ?? contact.userId;
  if (!address) throw new Error('a WhatsApp contact without number or user id');
  return address;
}

/** The identities of a contact, sorted (locks are taken in one order: no deadlock between two). */
export function contactKeys(contact: WhatsAppContact): string[] {
  return [contact.phone, contact.userId].filter((key): key is string => key !== null).sort();
}

/**
 * Serialises everything about one person inside the caller's transaction: a webhook message,
 * a staff erasure. Both identities are locked when both are known (a message with the number
 * and the BSUID waits for one with either); callers then read the subscriber row FOR UPDATE,
 * which covers the last case, one message with only the number and one with only the BSUID.
 */
export async function lockContact(manager: EntityManager, contact: WhatsAppContact): Promise<void> {
  for (const key of contactKeys(contact)) await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`wa:${key}`]);
}
