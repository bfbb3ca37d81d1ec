/**
 * Background jobs (e-mail outbox, releasing held notices, retention purge) run on pg-boss in
 * the same Postgres: no other infrastructure. Features register their queues and workers.
 */
import PgBoss from 'pg-boss';
import type { Logger } from './logger';

export type Jobs = PgBoss;

export async function startJobs(url: string, logger: Logger): Promise<Jobs> {
  const boss = new PgBoss({ connectionString: url, schema: 'pgboss', max: 4, application_name: 'storingsmelder-jobs' });
  boss.on('error', (error: Error) => logger.error({ err: error }, 'background job error'));
  await boss.start();
  return boss;
}

export async function stopJobs(boss: Jobs): Promise<void> {
  await boss.stop({ graceful: true, close: true, timeout: 10_000, wait: true });
}
