/**
 * /storingen costs a fixed number of queries whatever the number of open outages (issue 25):
 * it was about 7 per outage (up to 25 outages).
 */
import { expect } from 'chai';
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import { loadConfig } from '../../src/config';
import { dataSourceOptions } from '../../src/db/data-source';
import { OutageMessageKind, OutageScope, OutageService, OutageSeverity } from '../../src/entities';
import { fixedClock } from '../../src/lib/clock';
import { Outages } from '../../src/services/notices/outages';
import { StaffDesk } from '../../src/services/staff-desk';
import { seedSubscribers } from '../helpers/broadcast';
import { testErasureLog } from '../helpers/data-dir';
import { freshDatabase } from '../helpers/postgres';

/** Counts the statements TypeORM sends. */
class CountingLogger implements TypeOrmLogger {
  queries = 0;
  logQuery(): void {
    this.queries += 1;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

describe('/storingen', function () {
  this.timeout(60_000);

  it('reads the open outages in the same number of queries for 2 outages as for 12', async () => {
    const counter = new CountingLogger();
    const db = await new DataSource({ ...dataSourceOptions({ url: await freshDatabase(), poolSize: 2 }), logging: ['query'], logger: counter }).initialize();
    try {
      await seedSubscribers(db, 3, 31694000000);
      const config = loadConfig({ ERASURE_LOG: testErasureLog(), BUSINESS_HOURS: 'always' }, { purpose: 'local' });
      const clock = fixedClock(new Date('2026-12-08T09:00:00Z'));
      const outages = new Outages(db, config, clock);
      const desk = new StaffDesk(db, config, { flushSoon: async () => undefined, start: async () => undefined, stop: async () => undefined }, clock);
      const open = async (count: number) => {
        for (let i = 0; i < count; i++) {
          await outages.send({ draft: { kind: OutageMessageKind.Initial, service: OutageService.Internet, scope: OutageScope.Landelijk, regions: [], severity: OutageSeverity.Hoog, text: `Storing nummer ${i} op het KPN-netwerk.`, expectedResolution: undefined }, createdBy: 'staff-1', requestId: `list-${count}-${i}` });
        }
        // One paused among them: the account is read too.
        await db.query(`UPDATE outage_message SET status = 'paused', pause_scope = 'account', pause_code = 190 WHERE id = (SELECT id FROM outage_message ORDER BY created_at LIMIT 1)`);
      };
      const cost = async () => {
        const before = counter.queries;
        const list = await desk.openOutages();
        return { outages: list.length, queries: counter.queries - before };
      };
      await open(2);
      const few = await cost();
      await open(10);
      const many = await cost();
      process.stdout.write(`      (/storingen: ${few.queries} queries for ${few.outages} outages, ${many.queries} for ${many.outages})\n`);
      expect([few.outages, many.outages]).to.deep.equal([2, 12]);
      expect(many.queries).to.equal(few.queries);
    } finally {
      await db.destroy();
    }
  });
});
