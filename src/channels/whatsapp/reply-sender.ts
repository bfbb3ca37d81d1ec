/**
 * Sends conversation replies after the webhook has been answered, with a few quick retries for
 * passing errors. A reply only ever answers a message the number just sent (R3: we never make
 * first contact), so it is always inside WhatsApp's 24 h window and goes out as free text.
 */
import type { Logger } from '../../logger';
import { maskAddress } from '../../lib/mask';
import type { CloudApiClient } from './cloud-api-client';
import { CloudApiError } from './cloud-api-errors';

export class ReplySender {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly client: CloudApiClient,
    private readonly logger: Logger,
    private readonly retryDelaysMs: number[] = [500, 2000, 5000],
  ) {}

  /** `to`: the number, or the business-scoped user id of a username user without one. */
  send(to: string, text: string): void {
    const attempt = this.deliver(to, text).finally(() => this.inFlight.delete(attempt));
    this.inFlight.add(attempt);
  }

  /** Waits for replies still being sent (graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(to: string, text: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.sendText(to, text);
        return;
      } catch (error) {
        const retryable = error instanceof CloudApiError && error.kind === 'retryable';
        if (!retryable || attempt >= this.retryDelaysMs.length) {
          this.logger.warn({ to: maskAddress(to), err: error }, 'WhatsApp reply not sent');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.max(error.retryAfterMs ?? 0, this.retryDelaysMs[attempt])));
      }
    }
  }
}
