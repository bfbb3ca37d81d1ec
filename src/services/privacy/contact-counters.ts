/**
 * The per-number counters of the sign-up conversation (auto-reply, wrong codes) exist before,
 * or without, a subscriber row. They are keyed by an HMAC of the number with the app secret,
 * so the table cannot be reversed by trying numbers (R5), and forgotten as soon as they are
 * not needed: at sign-up, at opt-out, and after two quiet days (retention.ts).
 */
import { createHmac } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Config } from '../../config';

export function phoneHash(config: Config, phone: string): string {
  return createHmac('sha256', config.whatsapp.appSecret).update(`wa:${phone}`).digest('hex');
}

/** Removes the counters of a number, inside the caller's transaction. */
export async function forgetContactCounters(manager: EntityManager, config: Config, phone: string): Promise<void> {
  await manager.query('DELETE FROM contact_throttle WHERE phone_hash = $1', [phoneHash(config, phone)]);
}
