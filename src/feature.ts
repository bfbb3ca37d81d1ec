/**
 * What every part of the app gives back to the composition root (Feature): routes for the HTTP
 * server and optional start/stop for background work (jobs, the dispatcher). Each feature
 * declares the few dependencies it uses, and app.ts hands it only those: the Teams bot, for
 * one, gets neither the database nor the WhatsApp client, not even by type.
 */
import type { RouteDefinition } from './server';

export interface Feature {
  name: string;
  routes: RouteDefinition[];
  /** Called after the HTTP server listens: start workers, schedules, loops. */
  start?(): Promise<void>;
  /** Called on shutdown, before the database closes; must let in-flight work finish. */
  stop?(): Promise<void>;
}
