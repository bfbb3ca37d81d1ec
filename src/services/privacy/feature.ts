/** The retention tasks (R14, R5): recipient links and old personal data after RETENTION_DAYS daily, stale sign-ups hourly. */
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import type { Feature } from '../../feature';
import { registerTask, type Jobs } from '../../jobs';
import type { Logger } from '../../logger';
import { forgetOldRecipients } from '../ledger/delivery-ledger';
import { forgetOldMessages, purgeStaleContacts } from './retention';

export interface PrivacyDependencies {
  config: Config;
  dataSource: DataSource;
  jobs: Jobs;
  logger: Logger;
}

export function privacyFeature({ config, dataSource, jobs, logger }: PrivacyDependencies): Feature {
  return {
    name: 'privacy',
    routes: [],
    start: async () => {
      await registerTask(jobs, 'delivery-retention', '30 3 * * *', () => forgetOldRecipients(dataSource, config.retentionDays, config.pseudonymKeys.current.secret), logger);
      await registerTask(jobs, 'message-retention', '40 3 * * *', () => forgetOldMessages(dataSource, config.retentionDays), logger);
      await registerTask(jobs, 'whatsapp-housekeeping', '17 * * * *', () => purgeStaleContacts(dataSource), logger);
    },
  };
}
