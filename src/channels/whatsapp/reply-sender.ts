/**
 * Sends conversation replies after the webhook has been answered, with a few quick retries for
 * passing errors. A reply only ever answers a message the number just sent (R3: we never make
 * first contact), so it is always inside WhatsApp's 24 h window and goes out as free text.
 */
import type { Logger } from '../../logger';
import { maskAddress } from '../../lib/mask';
import type { CloudApiClient } from './cloud-api-client';
import { CloudApiError } from './cloud-api-errors';

export class ReplySender<Kind = string> {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly client: CloudApiClient,
    private readonly logger: Logger,
    /** Called for each reply Meta accepted (the monthly count of billed service messages). */
    private readonly onSent: (kind: Kind) => Promise<void> = async () => undefined,
    private readonly retryDelaysMs: number[] = [500, 2000, 5000],
  ) {}

  /** `to`: the number, or the business-scoped user id of a username user without one. */
  send(to: string, text: string, kind: Kind): void {
    const attempt = this.deliver(to, text, kind).finally(() => this.inFlight.delete(attempt));
    this.inFlight.add(attempt);
  }

  /** Waits for replies still being sent (graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(to: string, text: string, kind: Kind): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.sendText(to, text);
      } catch (error) {
        const retryable = error instanceof CloudApiError && error.kind === 'retryable';
        if (!retryable || attempt >= this.retryDelaysMs.length) {
          this.logger.warn({ to: maskAddress(to), err: error }, 'WhatsApp reply not sent');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.max(error.retryAfterMs ?? 0, this.retryDelaysMs[attempt])));
        continue;
      }
      await this.onSent(kind).catch((error: unknown) => this.logger.warn({ err: error }, 'service message not counted'));
      return;
    }
  }
}
