/**
 * Builds the running application from a validated config and an open database: metrics, jobs,
 * features, HTTP server. Used by the entry point and by tests, so both run the same wiring.
 */
import type { Server } from 'restify';
import { teamsBotFeature } from './bots/feature';
import type { Config } from './config';
import type { Database } from './db/database';
import type { AppContext, Feature } from './feature';
import { startJobs, stopJobs, type Jobs } from './jobs';
import type { Logger } from './logger';
import { managementFeature } from './management/feature';
import { createMetrics, type Metrics } from './metrics';
import { closeServer, createServer } from './server';
import { dispatcherFeature } from './services/dispatcher/feature';
import { whatsappFeature } from './services/whatsapp/feature';

export type ServiceSelection = 'all' | 'teams' | 'whatsapp';

export interface App {
  server: Server;
  context: AppContext;
  features: Feature[];
  metrics: Metrics;
  jobs: Jobs;
  /** Starts listening, then starts the features' background work; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** Graceful: stop accepting, finish in-flight requests, stop features and jobs. The database stays open. */
  close(): Promise<void>;
}

export async function createApp(config: Config, database: Database, logger: Logger, services: ServiceSelection = 'all'): Promise<App> {
  const metrics = createMetrics();
  const jobs = await startJobs(database.url, logger);
  const context: AppContext = { config, logger, dataSource: database.dataSource, jobs, metrics };

  const features: Feature[] = [
    ...(services !== 'whatsapp' ? [teamsBotFeature(context), managementFeature(context)] : []),
    ...(services !== 'teams' ? [whatsappFeature(context), dispatcherFeature(context)] : []),
  ];
  const server = createServer({ logger, metrics, dataSource: database.dataSource, routes: features.flatMap((f) => f.routes) });

  return {
    server,
    context,
    features,
    metrics,
    jobs,
    listen: async (port, host) => {
      const bound = await new Promise<number>((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as { port: number }).port));
      });
      for (const feature of features) await feature.start?.();
      return bound;
    },
    close: async () => {
      await closeServer(server);
      for (const feature of [...features].reverse()) await feature.stop?.();
      await stopJobs(jobs);
    },
  };
}
