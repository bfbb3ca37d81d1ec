/**
 * Keeps the erasure log whole (erasure-log.ts), in every process that erases (WhatsApp opt-outs,
 * staff erasures). A failed append is an ERROR at once, with a metric; every 10 s the lines the
 * log lacks are appended from the database (where each erasure keeps its line until the log has
 * it), and the log is compared with the database: lines waiting and lines lost are gauges, an
 * ERROR when they appear, and part of /healthz's answer. The erasure itself never waits for the
 * log: the database is the first record.
 */
import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import { appendPendingLines, erasureLogFailures, erasureLogPath, ErasureLogWriteError, logGaps, probeErasureLog } from './erasure-log';

const TURN_MS = 10_000;
/** A log that stays unwritable is said again at most this often (each opt-out's failure is said at once). */
const REPEAT_MS = 60_000;

export type ErasureLogHealth = 'ok' | 'unwritable' | 'behind' | 'lost';

export interface ErasureLogKeeperDependencies {
  config: Config;
  dataSource: DataSource;
  logger: Logger;
  metrics: Metrics;
}

export class ErasureLogKeeper {
  private timer?: NodeJS.Timeout;
  private turning?: Promise<void>;
  private unwritable = false;
  private lastRepeat = 0;
  private gaps = { pending: 0, lost: 0 };
  private readonly file: string;
  private readonly failures: Counter;
  private readonly pendingGauge: Gauge;
  private readonly lostGauge: Gauge;
  private readonly onFailure = (error: ErasureLogWriteError) => this.failed(error, true);

  constructor(private readonly deps: ErasureLogKeeperDependencies) {
    this.file = erasureLogPath(deps.config);
    const registers = [deps.metrics.registry];
    this.failures = new Counter({ name: 'storingsmelder_erasure_log_write_failures_total', help: 'Appends to the erasure log that failed (the erasure stands; its line waits in the database)', registers });
    this.pendingGauge = new Gauge({ name: 'storingsmelder_erasure_log_pending_lines', help: 'Erasures whose line the erasure log does not have yet', registers });
    this.lostGauge = new Gauge({ name: 'storingsmelder_erasure_log_lost_lines', help: 'Erasures the database logged that the erasure log does not hold', registers });
  }

  start(): void {
    erasureLogFailures.on('failed', this.onFailure);
    this.timer = setInterval(() => void this.turn(), TURN_MS);
    this.timer.unref();
    void this.turn();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    erasureLogFailures.off('failed', this.onFailure);
    await this.turning;
  }

  /** For /healthz: the worst of unwritable, lost, behind. */
  health(): ErasureLogHealth {
    if (this.unwritable) return 'unwritable';
    if (this.gaps.lost > 0) return 'lost';
    if (this.gaps.pending > 0) return 'behind';
    return 'ok';
  }

  /** One pass: append what waits, then compare the log with the database. */
  turn(): Promise<void> {
    this.turning ??= this.pass().finally(() => (this.turning = undefined));
    return this.turning;
  }

  private async pass(): Promise<void> {
    const { config, dataSource, logger } = this.deps;
    if (!dataSource.isInitialized) return;
    try {
      probeErasureLog(config);
    } catch (error) {
      if (!(error instanceof ErasureLogWriteError)) throw error;
      this.unwritable = true;
      if (Date.now() - this.lastRepeat >= REPEAT_MS) {
        this.lastRepeat = Date.now();
        logger.error({ file: error.file, code: error.code }, 'erasure log cannot be written: erasures keep their lines in the database until it can');
      }
      return;
    }
    try {
      // After a failure every waiting line is tried at once: only a real append says the log is writable again
      // (opening it proves little on a full disk). Otherwise lines a few seconds old, which their own erasure may still be appending.
      const appended = await appendPendingLines(dataSource, config, this.unwritable ? 0 : 5);
      if (appended > 0) logger.warn({ file: this.file, appended }, 'erasure log: lines that had waited in the database are appended');
      if (this.unwritable) logger.warn({ file: this.file }, 'erasure log: writable again');
      this.unwritable = false;
      const gaps = await logGaps(dataSource, config);
      if (gaps.lost > this.gaps.lost) {
        logger.error({ file: this.file, lost: gaps.lost }, 'erasure log: it lacks erasures the database logged (replaced, cut short, or not the log every instance shares): a restore would not see them; put it back from its backup');
      }
      this.gaps = gaps;
      this.pendingGauge.set(gaps.pending);
      this.lostGauge.set(gaps.lost);
    } catch (error) {
      if (error instanceof ErasureLogWriteError) this.failed(error, false);
      else logger.warn({ err: error }, 'erasure log: not compared with the database this turn (the next one tries again)');
    }
  }

  /** A failed append: an ERROR (each erasure's at once; the keeper's retries once a minute) and the metric. */
  private failed(error: ErasureLogWriteError, erasure: boolean): void {
    this.failures.inc();
    this.unwritable = true;
    if (!erasure && Date.now() - this.lastRepeat < REPEAT_MS) return;
    this.lastRepeat = Date.now();
    this.deps.logger.error(
      { file: error.file, code: error.code },
      'erasure log not written: the erasure stands and its line waits in the database, appended as soon as the log can be written; until then a restore would not see it',
    );
  }
}
