/**
 * The broadcast dispatcher. One per WhatsApp sender number across all instances: it holds a
 * Postgres advisory lock on a dedicated connection (if that instance dies, the lock goes with
 * its connection and another instance takes over within seconds). It claims due deliveries
 * with SKIP LOCKED, sends the template within the rate limit with many requests in flight,
 * and records the outcomes in batches. Nothing lives only in memory: a crash leaves rows in
 * 'sending', which are re-queued after staleMs.
 */
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { Logger } from '../../logger';
import { maskPhone } from '../../lib/mask';
import { sanitizeParameter } from '../notices/notice-template';
import { CloudApiError } from '../whatsapp/cloud-api-errors';
import type { TemplateSender } from '../whatsapp/cloud-api-client';
import { cancelOrphans, claimDeliveries, DELIVERY_READY_CHANNEL, finishMessages, pauseMessage, requeueStale, type ClaimedDelivery } from './ledger-sql';
import { PairLimiter, RateLimiter } from './rate-limiter';
import { ResultWriter } from './result-writer';

export interface DispatcherOptions {
  databaseUrl: string;
  /** The sender number: one dispatcher per number. */
  phoneNumberId: string;
  maxMps: number;
  /** Requests in flight at most (also the duplicate window after a crash). */
  maxInFlight?: number;
  batchSize?: number;
  maxAttempts?: number;
  /** A claim older than this is from a dead dispatcher. */
  staleMs?: number;
  /** Poll interval when no notification arrives. */
  idlePollMs?: number;
  pairGapMs?: number;
  onBroadcastPaused?: (outageMessageId: string, reason: string) => void | Promise<void>;
  onOutcome?: (outcome: 'sent' | 'retry' | 'failed') => void;
}

