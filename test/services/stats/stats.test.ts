import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { Outage, OutageMessage, OutageMessageKind, OutageMessageStatus, OutageScope, OutageService, OutageSeverity } from '../../../src/entities';
import { loadStats } from '../../../src/services/stats/stats';
import { seedStats } from '../../helpers/stats-seed';
import { freshDataSource } from '../../helpers/postgres';

describe('management figures (/api/stats)', () => {
  let db: DataSource;
  let messageId: string;

  before(async () => {
    db = await freshDataSource();
    ({ messageId } = await seedStats(db));
  });
  after(async () => db.destroy());

  it('counts active and pending subscribers and active per company', async () => {
    const stats = await loadStats(db);
    expect(stats.subscribers).to.deep.equal({ active: 3, pending: 1 });
    expect(stats.byCompany).to.deep.equal([
      { customer: 'Bakkerij De Korenschoof', customerNumber: 'C-1', active: 2 },
      { customer: 'Visser Installatie', customerNumber: 'C-2', active: 1 },
    ]);
  });

  it('keeps the erased subscriber in the weekly history, without personal data', async () => {
    const stats = await loadStats(db);
    expect(stats.history).to.have.length(26);
    const thisWeek = stats.history[25];
    expect(thisWeek).to.include({ optIns: 4, optOuts: 1, active: 3 });
    expect(stats.history[23]).to.include({ optIns: 1, optOuts: 0 });
    expect(stats.history[24].active).to.equal(0);
    expect(thisWeek.week).to.match(/^\d{4}-W\d{2}$/);
    expect(JSON.stringify(stats)).not.to.match(/3161111000|a@k\.nl/);
  });

  it('gives each recent notice its delivery funnel', async () => {
    const [notice] = (await loadStats(db)).outages;
    expect(notice).to.include({ id: messageId, kind: 'initial', recipients: 4, sent: 3, delivered: 2, read: 1, failed: 1, secondsTo95Delivered: null });
  });

  it('says per notice which outage it was about and why recipients failed, without numbers', async () => {
    const [notice] = (await loadStats(db)).outages;
    expect(notice.about).to.equal('KPN internet · Landelijk · Hoog');
    expect(notice.failures).to.deep.equal([{ reason: 'Niet bereikbaar op WhatsApp (geen WhatsApp, een verouderde app of de voorwaarden niet geaccepteerd)', count: 1 }]);
  });

  it('labels each notice with the severity it went out with, and counts what a newer notice cancelled apart from failures', async () => {
    const own = await freshDataSource();
    try {
      const outage = await own.getRepository(Outage).save({ service: OutageService.Internet, scope: OutageScope.Landelijk, severity: OutageSeverity.Hoog, createdBy: 's' });
      const first = await own.getRepository(OutageMessage).save({ outageId: outage.id, kind: OutageMessageKind.Initial, text: 't', templateParameters: ['Storing', 'internet', 'Landelijk', 'Laag', 't'], status: OutageMessageStatus.Superseded, createdBy: 's', releasedAt: new Date(Date.now() - 60_000) });
      await own.query(`INSERT INTO delivery (outage_message_id, status) VALUES ($1, 'sent'), ($1, 'cancelled'), ($1, 'cancelled')`, [first.id]);
      const [notice] = (await loadStats(own)).outages;
      // The outage is Hoog now (an update raised it); this notice went out as Laag.
      expect(notice).to.include({ about: 'KPN internet · Landelijk · Laag', superseded: true, cancelled: 2, failed: 0, recipients: 3 });
    } finally {
      await own.destroy();
    }
  });

  it('shows coverage: the customers in the registry with and without an active subscriber', async () => {
    const { coverage } = await loadStats(db);
    expect(coverage).to.deep.equal({ customers: 3, reached: 2, missing: [{ customerNumber: 'C-3', name: 'Garage Van Dam', emailDomains: ['vandam.nl'] }] });
  });
});
