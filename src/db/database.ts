/**
 * Opens the database: DATABASE_URL when given, else the embedded PostgreSQL under the data
 * folder. Migrations run before anything else touches the schema.
 */
import path from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { createDataSource } from './data-source';
import { startEmbeddedPostgres } from './embedded-postgres';

export interface Database {
  dataSource: DataSource;
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
}

const EMBEDDED_DATABASE = 'storingsmelder';

export async function openDatabase(options: { url?: string; dataDir: string; logger: Logger; poolSize?: number }): Promise<Database> {
  let url = options.url;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    const started = Date.now();
    const wanted = path.resolve(options.dataDir, 'postgres');
    const server = await startEmbeddedPostgres({ dataDir: wanted });
    stopEmbedded = () => server.stop();
    if (server.dataDir !== wanted) {
      options.logger.info({ dataDir: server.dataDir }, `embedded PostgreSQL: ${wanted} is out of reach of the user "postgres" (a folder above it is closed to others), so its data lives in ${server.dataDir}`);
    }
    url = await ensureDatabase(server.url, EMBEDDED_DATABASE);
    options.logger.info({ port: server.port, ms: Date.now() - started }, 'embedded PostgreSQL is running');
  }
  const dataSource = createDataSource({ url, poolSize: options.poolSize });
  try {
    await dataSource.initialize();
  } catch (error) {
    await stopEmbedded?.();
    throw new DatabaseUnavailableError(`the database at ${describe(url)} cannot be reached (${(error as Error).message})`);
  }
  try {
    const ran = await withStartupLock(url, () => migrate(url));
    if (ran.length > 0) options.logger.info({ migrations: ran }, 'database migrated');
  } catch (error) {
    await dataSource.destroy();
    await stopEmbedded?.();
    throw error;
  }
  return {
    dataSource,
    url,
    embedded: stopEmbedded !== undefined,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await stopEmbedded?.();
    },
  };
}

/** Applies pending migrations on a connection of their own, without the service's time limits; returns their names. */
async function migrate(url: string): Promise<string[]> {
  const migrations = createDataSource({ url, poolSize: 1, sessionLimits: false, applicationName: 'storingsmelder-migrate' });
  await migrations.initialize();
  try {
    return (await migrations.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await migrations.destroy();
  }
}

/**
 * Serialises start-up work that changes the schema (our migrations, pg-boss's own) across
 * instances starting at the same moment: without it, the second one fails on "relation
 * already exists". A session advisory lock on a connection of its own, held for the work.
 */
export async function withStartupLock<T>(url: string, work: () => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'storingsmelder-startup' });
  await client.connect();
  try {
    // Another instance migrating a large table may take a while, but not forever.
    await client.query(`SET lock_timeout = '120s'`);
    await client.query('SELECT pg_advisory_lock(hashtext($1))', ['storingsmelder-startup']);
    return await work();
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates the database if it does not exist; returns the URL pointing at it. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  const target = new URL(serverUrl);
  target.pathname = `/${name}`;
  return target.toString();
}

/** host:port/database without credentials, for messages. */
export function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'the configured address';
  }
}