export class Dispatcher {
  private readonly limiter: RateLimiter;
  private readonly pairs: PairLimiter;
  private readonly writer: ResultWriter;
  private readonly maxInFlight: number;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly staleMs: number;
  private readonly idlePollMs: number;
  private client: Client | undefined;
  private leader = false;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private inFlight = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private lastHousekeeping = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sender: TemplateSender,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions,
  ) {
    this.limiter = new RateLimiter(options.maxMps);
    this.pairs = new PairLimiter(options.pairGapMs ?? 6000);
    this.writer = new ResultWriter(dataSource, logger);
    this.maxInFlight = options.maxInFlight ?? 256;
    this.batchSize = options.batchSize ?? 200;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.staleMs = options.staleMs ?? 60_000;
    this.idlePollMs = options.idlePollMs ?? 1000;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming, lets in-flight sends finish and their outcomes be written. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.waitForIdle();
    await this.writer.flush();
    await this.disconnect();
  }

  private async run(): Promise<void> {
    let prefetched: Promise<ClaimedDelivery[]> | undefined;
    while (this.running) {
      try {
        if (!this.leader && !(await this.becomeLeader())) {
          await this.sleep(2000);
          continue;
        }
        await this.housekeeping();
        // Claim about one second of sending at a time; while a full batch is being paced out the
        // next one is claimed, so the claim's own time never gaps the rate. Claimed rows are
        // not yet sent: at most two batches are in that window (opt-out race, crash duplicates).
        const limit = Math.min(this.batchSize, this.options.maxMps);
        const claimed = await (prefetched ?? claimDeliveries(this.dataSource, limit));
        prefetched = claimed.length === limit && this.running ? claimDeliveries(this.dataSource, limit) : undefined;
        // A failed prefetch is handled by the next iteration's await; never leave it unobserved.
        prefetched?.catch(() => undefined);
        if (claimed.length === 0) {
          await this.writer.flush();
          await finishMessages(this.dataSource);
          await this.sleep(this.idlePollMs);
          continue;
        }
        for (const delivery of claimed) {
          if (!this.running) {
            this.writer.retry({ id: delivery.id, delayMs: 0, code: null, title: null, countAttempt: false });
            continue;
          }
          // Pace here, before the request is started.
          const pairWait = this.pairs.waitFor(delivery.phone);
          if (pairWait > 0) {
            this.writer.retry({ id: delivery.id, delayMs: pairWait, code: null, title: null, countAttempt: false });
            continue;
          }
          await this.limiter.acquire();
          this.pairs.sent(delivery.phone);
          await this.slot();
          void this.sendOne(delivery).finally(() => this.release());
        }
      } catch (error) {
        // Database restart, network blip: drop leadership (its connection may be gone) and retry.
        prefetched = undefined;
        this.logger.warn({ err: error }, 'dispatcher loop error; retrying');
        await this.disconnect();
        await this.sleep(1000);
      }
    }
    // Stopping: a batch claimed ahead goes back to the queue at once, not after the stale timeout.
    for (const delivery of await (prefetched ?? Promise.resolve([])).catch(() => [])) {
      this.writer.retry({ id: delivery.id, delayMs: 0, code: null, title: null, countAttempt: false });
    }
  }

  private async sendOne(delivery: ClaimedDelivery): Promise<void> {
    try {
      const { id } = await this.sender.sendTemplate(delivery.phone, delivery.parameters.map((p) => sanitizeParameter(p)), { opaque: `delivery:${delivery.id}` });
      this.writer.sent({ id: delivery.id, waMessageId: id });
      this.options.onOutcome?.('sent');
    } catch (error) {
      try {
        await this.handleFailure(delivery, error);
      } catch (failure) {
        // The row stays 'sending' and is re-queued as stale: better late than lost or crashed.
        this.logger.error({ err: failure }, 'could not record a failed send');
      }
    }
  }

  private async handleFailure(delivery: ClaimedDelivery, error: unknown): Promise<void> {
    const e = error instanceof CloudApiError ? error : new CloudApiError(0, undefined, String((error as Error)?.message ?? error), 'retryable', 'message');
    if (e.kind === 'stop') {
      this.writer.retry({ id: delivery.id, delayMs: 0, code: e.code ?? null, title: e.title, countAttempt: false });
      if (await pauseMessage(this.dataSource, delivery.outageMessageId)) {
        this.logger.error({ outageMessage: delivery.outageMessageId, code: e.code }, 'broadcast paused by WhatsApp; staff must check the account');
        await this.options.onBroadcastPaused?.(delivery.outageMessageId, `WhatsApp ${e.code}: ${e.title}`);
      }
      return;
    }
    if (e.kind === 'permanent' || delivery.attempts >= this.maxAttempts) {
      this.writer.failed({ id: delivery.id, code: e.code ?? null, title: e.kind === 'permanent' ? e.title : `gave up after ${delivery.attempts} attempts: ${e.title}` });
      this.options.onOutcome?.('failed');
      this.logger.info({ to: maskPhone(delivery.phone), code: e.code }, 'delivery failed');
      return;
    }
    const backoff = Math.min(300_000, 1000 * 2 ** (delivery.attempts - 1)) * (0.5 + Math.random());
    if (e.scope === 'global') this.limiter.pause(e.retryAfterMs ?? Math.min(60_000, backoff));
    const delayMs = e.scope === 'recipient' ? Math.max(6000, e.retryAfterMs ?? 0) : Math.max(backoff, e.retryAfterMs ?? 0);
    this.writer.retry({ id: delivery.id, delayMs, code: e.code ?? null, title: e.title, countAttempt: true });
    this.options.onOutcome?.('retry');
  }

  /** Every few seconds: recover dead claims, cancel orphans, close finished notices. */
  private async housekeeping(): Promise<void> {
    if (Date.now() - this.lastHousekeeping < 5000) return;
    this.lastHousekeeping = Date.now();
    const requeued = await requeueStale(this.dataSource, this.staleMs);
    if (requeued > 0) this.logger.warn({ requeued }, 'deliveries of a stopped dispatcher re-queued');
    await cancelOrphans(this.dataSource);
    await this.writer.flush();
    await finishMessages(this.dataSource);
  }

  private async becomeLeader(): Promise<boolean> {
    const client = new Client({ connectionString: this.options.databaseUrl, application_name: 'storingsmelder-dispatcher' });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'dispatcher lost its database connection');
      this.leader = false;
    });
    try {
      await client.connect();
      const { rows } = await client.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [`storingsmelder-dispatcher:${this.options.phoneNumberId}`]);
      if (!rows[0].locked) {
        await client.end();
        return false;
      }
      await client.query(`LISTEN ${DELIVERY_READY_CHANNEL}`);
      client.on('notification', () => this.wake?.());
      this.client = client;
      this.leader = true;
      this.lastHousekeeping = 0;
      this.logger.info('this instance is now the dispatcher for the WhatsApp number');
      return true;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  private async disconnect(): Promise<void> {
    this.leader = false;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private slot(): Promise<void> {
    if (this.inFlight < this.maxInFlight) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.slotWaiters.push(() => {
      this.inFlight += 1;
      resolve();
    }));
  }

  private release(): void {
    this.inFlight -= 1;
    this.slotWaiters.shift()?.();
  }

  private async waitForIdle(): Promise<void> {
    while (this.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
