/** Mocha root hooks: one PostgreSQL for the whole run (see helpers/postgres.ts), and one temporary data folder (helpers/data-dir.ts). */
import { removeTestDataDir } from './helpers/data-dir';
import { startTestPostgres, stopTestPostgres } from './helpers/postgres';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(60_000);
    await startTestPostgres();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestPostgres();
    removeTestDataDir();
  },
};
