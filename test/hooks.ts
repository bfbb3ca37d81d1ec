/** Mocha root hooks: one PostgreSQL for the whole run (see helpers/postgres.ts). */
import { startTestPostgres, stopTestPostgres } from './helpers/postgres';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(60_000);
    await startTestPostgres();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestPostgres();
  },
};
