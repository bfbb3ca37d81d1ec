/**
 * Whether Meta bills a message, from the pricing block of its status webhooks (docs/platform.md
 * A3, A4). Since per-message pricing (July 2025) Meta says it in `type`: `regular` is billed,
 * `free_customer_service` and `free_entry_point` are not. `billable` is marked deprecated by the
 * SDKs and only read when a status has no `type` (older payloads); null when neither says.
 */
export interface StatusPricing {
  billable?: boolean;
  pricing_model?: string;
  category?: string;
  type?: string;
}

const BILLED = new Set(['regular']);
const FREE = new Set(['free_customer_service', 'free_entry_point']);

export function isBilled(pricing: StatusPricing | undefined): boolean | null {
  if (!pricing) return null;
  const type = pricing.type?.toLowerCase();
  if (type && BILLED.has(type)) return true;
  if (type && FREE.has(type)) return false;
  return pricing.billable ?? null;
}
