/**
 * What every part of the app gets (AppContext) and gives back (Feature): routes for the HTTP
 * server and optional start/stop for background work (jobs, the dispatcher). app.ts wires the
 * features; a feature never imports another feature's routes.
 */
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import type { Jobs } from './jobs';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import type { RouteDefinition } from './server';
import type { EmailService } from './services/email/feature';
import type { CloudApiClient } from './services/whatsapp/cloud-api-client';

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
}

export interface Feature {
  name: string;
  routes: RouteDefinition[];
  /** Called after the HTTP server listens: start workers, schedules, loops. */
  start?(): Promise<void>;
  /** Called on shutdown, before the database closes; must let in-flight work finish. */
  stop?(): Promise<void>;
}
