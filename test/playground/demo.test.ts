import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config';
import { Customer, Invitation, InvitationStatus } from '../../src/entities';
import { DEMO_CONTACT, seedDemo } from '../../src/playground/demo';
import { freshDataSource } from '../helpers/postgres';

describe('the playground demo data', () => {
  let db: DataSource;
  before(async () => (db = await freshDataSource()));
  after(async () => db.destroy());

  it('seeds a registry customer and one open invitation once, then reuses them, and invites again once the code is used', async () => {
    const config = loadConfig({}, { purpose: 'local' });
    const first = await seedDemo(db, config);
    expect(first).to.include({ customerName: 'Bakkerij De Korenschoof', created: true });
    expect(await db.getRepository(Customer).findOneByOrFail({ customerNumber: 'C-DEMO' })).to.deep.include({ emailDomains: ['korenschoof.example'], regions: ['UT', 'NH'] });
    const again = await seedDemo(db, config);
    expect(again).to.deep.equal({ customerName: 'Bakkerij De Korenschoof', code: first.code, created: false });
    expect(await db.getRepository(Invitation).countBy({ email: DEMO_CONTACT, status: InvitationStatus.Open })).to.equal(1);
    await db.getRepository(Invitation).update({ code: first.code }, { status: InvitationStatus.Used, email: null });
    const next = await seedDemo(db, config);
    expect(next.code).to.not.equal(first.code);
    expect(await db.getRepository(Customer).countBy({ customerNumber: 'C-DEMO' })).to.equal(1);
  });
});
