/**
 * Claims the queue a batch ahead. While one full batch is being paced out, the next is
 * already being claimed, so the claim's own time never gaps the send rate. Claimed rows are
 * not yet sent: at most two batches are in that window (the opt-out race, crash duplicates).
 *
 * Each claim continues where the last one ended: claimed rows leave index entries behind until
 * vacuum, and a scan from the front of the queue steps over all of them. It starts from the
 * front again when a claim came back short, when new deliveries were announced (a resumed
 * notice has rows due earlier than the cursor) and every 30 s (rows a claim skipped because
 * another transaction held them).
 */
import type { DataSource } from 'typeorm';
import { claimDeliveries, type ClaimCursor, type ClaimedDelivery } from '../ledger/delivery-ledger';

type Claim = { deliveries: ClaimedDelivery[]; cursor: ClaimCursor | undefined };

const FRONT_SCAN_EVERY_MS = 30_000;

export class BatchClaimer {
  private ahead: Promise<Claim> | undefined;
  private cursor: ClaimCursor | undefined;
  private fromFront = true;
  private lastFrontScan = 0;

  constructor(private readonly dataSource: DataSource, private readonly limit: number) {}

  /** New deliveries were announced: the next claim that starts scans from the front. */
  rescanFromFront(): void {
    this.fromFront = true;
  }

  /** The next batch (the one claimed ahead, if any); with `claimAhead`, starts the one after. */
  async next(token: string, claimAhead: boolean): Promise<ClaimedDelivery[]> {
    const claim = await (this.ahead ?? this.claim(token));
    this.ahead = undefined;
    this.cursor = claim.deliveries.length === this.limit ? claim.cursor : undefined;
    if (this.cursor && claimAhead) {
      this.ahead = this.claim(token);
      // A failed claim is thrown by the next call to next(); never leave it unobserved.
      this.ahead.catch(() => undefined);
    }
    return claim.deliveries;
  }

  /** After a loop error: forget the batch ahead (its rows come back as stale claims). */
  reset(): void {
    this.ahead = undefined;
    this.cursor = undefined;
    this.fromFront = true;
  }

  /** Stopping: the batch claimed ahead, to hand back to the queue at once. */
  async takeAhead(): Promise<ClaimedDelivery[]> {
    const ahead = this.ahead;
    this.ahead = undefined;
    return ahead ? ahead.then((c) => c.deliveries, () => []) : [];
  }

  private claim(token: string): Promise<Claim> {
    let after = this.cursor;
    if (this.fromFront || Date.now() - this.lastFrontScan > FRONT_SCAN_EVERY_MS) {
      this.fromFront = false;
      this.lastFrontScan = Date.now();
      after = undefined;
    }
    return claimDeliveries(this.dataSource, this.limit, token, after);
  }
}
