/**
 * The broadcast dispatcher. One per WhatsApp sender number across all instances: it holds a
 * Postgres advisory lock on a dedicated connection (if that instance dies, the lock goes with
 * its connection and another instance takes over within seconds). It claims due deliveries
 * with SKIP LOCKED, sends the template within the rate limit with many requests in flight,
 * and records the outcomes in batches. Nothing lives only in memory: a crash leaves rows in
 * 'sending' under its token, which the next leader re-queues once they are staleMs old.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { withDeadlockRetry } from '../../db/retry';
import type { Logger } from '../../logger';
import { maskAddress } from '../../lib/mask';
import { sanitizeParameter, templateRoleOf } from '../notices/notice-template';
import type { SendFailure, TemplateSender } from './sender';
import { BatchClaimer } from './batch-claimer';
import { asSendFailure, decideOnFailure } from './failure-policy';
import { InFlightSlots } from './in-flight';
import { LeaderLock } from './leader-lock';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_IN_FLIGHT } from './limits';
import { cancelOrphans, noticeHasGoneOut, requeueStale, type ClaimedDelivery } from '../ledger/delivery-ledger';
import { claimReplies, replyDropped, replyRetry, replySent, requeueStaleReplies, type ClaimedReply } from '../ledger/reply-outbox';
import { finishMessages, pauseAllSending, pauseNotice } from '../notices/notice-lifecycle';
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
  /** Another dispatcher's claim older than this was left behind (longer than a send can take). */
  staleMs?: number;
  /** Poll interval when no notification arrives. */
  idlePollMs?: number;
  pairGapMs?: number;
  onOutcome?: (outcome: 'sent' | 'retry' | 'failed') => void;
  /** Told when this instance becomes, or stops being, the dispatcher for the number. */
  onLeadership?: (leader: boolean) => void;
  /** After a database restore: how many opt-outs since the backup wait to be applied again (no notice goes out meanwhile). */
  restoreGuard?: { check(db: DataSource): Promise<{ missing: number; foreign: number }>; detected(missing: number): string; foreign(count: number): string };
  /** The key of message id hashes: a recipient erased mid-send keeps no raw id (lib/message-id-hash.ts). */
  messageIdKey?: string;
}

/** Our own claims are ours to finish; one this old could not have its outcome written. */
const OWN_STALE_MS = 5 * 60_000;
/** Outcomes waiting to be written before the dispatcher stops starting sends (a few seconds at 1,000/s). */
const MAX_UNWRITTEN_OUTCOMES = 5000;
/** Replies claimed per turn of the loop (before each batch of deliveries). */
const REPLY_BATCH = 50;

export class Dispatcher {
  private readonly limiter: RateLimiter;
  private readonly pairs: PairLimiter;
  private readonly writer: ResultWriter;
  private readonly slots: InFlightSlots;
  private readonly claimer: BatchClaimer;
  private readonly maxAttempts: number;
  private readonly staleMs: number;
  private readonly idlePollMs: number;
  private readonly lock: LeaderLock;
  private leader = false;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lastHousekeeping = 0;
  /** Replies were announced (NOTIFY) since the last look for them; a look is also made once every idlePollMs (retries come due unannounced). */
  private repliesAnnounced = true;
  private lastReplyLook = 0;
  private erasureWarningAt = 0;
  /** Notices of which WhatsApp accepted a message in this process (a few a day: never trimmed). */
  private readonly goneOut = new Set<string>();
  /** How many lines of another database's the erasure log held when it was last said. */
  private foreignSaid = 0;
  /**
   * Marks the claims of this leadership term in the ledger. A new term (after a lost database
   * connection, say) gets a new token, so the claims the old term left are recovered as any
   * other dispatcher's would be.
   */
  private token = randomUUID();

