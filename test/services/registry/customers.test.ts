import { expect } from 'chai';
import { baseEnv } from '../../helpers/child-env';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { Customer } from '../../../src/entities';
import { ValidationError } from '../../../src/http/errors';
import { importCustomers, suggestCustomers } from '../../../src/services/registry/customers';
import { freshDataSource, freshDatabase } from '../../helpers/postgres';

const GOOD = `customer_number,name,email_domains,regions
C-1001,Bakkerij De Korenschoof,korenschoof.nl,UT;NH
C-1002,Visser Installatie,visser.nl;visser-installatie.nl,GE
`;

describe('customer registry import (R1)', () => {
  let db: DataSource;

  before(async () => {
    db = await freshDataSource();
  });
  after(async () => db.destroy());

  it('imports and then updates customers (upsert on the customer number)', async () => {
    expect(await importCustomers(db, GOOD)).to.deep.equal({ created: 2, updated: 0 });
    const updated = GOOD.replace('Visser Installatie', 'Visser Installatietechniek');
    expect(await importCustomers(db, updated)).to.deep.equal({ created: 0, updated: 2 });
    const visser = await db.getRepository(Customer).findOneByOrFail({ customerNumber: 'C-1002' });
    expect(visser).to.include({ name: 'Visser Installatietechniek' });
    expect(visser.emailDomains).to.deep.equal(['visser.nl', 'visser-installatie.nl']);
    expect(visser.regions).to.deep.equal(['GE']);
  });

  it('reports every bad row with its line number and writes nothing of the file', async () => {
    const bad = `customer_number,name,email_domains,regions
C-2001,Nieuw BV,nieuw.nl,UT
,Zonder nummer,x.nl,UT
C-2003,Verkeerde provincie,y.nl,XX
C-2001,Dubbel,z.nl,UT
`;
    try {
      await importCustomers(db, bad);
      expect.fail('expected a ValidationError');
    } catch (error) {
      expect(error).to.be.instanceOf(ValidationError);
      const details = (error as ValidationError).details;
      expect(details).to.have.length(3);
      expect(details[0]).to.match(/^line 3: customer_number is empty/);
      expect(details[1]).to.match(/^line 4: regions must be province codes/);
      expect(details[2]).to.equal('line 5: customer_number C-2001 also on line 2');
    }
    expect(await db.getRepository(Customer).countBy({ customerNumber: 'C-2001' })).to.equal(0);
  });

  it('suggests close registry names for a typo', async () => {
    expect(await suggestCustomers(db.manager, 'bakkerij korenschoof')).to.deep.equal([{ name: 'Bakkerij De Korenschoof', customerNumber: 'C-1001' }]);
    expect(await suggestCustomers(db.manager, 'Albert Heijn')).to.deep.equal([]);
  });

  it('runs as `npm run customers:import <file>` with a clear message and exit code', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'csv-'));
    try {
      const url = await freshDatabase();
      const cli = path.resolve(__dirname, '../../../src/cli/import-customers.js');
      const env = { ...baseEnv(), DATABASE_URL: url };
      writeFileSync(path.join(dir, 'good.csv'), GOOD);
      const ok = spawnSync(process.execPath, [cli, path.join(dir, 'good.csv')], { env, encoding: 'utf8' });
      expect(ok.stdout.trim(), ok.stderr).to.equal('imported 2 customers (2 new, 0 updated)');
      expect(ok.status).to.equal(0);
      writeFileSync(path.join(dir, 'bad.csv'), 'customer_number,name\nC-9,\n');
      const bad = spawnSync(process.execPath, [cli, path.join(dir, 'bad.csv')], { env, encoding: 'utf8' });
      expect(bad.status).to.equal(1);
      expect(bad.stderr.trim().split('\n')).to.deep.equal(['the CSV file has 1 bad row(s); nothing was imported', 'line 2: name is empty']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
