import { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import type { Feature } from '../../feature';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import type { TemplateSender } from './sender';
import { Dispatcher } from './dispatcher';
import { RestoreGuard } from '../privacy/erasure-log';

export interface DispatcherDependencies {
  config: Config;
  logger: Logger;
  dataSource: DataSource;
  /** The dispatcher holds its leader lock on a connection of its own. */
  databaseUrl: string;
  metrics: Metrics;
  sender: TemplateSender;
}

/** The broadcast dispatcher as a feature: started after the server listens, drained on stop. */
export function dispatcherFeature(deps: DispatcherDependencies): Feature {
  const sends = new Counter({ name: 'whatsapp_sends_total', help: 'Outage template sends by outcome', labelNames: ['outcome'], registers: [deps.metrics.registry] });
  // Which instance sends right now (1 on exactly one of them while all is well).
  const leader = new Gauge({ name: 'storingsmelder_dispatcher_leader', help: '1 while this instance is the dispatcher for the WhatsApp number', registers: [deps.metrics.registry] });
  const dispatcher = new Dispatcher(deps.dataSource, deps.sender, deps.logger, {
    databaseUrl: deps.databaseUrl,
    phoneNumberId: deps.config.whatsapp.phoneNumberId,
    maxMps: deps.config.whatsapp.maxMps,
    onOutcome: (outcome) => sends.inc({ outcome }),
    onLeadership: (isLeader) => leader.set(isLeader ? 1 : 0),
    restoreGuard: new RestoreGuard(deps.config),
    messageIdKey: deps.config.pseudonymKeys.current.secret,
  });
  return {
    name: 'dispatcher',
    routes: [],
    start: async () => dispatcher.start(),
    stop: () => dispatcher.stop(),
  };
}
