/**
 * Groups the statuses of concurrent webhook requests into one statement of the ledger
 * (applyStatusUpdates): 3,000 callbacks a second would otherwise be 3,000 transactions.
 */
import type { DataSource } from 'typeorm';
import { withDeadlockRetry } from '../../db/retry';
import { applyStatusUpdates, type StatusResult, type StatusUpdate } from './delivery-ledger';

/** Each caller's promise resolves only when its statuses are committed, so the webhook answers 200 only for what is safely stored. */
export class StatusBatcher {
  private pending: { updates: StatusUpdate[]; resolve: (r: StatusResult) => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private size = 0;

  constructor(
    private readonly db: DataSource,
    private readonly maxWaitMs = 10,
    private readonly maxBatch = 1000,
  ) {}

  add(updates: StatusUpdate[]): Promise<StatusResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ updates, resolve, reject });
      this.size += updates.length;
      if (this.size >= this.maxBatch) this.flush();
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.maxWaitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.size = 0;
    const updates = batch.flatMap((b) => b.updates);
    // Batches may run side by side: each locks its rows in id order, so they only queue, never deadlock.
    withDeadlockRetry(() => applyStatusUpdates(this.db, updates)).then(
      (result) => {
        // The counts are for the whole batch; each caller gets its share for its metrics.
        const total = batch.reduce((n, b) => n + b.updates.length, 0) || 1;
        for (const b of batch) {
          const share = b.updates.length / total;
          b.resolve({ applied: Math.round(result.applied * share), unknown: Math.round(result.unknown * share) });
        }
      },
      (error) => batch.forEach((b) => b.reject(error)),
    );
  }
}
