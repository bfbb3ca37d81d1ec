/** The whole service on a fresh test database, listening on a free port of 127.0.0.1. */
import { createApp, type App } from '../../src/app';
import type { Clock } from '../../src/lib/clock';
import { loadConfig, type ConfigPurpose } from '../../src/config';
import { openDatabase, type Database } from '../../src/db/database';
import { testDataDir, testErasureLog } from './data-dir';
import { memoryLogger } from './logger';
import { freshDatabase } from './postgres';

export interface TestService {
  app: App;
  database: Database;
  /** http://127.0.0.1:<port> */
  base: string;
  /** The service's log, as JSON lines. */
  lines: string[];
}

export interface ServiceOptions {
  /** How the configuration is loaded: the development commands' local switch unless said otherwise. */
  purpose?: ConfigPurpose;
  /** Mount /playground, as `npm run playground` does. */
  playground?: boolean;
  /** The app's clock: the system's unless a test fixes it. */
  clock?: Clock;
}

export async function startService(env: Record<string, string> = {}, options: ServiceOptions = {}): Promise<TestService> {
  const { logger, lines } = memoryLogger();
  const database = await openDatabase({ url: await freshDatabase(), dataDir: testDataDir(), logger });
  const config = loadConfig({ ERASURE_LOG: testErasureLog(), DATA_DIR: testDataDir(), ...env }, { purpose: options.purpose ?? 'local' });
  const app = await createApp(config, database, logger, 'all', { playground: options.playground, clock: options.clock });
  return { app, database, base: `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`, lines };
}
