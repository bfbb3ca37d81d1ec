/**
 * R12: notices held outside business hours are released when the window opens, checked every
 * minute. Registered wherever the dispatcher runs (`all` and `whatsapp`), so a process that
 * sends also releases; pg-boss runs each tick once across instances.
 */
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import type { Clock } from '../../lib/clock';
import type { Feature } from '../../feature';
import { registerTask, type Jobs } from '../../jobs';
import type { Logger } from '../../logger';
import { Outages } from './outages';

export interface NoticesDependencies {
  config: Config;
  dataSource: DataSource;
  jobs: Jobs;
  logger: Logger;
  clock: Clock;
}

export function noticesFeature({ config, dataSource, jobs, logger, clock }: NoticesDependencies): Feature {
  const outages = new Outages(dataSource, config, clock);
  return {
    name: 'notices',
    routes: [],
    start: async () => {
      await registerTask(jobs, 'release-held-notices', '* * * * *', () => outages.releaseDue(), logger);
    },
  };
}
