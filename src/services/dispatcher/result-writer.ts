/**
 * Buffers send outcomes and writes them in batches (one statement per kind), at least every
 * 50 ms: at 1,000 sends per second a statement per send would make the ledger the bottleneck.
 * The buffer is the only in-memory state, and a crash with outcomes in it only means those
 * rows stay 'sending' and are re-queued (the documented duplicate window).
 */
import type { DataSource } from 'typeorm';
import type { Logger } from '../../logger';
import { recordFailed, recordRetry, recordSent } from '../ledger/delivery-ledger';

type Sent = { id: string; waMessageId: string };
type Retry = { id: string; claimedBy: string; delayMs: number; code: number | null; title: string | null; countAttempt: boolean };
type Failed = { id: string; claimedBy: string; code: number | null; title: string };

export class ResultWriter {
  private sentBuffer: Sent[] = [];
  private retryBuffer: Retry[] = [];
  private failedBuffer: Failed[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Outcomes not yet in the database (buffered or being written). */
  private unwritten = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    private readonly intervalMs = 50,
    private readonly maxBuffered = 500,
    /** The key of message id hashes (lib/message-id-hash.ts), for a recipient erased while their send was on its way. */
    private readonly messageIdKey?: string,
  ) {}

  sent(result: Sent): void {
    this.sentBuffer.push(result);
    this.schedule();
  }

  retry(result: Retry): void {
    this.retryBuffer.push(result);
    this.schedule();
  }

  failed(result: Failed): void {
    this.failedBuffer.push(result);
    this.schedule();
  }

  /** Outcomes not yet in the database: the dispatcher waits (caughtUp) instead of letting them pile up. */
  get backlog(): number {
    return this.unwritten;
  }

  /** When the database falls behind the sends, waits until what is buffered is written. */
  async caughtUp(limit: number): Promise<void> {
    if (this.unwritten > limit) await this.flush();
  }

  /** Writes everything buffered so far; resolves when it is in the database. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const sent = this.sentBuffer;
    const retries = this.retryBuffer;
    const failed = this.failedBuffer;
    this.sentBuffer = [];
    this.retryBuffer = [];
    this.failedBuffer = [];
    const count = sent.length + retries.length + failed.length;
    this.writing = this.writing.then(() => this.write(sent, retries, failed)).finally(() => (this.unwritten -= count));
    return this.writing;
  }

  private schedule(): void {
    this.unwritten += 1;
    if (this.sentBuffer.length + this.retryBuffer.length + this.failedBuffer.length >= this.maxBuffered) {
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
    }
  }

  private async write(sent: Sent[], retries: Retry[], failed: Failed[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await recordSent(this.dataSource, sent, this.messageIdKey);
        await recordRetry(this.dataSource, retries);
        await recordFailed(this.dataSource, failed);
        return;
      } catch (error) {
        // Keep trying: losing these would re-send messages that already went out.
        this.logger.warn({ err: error, attempt }, 'could not record delivery outcomes; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 200 * 2 ** attempt)));
        if (attempt >= 20) {
          this.logger.error({ sent: sent.length }, 'giving up on recording outcomes; those rows will be re-queued as stale');
          return;
        }
      }
    }
  }
}
