/**
 * Groups the statuses of concurrent webhook requests into one statement of the ledger
 * (applyArrivingStatuses): 3,000 callbacks a second would otherwise be 3,000 transactions.
 *
 * Bounded: at most `maxInFlight` statements run at once, and at most `maxQueued` statuses wait
 * for one. When the ledger falls that far behind (Meta sends faster than the database applies),
 * a webhook is refused with 503 instead of being queued in memory without limit: Meta redelivers
 * it later, and nothing of it was applied.
 */
import type { DataSource } from 'typeorm';
import { TooBusyError } from '../../http/body';
import { applyArrivingStatuses, type StatusResult, type StatusUpdate } from './delivery-ledger';

type Waiting = { updates: StatusUpdate[]; resolve: (r: StatusResult) => void; reject: (e: unknown) => void };

/** Each caller's promise resolves only when its statuses are committed, so the webhook answers 200 only for what is safely stored. */
export class StatusBatcher {
  private pending: Waiting[] = [];
  private readonly ready: Waiting[][] = [];
  private timer: NodeJS.Timeout | undefined;
  private size = 0;
  private queued = 0;
  private running = 0;

  constructor(
    private readonly db: DataSource,
    /** A message id's keyed hashes, for the statuses that match no row by the id itself (applyArrivingStatuses). */
    private readonly hashIds: (waMessageId: string) => string[],
    private readonly maxWaitMs = 10,
    private readonly maxBatch = 1000,
    private readonly maxInFlight = 4,
    private readonly maxQueued = 20_000,
  ) {}

  /** Statuses accepted and not yet committed (the tests and the bench read it). */
  get backlog(): number {
    return this.queued;
  }

  add(updates: StatusUpdate[]): Promise<StatusResult> {
    if (this.queued > 0 && this.queued + updates.length > this.maxQueued) {
      return Promise.reject(new TooBusyError('the delivery ledger is behind on statuses; try again'));
    }
    this.queued += updates.length;
    return new Promise((resolve, reject) => {
      this.pending.push({ updates, resolve, reject });
      this.size += updates.length;
      if (this.size >= this.maxBatch) this.cut();
      else if (!this.timer) this.timer = setTimeout(() => this.cut(), this.maxWaitMs);
    });
  }

  /** Closes the batch being gathered and runs what the in-flight limit allows. */
  private cut(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length > 0) this.ready.push(this.pending);
    this.pending = [];
    this.size = 0;
    while (this.running < this.maxInFlight && this.ready.length > 0) this.run(this.ready.shift()!);
  }

  private run(batch: Waiting[]): void {
    this.running += 1;
    const updates = batch.flatMap((b) => b.updates);
    // Batches may run side by side: each locks its rows in id order, so they only queue, never deadlock.
    applyArrivingStatuses(this.db, updates, this.hashIds)
      .then(
        (result) => {
          // The counts are for the whole batch; each caller gets its share for its metrics.
          const total = updates.length || 1;
          for (const b of batch) {
            const share = b.updates.length / total;
            b.resolve({ applied: Math.round(result.applied * share), unknown: Math.round(result.unknown * share) });
          }
        },
        (error) => batch.forEach((b) => b.reject(error)),
      )
      .finally(() => {
        this.running -= 1;
        this.queued -= updates.length;
        this.cut();
      });
  }
}
