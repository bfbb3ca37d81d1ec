/** The retention tasks (R14, R5): recipient links and old personal data after RETENTION_DAYS daily, stale sign-ups hourly. */
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import type { Feature } from '../../feature';
import { registerTask, type Jobs } from '../../jobs';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import { forgetDanglingRecipients, forgetOldRecipients } from '../ledger/delivery-ledger';
import { forgetOldMessages, purgeStaleContacts } from './retention';

export interface PrivacyDependencies {
  config: Config;
  dataSource: DataSource;
  jobs: Jobs;
  logger: Logger;
  metrics: Metrics;
}

export function privacyFeature({ config, dataSource, jobs, logger, metrics }: PrivacyDependencies): Feature {
  const dangling = new Counter({ name: 'storingsmelder_dangling_recipients_total', help: 'Deliveries found still linked to a subscriber who is gone (forgotten then): an opt-out raced a snapshot without taking turns', registers: [metrics.registry] });
  const idKey = config.pseudonymKeys.current.secret;
  async function deliveryRetention(): Promise<void> {
    // Retention (R14) first: the safety net after it cannot hold it up.
    await forgetOldRecipients(dataSource, config.retentionDays, idKey);
    const found = await forgetDanglingRecipients(dataSource, idKey);
    if (found > 0) {
      dangling.inc(found);
      logger.error({ deliveries: found }, 'deliveries were still linked to subscribers who are gone (an instance older than migration 1766400000000 raced an opt-out); their recipients are forgotten now');
    }
  }
  return {
    name: 'privacy',
    routes: [],
    start: async () => {
      await registerTask(jobs, 'delivery-retention', '30 3 * * *', deliveryRetention, logger);
      await registerTask(jobs, 'message-retention', '40 3 * * *', () => forgetOldMessages(dataSource, config.retentionDays), logger);
      await registerTask(jobs, 'whatsapp-housekeeping', '17 * * * *', () => purgeStaleContacts(dataSource), logger);
    },
  };
}
