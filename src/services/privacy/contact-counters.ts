import { createHmac } from 'node:crypto';
import type { Config } from '../../config';

/**
 * A keyed hash of a number, for the per-number counters that must exist before (or without) a
 * subscriber row. Keyed with the app secret so the table cannot be reversed by trying numbers.
 */
export function phoneHash(config: Config, phone: string): string {
  return createHmac('sha256', config.whatsapp.appSecret).update(`wa:${phone}`).digest('hex');
}
