/** The whole service on a fresh test database, listening on a free port of 127.0.0.1. */
import { createApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { openDatabase, type Database } from '../../src/db/database';
import { testDataDir } from './data-dir';
import { memoryLogger } from './logger';
import { freshDatabase } from './postgres';

export interface TestService {
  app: App;
  database: Database;
  /** http://127.0.0.1:<port> */
  base: string;
}

export async function startService(env: Record<string, string> = {}): Promise<TestService> {
  const { logger } = memoryLogger();
  const database = await openDatabase({ url: await freshDatabase(), dataDir: testDataDir(), logger });
  const app = await createApp(loadConfig({ DATA_DIR: testDataDir(), ...env }), database, logger);
  return { app, database, base: `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}` };
}
