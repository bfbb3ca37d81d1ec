/**
 * Background jobs (e-mail outbox, releasing held notices, retention purge) run on pg-boss in
 * the same Postgres: no other infrastructure. Features register their queues and workers.
 */
import PgBoss from 'pg-boss';
import { withStartupLock } from './db/database';
import type { Logger } from './logger';

export type Jobs = PgBoss;

/** The database of each job runner, for the start-up lock around schema changes. */
const databases = new WeakMap<Jobs, string>();

export async function startJobs(url: string, logger: Logger): Promise<Jobs> {
  const boss = new PgBoss({ connectionString: url, schema: 'pgboss', max: 4, application_name: 'storingsmelder-jobs' });
  databases.set(boss, url);
  boss.on('error', (error: Error) => logger.error({ err: error }, 'background job error'));
  // pg-boss creates its schema on first start; two instances starting together must not both try.
  await withStartupLock(url, () => boss.start());
  return boss;
}

export async function stopJobs(boss: Jobs): Promise<void> {
  await boss.stop({ graceful: true, close: true, timeout: 10_000, wait: true });
}

/**
 * A named background task triggered on demand (trigger()) and by a cron backstop. The queue
 * is "stately": at most one run queued and one active across all instances, so a burst of
 * triggers costs one run.
 */
export interface BackgroundTask {
  trigger(): Promise<void>;
}

export async function registerTask(boss: Jobs, name: string, cron: string, run: () => Promise<unknown>, logger: Logger): Promise<BackgroundTask> {
  // Creating a queue creates its table: two instances doing it at once deadlock in pg-boss.
  const create = () => boss.createQueue(name, { name, policy: 'stately', retryLimit: 3, retryDelay: 5, retryBackoff: true });
  const url = databases.get(boss);
  if (!url) throw new Error(`background task ${name}: the job runner was not started with startJobs()`);
  await withStartupLock(url, create);
  await boss.work(name, { pollingIntervalSeconds: 0.5 }, async () => {
    await run();
  });
  await boss.schedule(name, cron, {}, { tz: 'Europe/Amsterdam' });
  return {
    trigger: async () => {
      try {
        await boss.send(name, {});
      } catch (error) {
        // The cron backstop will run it; the work itself is safe in Postgres.
        logger.warn({ err: error, task: name }, 'could not trigger background task');
      }
    },
  };
}
