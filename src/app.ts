/**
 * Builds the running application from a validated config and an open database: metrics, jobs,
 * routes, HTTP server. Used by the entry point and by tests, so both run the same wiring.
 */
import type { Server } from 'restify';
import type { Config } from './config';
import type { Database } from './db/database';
import { startJobs, stopJobs, type Jobs } from './jobs';
import type { Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { closeServer, createServer, notImplemented, type RouteDefinition } from './server';

export type ServiceSelection = 'all' | 'teams' | 'whatsapp';

export interface App {
  server: Server;
  metrics: Metrics;
  jobs: Jobs;
  /** Starts listening; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** Graceful: stop accepting, finish in-flight requests, stop jobs. The database stays open. */
  close(): Promise<void>;
}

export async function createApp(config: Config, database: Database, logger: Logger, services: ServiceSelection = 'all'): Promise<App> {
  const metrics = createMetrics();
  const jobs = await startJobs(database.url, logger);

  const teams: RouteDefinition[] = [
    notImplemented('post', '/api/messages'),
    notImplemented('get', '/tab'),
    notImplemented('get', '/api/stats'),
  ];
  const whatsapp: RouteDefinition[] = [notImplemented('get', '/webhooks/whatsapp'), notImplemented('post', '/webhooks/whatsapp')];
  const routes = [...(services !== 'whatsapp' ? teams : []), ...(services !== 'teams' ? whatsapp : [])];

  const server = createServer({ logger, metrics, dataSource: database.dataSource, routes });
  return {
    server,
    metrics,
    jobs,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as { port: number }).port));
      }),
    close: async () => {
      await closeServer(server);
      await stopJobs(jobs);
    },
  };
}
