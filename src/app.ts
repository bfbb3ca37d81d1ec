/**
 * Builds the running application from a validated config and an open database: metrics, jobs,
 * features, HTTP server. Used by the entry point and by tests, so both run the same wiring.
 */
import type { Server } from 'restify';
import type { DataSource } from 'typeorm';
import { teamsBotFeature } from './bots/feature';
import { tabSettings, teamsSettings, type Config } from './config';
import type { Database } from './db/database';
import type { Feature } from './feature';
import { systemClock, type Clock } from './lib/clock';
import { startJobs, stopJobs, type Jobs } from './jobs';
import type { Logger } from './logger';
import { managementFeature } from './management/feature';
import { createMetrics, type Metrics } from './metrics';
import { closeServer, createServer } from './server';
import { dispatcherFeature } from './services/dispatcher/feature';
import { createEmailService, type EmailService } from './services/email/feature';
import { readMailbox } from './services/email/mailbox';
import { privacyFeature } from './services/privacy/feature';
import { assertErasureLogWritable, databaseIdentity } from './services/privacy/erasure-log';
import { ErasureLogKeeper } from './services/privacy/erasure-log-keeper';
import { StaffDesk } from './services/staff-desk';
import { rolesOf } from './services/access/staff-roles';
import { noticesFeature } from './services/notices/feature';
import { loadStats, whatsappFigures } from './services/stats/stats';
import { AccountApi } from './channels/whatsapp/account-api';
import { CloudApiClient } from './channels/whatsapp/cloud-api-client';
import { whatsappFeature } from './channels/whatsapp/feature';

export type ServiceSelection = 'all' | 'teams' | 'whatsapp';

/** Everything the composition root has built; each feature is handed only the part it uses. */
export interface AppContext {
  config: Config;
  logger: Logger;
  dataSource: DataSource;
  /** The same database as a URL, for the few parts that need a connection of their own. */
  databaseUrl: string;
  jobs: Jobs;
  metrics: Metrics;
  /** WhatsApp Cloud API (or, in local mode, the built-in stand-in behind the same client). */
  whatsapp: CloudApiClient;
  email: EmailService;
  /** "Now" for whatever compares with the calendar (lib/clock.ts). */
  clock: Clock;
}

export interface App {
  server: Server;
  context: AppContext;
  features: Feature[];
  metrics: Metrics;
  jobs: Jobs;
  /** Starts the features' background work, then listens; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** Graceful: stop accepting, finish in-flight requests, stop features and jobs. The database stays open. */
  close(): Promise<void>;
}

export interface AppOptions {
  /** Mount /playground: only `npm run playground` asks for it. */
  playground?: boolean;
  /** The Teams client `npm run playground` started, linked from /playground. */
  teamsClientUrl?: string;
  /** Defaults to the system clock; tests fix it, so they hold on any day. */
  clock?: Clock;
}

export async function createApp(config: Config, database: Database, logger: Logger, services: ServiceSelection = 'all', options: AppOptions = {}): Promise<App> {
  // Both services erase (opt-outs, staff erasures): without a writable erasure log, no start (privacy/erasure-log.ts).
  assertErasureLogWritable(config);
  const metrics = createMetrics();
  const jobs = await startJobs(database.url, logger);
  // Meta's simulation is loaded only under the development commands' local switch, and only for a
  // WhatsApp side this process serves: a production process never holds its code.
  const local = config.purpose === 'local';
  const standIn = local && services !== 'teams' && config.whatsapp.localMode ? await (await import('./local/whatsapp-simulator')).startLocalWhatsApp(config, logger) : undefined;
  const playground = options.playground && standIn && services !== 'teams' ? await import('./playground/feature') : undefined;
  const whatsappBase = standIn?.url ?? config.whatsapp.baseUrl;
  const whatsapp = new CloudApiClient({ ...config.whatsapp, baseUrl: whatsappBase });
  const email = createEmailService({ config, dataSource: database.dataSource, jobs, logger });
  const dataSource = database.dataSource;
  const clock = options.clock ?? systemClock;
  // Before anything is written: a database restored later carries this identity, one made afresh gets its own (privacy/erasure-log.ts).
  await databaseIdentity(database.dataSource);
  const context: AppContext = { config, logger, dataSource, databaseUrl: database.url, jobs, metrics, whatsapp, email, clock };
  let boundPort = 0;
  const erasureLog = new ErasureLogKeeper({ config, dataSource, logger, metrics });

  const features: Feature[] = [
    { name: 'email', routes: [], start: () => email.start(), stop: () => email.stop() },
    { name: 'erasure-log', routes: [], start: async () => erasureLog.start(), stop: () => erasureLog.stop() },
    ...(services !== 'whatsapp'
      ? [
          teamsBotFeature({ config: teamsSettings(config), logger, staff: new StaffDesk(dataSource, config, email, clock) }),
          managementFeature({
            config: tabSettings(config),
            loadStats: async () => ({ ...(await loadStats(dataSource)), whatsapp: await whatsappFigures(dataSource, config, clock) }),
            isManager: async (aadObjectId) => (await rolesOf(dataSource, config.bot, aadObjectId)).manager,
          }),
        ]
      : []),
    ...(services !== 'teams'
      ? [
          whatsappFeature({ config, logger, dataSource, jobs, metrics, whatsapp, account: new AccountApi({ ...config.whatsapp, baseUrl: whatsappBase }), email }),
          dispatcherFeature({ config, logger, dataSource, databaseUrl: database.url, metrics, sender: whatsapp }),
          noticesFeature({ config, dataSource, jobs, logger, clock }),
          privacyFeature({ config, dataSource, jobs, logger, metrics }),
        ]
      : []),
    ...(standIn && playground?.playgroundAvailable(config)
      ? [playground.playgroundFeature({ config, logger, standIn, readMailbox: () => readMailbox(dataSource), serviceUrl: () => `http://127.0.0.1:${boundPort}`, teamsClientUrl: options.teamsClientUrl })]
      : []),
  ];
  // Without a token /metrics is open only under the development commands.
  const metricsAccess = config.metricsToken ? { token: config.metricsToken } : local ? 'open' : 'off';
  // Under the local switch a side may run without authentication: the whole service answers this computer only.
  const loopbackOnly = local;
  const server = createServer({ logger, metrics, dataSource: database.dataSource, routes: features.flatMap((f) => f.routes), metricsAccess, loopbackOnly, readiness: () => ({ erasureLog: erasureLog.health() }) });

  return {
    server,
    context,
    features,
    metrics,
    jobs,
    listen: async (port, host = config.host) => {
      // Background work first: once /healthz answers, the whole app is up.
      for (const feature of features) await feature.start?.();
      return new Promise<number>((resolve, reject) => {
        // restify re-emits the http server's errors on itself: without a listener there, a taken
        // port would be an uncaught exception instead of this rejection.
        server.once('error', reject);
        server.listen(port, host, () => {
          boundPort = (server.address() as { port: number }).port;
          resolve(boundPort);
        });
      });
    },
    close: async () => {
      await closeServer(server);
      for (const feature of [...features].reverse()) await feature.stop?.();
      await stopJobs(jobs);
      whatsapp.close();
      await standIn?.stop();
    },
  };
}
