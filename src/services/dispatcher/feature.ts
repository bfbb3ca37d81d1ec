import { Counter } from 'prom-client';
import type { AppContext, Feature } from '../../feature';
import { registerTask } from '../../jobs';
import { Dispatcher } from './dispatcher';
import { forgetOldRecipients } from './ledger-sql';

/** The broadcast dispatcher and the daily retention purge of recipient links (R14). */
export function dispatcherFeature(ctx: AppContext, hooks: { onBroadcastPaused?: (outageMessageId: string, reason: string) => void | Promise<void> } = {}): Feature {
  const sends = new Counter({ name: 'whatsapp_sends_total', help: 'Outage template sends by outcome', labelNames: ['outcome'], registers: [ctx.metrics.registry] });
  const dispatcher = new Dispatcher(ctx.dataSource, ctx.whatsapp, ctx.logger, {
    databaseUrl: ctx.databaseUrl,
    phoneNumberId: ctx.config.whatsapp.phoneNumberId,
    maxMps: ctx.config.whatsapp.maxMps,
    onBroadcastPaused: hooks.onBroadcastPaused,
    onOutcome: (outcome) => sends.inc({ outcome }),
  });
  return {
    name: 'dispatcher',
    routes: [],
    start: async () => {
      await registerTask(ctx.jobs, 'delivery-retention', '30 3 * * *', () => forgetOldRecipients(ctx.dataSource, ctx.config.retentionDays), ctx.logger);
      dispatcher.start();
    },
    stop: () => dispatcher.stop(),
  };
}
