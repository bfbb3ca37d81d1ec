import { expect } from 'chai';
import { systemClock } from '../../../src/lib/clock';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../src/config';
import { Customer, Outage, OutageMessage, OutageMessageKind, OutageScope, OutageService, OutageSeverity, OutageMessageStatus, OutageStatus, Subscriber, SubscriberStatus } from '../../../src/entities';
import { Outages } from '../../../src/services/notices/outages';
import { freshDataSource } from '../../helpers/postgres';
import { testErasureLog } from '../../helpers/data-dir';

const draft = { kind: OutageMessageKind.Initial, service: OutageService.Internet, scope: OutageScope.Landelijk, regions: [] as string[], severity: OutageSeverity.Hoog, text: 'Storing op het KPN-netwerk, geen internet.', expectedResolution: undefined };

describe('held notices', () => {
  let db: DataSource;

  before(async () => {
    db = await freshDataSource();
    const customer = await db.getRepository(Customer).save({ customerNumber: 'C-1', name: 'Bakker', regions: ['UT'] });
    await db.getRepository(Subscriber).save([
      { phone: '31600000001', firstName: 'A', customerId: customer.id, status: SubscriberStatus.Active },
      { phone: '31600000002', firstName: null, customerId: customer.id, status: SubscriberStatus.PendingName },
    ]);
  });
  after(async () => db.destroy());

  it('R12: a held notice is released, with its audience, once the window is open', async () => {
    const friday = new Date('2026-11-27T17:30:00+01:00');
    const closed = new Outages(db, loadConfig({ ERASURE_LOG: testErasureLog(), }, { purpose: 'local' }), systemClock);
    const held = await closed.send({ draft, createdBy: 'staff', requestId: 'held-1', now: friday });
    expect(held.status).to.equal(OutageMessageStatus.Held);
    expect(held.releaseAt?.toISOString()).to.equal(new Date('2026-11-30T08:30:00+01:00').toISOString());
    expect(await closed.releaseDue(new Date('2026-11-28T10:00:00+01:00'))).to.equal(0);
    expect(await closed.releaseDue(new Date('2026-11-30T08:31:00+01:00'))).to.equal(1);
    const released = await db.getRepository(OutageMessage).findOneByOrFail({ id: held.id });
    expect(released).to.include({ status: OutageMessageStatus.Sending, recipientCount: 1 });
  });

  it('R12: a held notice superseded by a newer one of the same outage is never sent', async () => {
    const friday = new Date('2026-11-27T18:00:00+01:00');
    const outages = new Outages(db, loadConfig({ ERASURE_LOG: testErasureLog(), }, { purpose: 'local' }), systemClock);
    const first = await outages.send({ draft, createdBy: 'staff', requestId: 'held-2', now: friday });
    const update = await outages.send({ draft: { ...draft, kind: OutageMessageKind.Update, text: 'Monteurs zijn ter plaatse.' }, outageId: first.outageId, createdBy: 'staff', requestId: 'held-3', now: friday });
    expect((await db.getRepository(OutageMessage).findOneByOrFail({ id: first.id })).status).to.equal(OutageMessageStatus.Superseded);
    expect(update.status).to.equal(OutageMessageStatus.Held);
  });

  describe('resolved means sent: an outage closes when its "opgelost" starts sending', () => {
    const friday = new Date('2026-11-27T18:30:00+01:00');
    const monday = new Date('2026-11-30T08:31:00+01:00');
    const resolution = { ...draft, kind: OutageMessageKind.Resolved, text: 'De storing is opgelost.' };
    const outageStatus = async (id: string) => (await db.getRepository(Outage).findOneByOrFail({ id })).status;

    it('not while it is held outside business hours; cancelling it leaves the outage open for an update', async () => {
      const outages = new Outages(db, loadConfig({ ERASURE_LOG: testErasureLog(), }, { purpose: 'local' }), systemClock);
      const first = await outages.send({ draft, createdBy: 'staff', requestId: 'resolve-held-1', now: friday });
      const held = await outages.send({ draft: resolution, outageId: first.outageId, createdBy: 'staff', requestId: 'resolve-held-2', now: friday });
      expect(held.status).to.equal(OutageMessageStatus.Held);
      expect(await outageStatus(first.outageId)).to.equal(OutageStatus.Open);
      await outages.cancel(held.id, 'staff');
      expect(await outageStatus(first.outageId)).to.equal(OutageStatus.Open);
      const update = await outages.send({ draft: { ...draft, kind: OutageMessageKind.Update, text: 'Toch nog niet opgelost.' }, outageId: first.outageId, createdBy: 'staff', requestId: 'resolve-held-3', now: friday });
      expect(update.status).to.equal(OutageMessageStatus.Held);
    });

    it('when a held one is released at the opening of the window', async () => {
      const outages = new Outages(db, loadConfig({ ERASURE_LOG: testErasureLog(), }, { purpose: 'local' }), systemClock);
      const first = await outages.send({ draft, createdBy: 'staff', requestId: 'resolve-release-1', now: friday });
      await outages.send({ draft: resolution, outageId: first.outageId, createdBy: 'staff', requestId: 'resolve-release-2', now: friday });
      expect(await outageStatus(first.outageId)).to.equal(OutageStatus.Open);
      await outages.releaseDue(monday);
      expect(await outageStatus(first.outageId)).to.equal(OutageStatus.Resolved);
    });

    it('not while it awaits approval; when it is approved', async () => {
      const outages = new Outages(db, loadConfig({ ERASURE_LOG: testErasureLog(), BUSINESS_HOURS: 'always', REQUIRE_APPROVAL: 'true' }, { purpose: 'local' }), systemClock);
      const first = await outages.send({ draft, createdBy: 'staff', requestId: 'resolve-approval-1' });
      await outages.approve(first.id, 'staff-2');
      const waiting = await outages.send({ draft: resolution, outageId: first.outageId, createdBy: 'staff', requestId: 'resolve-approval-2' });
      expect(waiting.status).to.equal(OutageMessageStatus.AwaitingApproval);
      expect(await outageStatus(first.outageId)).to.equal(OutageStatus.Open);
      await outages.approve(waiting.id, 'staff-2');
      expect(await outageStatus(first.outageId)).to.equal(OutageStatus.Resolved);
    });

    it('at once when sent in business hours (also with no subscribers to send to)', async () => {
      const outages = new Outages(db, loadConfig({ ERASURE_LOG: testErasureLog(), BUSINESS_HOURS: 'always' }, { purpose: 'local' }), systemClock);
      const first = await outages.send({ draft: { ...draft, scope: OutageScope.Regionaal, regions: ['FR'] }, createdBy: 'staff', requestId: 'resolve-now-1' });
      const sent = await outages.send({ draft: { ...resolution, scope: OutageScope.Regionaal, regions: ['FR'] }, outageId: first.outageId, createdBy: 'staff', requestId: 'resolve-now-2' });
      expect(sent).to.include({ status: OutageMessageStatus.Sending, recipientCount: 0 });
      expect(await outageStatus(first.outageId)).to.equal(OutageStatus.Resolved);
    });
  });

  it('resumes a notice that WhatsApp paused, and only a paused one', async () => {
    const outages = new Outages(db, loadConfig({ ERASURE_LOG: testErasureLog(), BUSINESS_HOURS: 'always' }, { purpose: 'local' }), systemClock);
    const message = await outages.send({ draft, createdBy: 'staff', requestId: 'paused-1' });
    await db.query(`UPDATE outage_message SET status = 'paused' WHERE id = $1`, [message.id]);
    expect((await outages.resume(message.id, 'staff-2')).status).to.equal(OutageMessageStatus.Sending);
    try {
      await outages.resume(message.id, 'staff-2');
      expect.fail('expected a refusal');
    } catch (error) {
      expect((error as { dutch: string }).dutch).to.equal('Deze melding is niet gepauzeerd.');
    }
  });
});
