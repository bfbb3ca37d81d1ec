/** The dispatcher's default sizes, and the duplicate window they make (stated in docs/architecture.md, The dispatcher). */

/** Requests in flight at most, by default. */
export const DEFAULT_MAX_IN_FLIGHT = 256;
/** Deliveries per claim at most, by default (a claim is at most one second of sending: min(200, WHATSAPP_MAX_MPS)). */
export const DEFAULT_BATCH_SIZE = 200;

/**
 * The most messages a killed dispatcher can have sent without its outcome written (which the
 * next one may send again): the batch being paced and the one claimed ahead, the requests in
 * flight from the batch before, and ~50 ms of outcomes waiting to be written. 706 at 1,000/s.
 */
export function duplicateWindow(maxMps: number, batchSize = DEFAULT_BATCH_SIZE, maxInFlight = DEFAULT_MAX_IN_FLIGHT): number {
  return 2 * Math.min(batchSize, maxMps) + maxInFlight + Math.round(0.05 * maxMps);
}
