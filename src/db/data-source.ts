import 'reflect-metadata';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ENTITIES } from '../entities';
import { MIGRATIONS } from '../migrations';

export interface DataSourceSettings {
  url: string;
  /** Pool size per process. */
  poolSize?: number;
  applicationName?: string;
  /** Session time limits (SESSION_LIMITS); off only for the migrations, which may run long on a large table. */
  sessionLimits?: boolean;
}

/**
 * Every service session gives up instead of hanging: a statement after 60 s, a lock wait after
 * 15 s, and a transaction left idle (a crashed request's) after 60 s, so one stuck connection
 * cannot hold locks or pool slots for ever. The longest regular statement, the audience
 * snapshot of 100,000 subscribers, takes about 3 s.
 */
export const SESSION_LIMITS = '-c statement_timeout=60s -c lock_timeout=15s -c idle_in_transaction_session_timeout=60s';

export function dataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    uuidExtension: 'pgcrypto',
    synchronize: false,
    logging: false,
    poolSize: settings.poolSize ?? 20,
    applicationName: settings.applicationName ?? 'storingsmelder',
    extra: { connectionTimeoutMillis: 5000, ...(settings.sessionLimits === false ? {} : { options: SESSION_LIMITS }) },
  };
}

export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource(dataSourceOptions(settings));
}