  constructor(
    private readonly dataSource: DataSource,
    private readonly sender: TemplateSender,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions,
  ) {
    this.limiter = new RateLimiter(options.maxMps);
    this.pairs = new PairLimiter(options.pairGapMs ?? 6000);
    this.writer = new ResultWriter(dataSource, logger, undefined, undefined, options.messageIdKey);
    this.slots = new InFlightSlots(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    // At most one second of sending per claim.
    this.claimer = new BatchClaimer(dataSource, Math.min(options.batchSize ?? DEFAULT_BATCH_SIZE, options.maxMps));
    this.maxAttempts = options.maxAttempts ?? 8;
    // The client's request timeout (10 s) and a margin: by then a dead leader's sends are over.
    this.staleMs = options.staleMs ?? 15_000;
    this.idlePollMs = options.idlePollMs ?? 1000;
    this.lock = new LeaderLock(options.databaseUrl, options.phoneNumberId, logger, {
      onLost: () => this.setLeader(false),
      onDeliveriesReady: () => {
        this.repliesAnnounced = true;
        this.claimer.rescanFromFront();
        this.wake?.();
      },
    });
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
    await this.slots.idle();
    await this.writer.flush();
    await this.disconnect();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (!this.leader && !(await this.becomeLeader())) {
          await this.sleep(2000);
          continue;
        }
        // Recovery and closing run beside the batch's pacing, and are awaited at the end of the
        // turn: awaited before it, their round trips were gaps in the send rate (0.2 s in 100 s).
        // Should they fail (the lock's connection does not answer), leadership ends at once: the
        // batch's sends not yet started are handed back, as the check before each send says.
        const chores = this.housekeeping().catch((error: unknown) => {
          this.setLeader(false);
          throw error;
        });
        const [turn, housekeeping] = await Promise.allSettled([this.sendTurn(), chores]);
        if (turn.status === 'rejected' && housekeeping.status === 'rejected') this.logger.warn({ err: housekeeping.reason }, 'dispatcher housekeeping error');
        if (turn.status === 'rejected') throw turn.reason;
        if (housekeeping.status === 'rejected') throw housekeeping.reason;
      } catch (error) {
        // Database restart, network blip: drop leadership (its connection may be gone) and retry.
        this.claimer.reset();
        this.logger.warn({ err: error }, 'dispatcher loop error; retrying');
        await this.disconnect();
        await this.sleep(1000);
      }
    }
    // Stopping: a batch claimed ahead goes back to the queue at once, not after the stale timeout.
    for (const delivery of await this.claimer.takeAhead()) this.handBack(delivery);
  }

  /** One turn of the loop: due replies, then one batch of deliveries paced out (or, with none due, closing what is done). */
  private async sendTurn(): Promise<void> {
    await this.sendDueReplies();
    if (await this.waitingForErasures()) return;
    const claimed = await this.claimer.next(this.token, this.running);
    if (claimed.length === 0) {
      // Nothing to send: close what is done. Deliveries of subscribers who left meanwhile are
      // never claimed (the claim joins active subscribers); cancelling them lets the notice finish.
      await this.writer.flush();
      await withDeadlockRetry(() => cancelOrphans(this.dataSource));
      await withDeadlockRetry(() => finishMessages(this.dataSource));
      await this.sleep(this.idlePollMs);
      return;
    }
    for (const delivery of claimed) {
      // Bounded: when outcomes are written slower than sends come back, wait for the ledger.
      await this.writer.caughtUp(MAX_UNWRITTEN_OUTCOMES);
      // Pace here, before the request is started.
      const pairWait = this.pairs.waitFor(delivery.address);
      if (pairWait > 0) {
        this.handBack(delivery, pairWait);
        continue;
      }
      // A free slot first, then the rate: the send starts the moment the limiter allows it.
      await this.slots.acquire();
      await this.limiter.acquire();
      // Stopping, or the lock was lost while waiting: the rest of the batch is not ours to send.
      if (!this.running || !this.leader) {
        this.slots.release();
        this.handBack(delivery);
        continue;
      }
      this.pairs.sent(delivery.address);
      void this.sendOne(delivery).finally(() => this.slots.release());
    }
  }

  /** Whether WhatsApp accepted a message of this notice: seen by this process, or recorded by any. */
  private async hasGoneOut(outageMessageId: string): Promise<boolean> {
    if (this.goneOut.has(outageMessageId)) return true;
    return noticeHasGoneOut(this.dataSource, outageMessageId);
  }

  /** Not sent: back to the queue (due after delayMs), without counting an attempt. */
  private handBack(delivery: ClaimedDelivery, delayMs = 0, error?: SendFailure): void {
    this.writer.retry({ id: delivery.id, claimedBy: delivery.claimedBy, delayMs, code: error?.code ?? null, title: error?.title ?? null, countAttempt: false });
  }

  private async sendOne(delivery: ClaimedDelivery): Promise<void> {
    try {
      const { id } = await this.sender.sendTemplate(delivery.address, delivery.parameters.map((p) => sanitizeParameter(p)), { opaque: `delivery:${delivery.id}` });
      this.writer.sent({ id: delivery.id, waMessageId: id });
      this.goneOut.add(delivery.outageMessageId);
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

  /** After a restore, people who opted out since the backup are back in the database: no notice goes out until they are erased again. */
  private async waitingForErasures(): Promise<boolean> {
    const guard = this.options.restoreGuard;
    if (!guard) return false;
    const { missing, foreign } = await guard.check(this.dataSource);
    if (foreign !== this.foreignSaid) {
      this.foreignSaid = foreign;
      if (foreign > 0) this.logger.warn({ erasures: foreign }, guard.foreign(foreign));
    }
    if (missing === 0) {
      this.erasureWarningAt = 0;
      return false;
    }
    if (Date.now() - this.erasureWarningAt > 60_000) {
      this.erasureWarningAt = Date.now();
      this.logger.error({ erasures: missing }, guard.detected(missing));
    }
    await this.sleep(this.idlePollMs);
    return true;
  }

  /**
   * The conversation's replies (ledger/reply-outbox.ts) go first: a person is waiting for each.
   * They take the same global rate limit and in-flight slots as notices, and count for the
   * pair limit (a notice right after a reply waits), but do not wait for it themselves: each
   * answers a message the person just sent, and spacing a sign-up dialogue 6 s apart would
   * make it crawl (R10 already bounds what goes to someone who did not ask).
   */
  private async sendDueReplies(): Promise<void> {
    // Looking costs a round trip before every batch, a gap in the send rate: only when replies
    // were announced (the webhook notifies) or once every idlePollMs, for retries that came due.
    if (!this.repliesAnnounced && Date.now() - this.lastReplyLook < this.idlePollMs) return;
    // Cleared before the look: an announcement that arrives during it is looked for next turn.
    this.repliesAnnounced = false;
    this.lastReplyLook = Date.now();
    const replies = await withDeadlockRetry(() => claimReplies(this.dataSource, REPLY_BATCH, this.token));
    if (replies.length === REPLY_BATCH) this.repliesAnnounced = true;
    for (const reply of replies) {
      await this.slots.acquire();
      await this.limiter.acquire();
      if (!this.running || !this.leader) {
        this.slots.release();
        await replyRetry(this.dataSource, reply, 0, false);
        continue;
      }
      this.pairs.sent(reply.address);
      void this.sendReply(reply).finally(() => this.slots.release());
    }
  }

  private async sendReply(reply: ClaimedReply): Promise<void> {
    try {
      try {
        await this.sender.sendText(reply.address, reply.text);
      } catch (error) {
        const e = asSendFailure(error);
        const decision = decideOnFailure(e, reply.attempts, this.maxAttempts);
        if (decision.action === 'fail') {
          await replyDropped(this.dataSource, reply);
          this.logger.warn({ to: maskAddress(reply.address), code: e.code }, 'reply not sent');
        } else {
          // A stop (the account, the number) holds the reply until it is fixed, checked every minute.
          await replyRetry(this.dataSource, reply, decision.action === 'retry' ? decision.delayMs : 60_000, decision.action === 'retry');
        }
        return;
      }
      await replySent(this.dataSource, reply);
    } catch (failure) {
      // The row stays 'sending' and is queued again when stale.
      this.logger.error({ err: failure }, 'could not record a reply outcome');
    }
  }

  private async handleFailure(delivery: ClaimedDelivery, error: unknown): Promise<void> {
    const e = asSendFailure(error);
    const decision = decideOnFailure(e, delivery.attempts, this.maxAttempts);
    if (decision.action === 'pause') {
      // Not this recipient's fault: every broadcast waits for staff, and the row goes back to the
      // queue uncounted. The pause first: once a row is back, its pause is committed, so a resume
      // that follows can never be undone by this failure's pause arriving late.
      if (e.scope === 'notice') {
        if (await pauseNotice(this.dataSource, delivery.outageMessageId, { scope: 'notice', code: e.code ?? null })) {
          this.logger.error({ outageMessage: delivery.outageMessageId, code: e.code }, "notice paused: Meta refused its text; the other notices go on");
        }
      } else {
        const scope = e.scope === 'number' || e.scope === 'template' ? e.scope : 'account';
        // A template's refusal pauses only the notices sent with that template (the notice's, or the resolution's).
        const paused = await pauseAllSending(this.dataSource, { scope, code: e.code ?? null }, scope === 'template' ? templateRoleOf(delivery.parameters) : undefined);
        if (paused.length > 0) this.logger.error({ notices: paused.length, scope, code: e.code }, 'broadcasts paused: Meta refused the account, number or template; staff must fix it and resume');
      }
      this.handBack(delivery, 0, e);
    } else if (decision.action === 'fail' && e.scope === 'request' && !(await this.hasGoneOut(delivery.outageMessageId))) {
      // Meta called the request invalid and nothing of this notice went out: the same request
      // would fail everyone, so the notice waits for staff and nobody is marked failed.
      if (await pauseNotice(this.dataSource, delivery.outageMessageId, { scope: 'notice', code: e.code ?? null })) {
        this.logger.error({ outageMessage: delivery.outageMessageId, code: e.code, detail: e.title }, 'notice paused: Meta called its first messages invalid; the other notices go on');
      }
      this.handBack(delivery, 0, e);
    } else if (decision.action === 'fail') {
      this.writer.failed({ id: delivery.id, claimedBy: delivery.claimedBy, code: e.code ?? null, title: decision.title });
      this.options.onOutcome?.('failed');
      this.logger.info({ to: maskAddress(delivery.address), code: e.code }, 'delivery failed');
    } else {
      if (decision.pauseAllMs !== undefined) this.limiter.pause(decision.pauseAllMs);
      this.writer.retry({ id: delivery.id, claimedBy: delivery.claimedBy, delayMs: decision.delayMs, code: e.code ?? null, title: e.title, countAttempt: true });
      this.options.onOutcome?.('retry');
    }
  }

  /**
   * Every few seconds, also while sending: recover what a dead dispatcher had claimed and close
   * finished notices (both cheap: partial indexes). Cancelling orphans waits until there is
   * nothing to send (the idle branch): it scans the queue, and mid-broadcast that cost sends
   * (65 ms, up to 274 ms, every 5 s at 100,000 queued).
   */
  private async housekeeping(): Promise<void> {
    if (Date.now() - this.lastHousekeeping < 5000) return;
    this.lastHousekeeping = Date.now();
    // The lock's connection answers (a half-open one would otherwise go unnoticed): if not, the
    // loop's error path gives up leadership.
    await this.lock.check();
    const requeued = await withDeadlockRetry(() => requeueStale(this.dataSource, this.token, this.staleMs, OWN_STALE_MS));
    const repliesBack = await withDeadlockRetry(() => requeueStaleReplies(this.dataSource, this.token, this.staleMs, OWN_STALE_MS));
    if (repliesBack > 0) this.logger.warn({ replies: repliesBack }, 'replies of a stopped dispatcher queued again');
    if (requeued > 0) {
      this.logger.warn({ requeued }, 'deliveries of a stopped dispatcher re-queued');
      // They may lie before the claim's cursor (the first claim of a term runs beside this).
      this.claimer.rescanFromFront();
    }
    await withDeadlockRetry(() => finishMessages(this.dataSource));
  }

  private async becomeLeader(): Promise<boolean> {
    // A previous term's sends still in flight and outcomes still buffered are written first:
    // its claims count as another dispatcher's to the new term, and would be re-queued once stale.
    await this.slots.idle();
    await this.writer.flush();
    if (!(await this.lock.tryAcquire())) return false;
    this.token = randomUUID();
    this.setLeader(true);
    this.lastHousekeeping = 0;
    this.repliesAnnounced = true;
    this.logger.info('this instance is now the dispatcher for the WhatsApp number');
    return true;
  }

  private setLeader(leader: boolean): void {
    if (this.leader === leader) return;
    // Losing the lock: forget the batch claimed ahead. Its rows stay 'sending' under this term's
    // token and go back to the queue as stale claims; sending them later would send them twice.
    if (!leader) this.claimer.reset();
    this.leader = leader;
    this.options.onLeadership?.(leader);
  }

  private async disconnect(): Promise<void> {
    this.setLeader(false);
    await this.lock.release();
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
}
