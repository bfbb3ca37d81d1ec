import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time comparison of a given secret with ours, for any input: both are hashed first,
 * so their lengths never differ (timingSafeEqual throws on different lengths, and a string's
 * length in characters is not its length in bytes).
 */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
