/**
 * The WhatsApp account's own state (issue: go live): Meta's webhook fields for the template's
 * status and category and the number's quality and messaging limit are stored; a template Meta
 * pauses stops what is being sent and refuses Versturen; the preview warns against the live
 * messaging limit.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../src/config';
import { fixedClock, systemClock } from '../../../src/lib/clock';
import { OutageMessage, OutageMessageKind, OutageScope, OutageService, OutageSeverity, OutageMessageStatus, WhatsAppState } from '../../../src/entities';
import { Outages } from '../../../src/services/notices/outages';
import { recordNumber, recordTemplate } from '../../../src/services/notices/whatsapp-account';
import { seedSubscribers, startBroadcast, until } from '../../helpers/broadcast';
import { freshDataSource } from '../../helpers/postgres';
import { startWhatsAppApp, type WhatsAppTestApp } from '../../helpers/whatsapp';
import { testErasureLog } from '../../helpers/data-dir';

const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(path.resolve(__dirname, '../../../../test/fixtures/whatsapp', name), 'utf8')) as Record<string, unknown>;
const draft = { kind: OutageMessageKind.Initial, service: OutageService.Internet, scope: OutageScope.Landelijk, regions: [] as string[], severity: OutageSeverity.Hoog, text: 'Landelijke storing op het KPN-netwerk: geen internet.', expectedResolution: undefined };

describe('the WhatsApp account state', function () {
  this.timeout(30_000);

  describe("Meta's webhook fields", () => {
    let t: WhatsAppTestApp;
    const state = (subject: 'template' | 'number') => t.database.dataSource.getRepository(WhatsAppState).findOneBy({ subject });

    beforeEach(async () => {
      // A day after Meta's sample announcement (2 December 2026, 17:00 in Amsterdam) was sent, before it takes effect.
      t = await startWhatsAppApp({}, { clock: fixedClock('2026-12-01T17:00:00Z') });
      // The look-up at start records the number first; the webhooks come after it.
      await until(async () => (await state('number')) !== null, 10_000, 'the look-up at start');
    });
    afterEach(async () => t.close());

    it("ignores Meta's sample status update of another template (order_confirmation)", async () => {
      expect((await t.post(fixture('template-status-approved.json'))).status).to.equal(200);
      expect(await state('template')).to.equal(null);
    });

    it('pauses every notice being sent when Meta pauses our template, and keeps why', async () => {
      await seedSubscribers(t.database.dataSource, 20);
      t.graph.decide = () => ({ hang: true });
      const sending = await startBroadcast(t.database.dataSource);
      expect((await t.post(fixture('template-status-paused.json'))).status).to.equal(200);
      expect(await state('template')).to.deep.include({ key: 'storing_melding:nl', status: 'PAUSED', category: 'UTILITY' });
      expect((await state('template'))!.reason).to.match(/^Your WhatsApp message template has been paused for 3 hours/);
      expect((await t.database.dataSource.getRepository(OutageMessage).findOneByOrFail({ id: sending })).status).to.equal(OutageMessageStatus.Paused);
    });

    it('keeps the rejection reason Meta gives', async () => {
      await t.post(fixture('template-status-rejected.json'));
      expect(await state('template')).to.deep.include({ status: 'REJECTED', reason: "Variables can't be at the start or end of the template." });
    });

    it('records a new category, keeping the status', async () => {
      await t.post(fixture('template-status-rejected.json'));
      await t.post(fixture('template-category-update.json'));
      expect(await state('template')).to.deep.include({ status: 'REJECTED', category: 'MARKETING' });
    });

    it('keeps an announced recategorisation with its date for the preview and the tab, and pauses what is sending once it happens', async () => {
      expect((await t.post(fixture('template-category-announced.json'))).status).to.equal(200);
      const announced = await state('template');
      expect(announced).to.deep.include({ category: 'UTILITY', announcedCategory: 'MARKETING' });
      expect(announced!.announcedCategoryAt!.toISOString()).to.equal('2026-12-02T16:00:00.000Z');
      const stats = (await (await fetch(`${t.base}/api/stats`)).json()) as { whatsapp: { template: Record<string, unknown> } };
      expect(stats.whatsapp.template).to.deep.include({
        sendable: true,
        announcement:
          'Meta deelt het WhatsApp-sjabloon storing_melding op 2 december 2026 om 17:00 opnieuw in als MARKETING. Vanaf dan worden storingsmeldingen niet meer verstuurd tot de indeling weer UTILITY is (bezwaar in WhatsApp Manager, of een nieuw utility-sjabloon).',
      });

      // The change done (Meta's sample: UTILITY -> MARKETING) ends the announcement and stops what is being sent.
      await seedSubscribers(t.database.dataSource, 20);
      t.graph.decide = () => ({ hang: true });
      const sending = await startBroadcast(t.database.dataSource);
      await t.post(fixture('template-category-update.json'));
      expect(await state('template')).to.deep.include({ category: 'MARKETING', announcedCategory: null, announcedCategoryAt: null });
      expect((await t.database.dataSource.getRepository(OutageMessage).findOneByOrFail({ id: sending })).status).to.equal(OutageMessageStatus.Paused);
      const after = (await (await fetch(`${t.base}/api/stats`)).json()) as { whatsapp: { template: Record<string, unknown> } };
      expect(after.whatsapp.template).to.deep.include({ sendable: false, announcement: null });
      expect(after.whatsapp.template.blocked).to.match(/^Meta heeft het WhatsApp-sjabloon storing_melding ingedeeld als MARKETING in plaats van UTILITY/);
    });

    it("records the portfolio's messaging limit from Meta's quality update sample (another number: quality left alone)", async () => {
      const before = await state('number');
      await t.post(fixture('phone-number-quality-update.json'));
      expect(await state('number')).to.deep.include({ messagingLimit: 'TIER_UNLIMITED', status: before!.status });
    });

    it("records a quality event of our own number, matched against the display number Meta's look-up recorded (digits or spaced)", async () => {
      const flagged = fixture('phone-number-quality-update.json') as { entry: { changes: { value: Record<string, unknown> }[] }[] };
      Object.assign(flagged.entry[0].changes[0].value, { display_phone_number: '31854869699', event: 'FLAGGED' });
      await t.post(flagged);
      expect(await state('number')).to.deep.include({ status: 'RED', displayNumber: '+31 85 486 9699' });
      flagged.entry[0].changes[0].value.event = 'UNFLAGGED';
      await t.post(flagged);
      expect(await state('number')).to.deep.include({ status: 'GREEN' });
    });

    it("records the portfolio's limit from business_capability_update, -1 as unlimited (Meta's webhook reference, syntax of May 2026)", async () => {
      await t.post(fixture('business-capability-update.json'));
      expect(await state('number')).to.deep.include({ messagingLimit: 'TIER_UNLIMITED' });
      const stats = (await (await fetch(`${t.base}/api/stats`)).json()) as { whatsapp: Record<string, unknown> };
      expect(stats.whatsapp).to.deep.include({ messagingLimitTier: 'TIER_UNLIMITED', messagingLimit: null });
      const limited = fixture('business-capability-update.json') as { entry: { changes: { value: Record<string, unknown> }[] }[] };
      limited.entry[0].changes[0].value.max_daily_conversations_per_business = 10000;
      await t.post(limited);
      expect(await state('number')).to.deep.include({ messagingLimit: '10000' });
    });

    it('reads the current quality update (max_daily_conversations_per_business, no current_limit)', async () => {
      const current = fixture('phone-number-quality-update.json') as { entry: { changes: { value: Record<string, unknown> }[] }[] };
      delete current.entry[0].changes[0].value.current_limit;
      current.entry[0].changes[0].value.max_daily_conversations_per_business = '2000';
      await t.post(current);
      expect(await state('number')).to.deep.include({ messagingLimit: '2000' });
    });

    it('skips a template update without a name (logged, the rest of the batch applied), and stores nothing of it', async () => {
      const body = fixture('template-status-paused.json') as { entry: { changes: { value: Record<string, unknown> }[] }[] };
      delete body.entry[0].changes[0].value.message_template_name;
      const res = await t.post(body);
      expect(res.status).to.equal(200);
      expect(await state('template')).to.equal(null);
      expect(t.logLines.some((line) => line.includes('account changes skipped'))).to.equal(true);
    });

    it("ignores another business account's events (logged once): they never pause our sends", async () => {
      const body = fixture('template-status-paused.json') as { entry: { id: string }[] };
      body.entry[0].id = '999999999999999';
      expect((await t.post(body)).status).to.equal(200);
      expect((await t.post(body)).status).to.equal(200);
      expect(await state('template')).to.equal(null);
      expect(t.logLines.filter((line) => line.includes('another WhatsApp Business Account')).length).to.equal(1);
    });

    it('shows quality, limit and template status in /api/stats for the tab', async () => {
      await t.post(fixture('template-status-paused.json'));
      const stats = (await (await fetch(`${t.base}/api/stats`)).json()) as { whatsapp: Record<string, unknown> };
      expect(stats.whatsapp).to.deep.include({ qualityRating: 'GREEN', messagingLimitTier: 'TIER_2K', messagingLimit: 2000 });
      expect(stats.whatsapp.template).to.deep.include({ name: 'storing_melding', status: 'PAUSED', sendable: false });
    });
  });

  describe('sending while Meta does not let the template be sent', () => {
    let db: DataSource;
    const config = loadConfig({ ERASURE_LOG: testErasureLog(), BUSINESS_HOURS: 'always' }, { purpose: 'local' });
    const template = (status: string, reason: string | null = null) => recordTemplate(db, config, { name: 'storing_melding', language: 'nl', status, reason });

    beforeEach(async () => {
      db = await freshDataSource();
      await seedSubscribers(db, 300);
    });
    afterEach(async () => db.destroy());

    /** Versturen is refused with the preview's explanation, and neither a notice nor a delivery is stored. */
    async function expectRefusedQueueingNothing(outages: Outages, explanation: string): Promise<void> {
      try {
        await outages.send({ draft, createdBy: 'staff', requestId: `refused-${explanation.length}` });
        expect.fail('Versturen should be refused');
      } catch (error) {
        expect((error as { dutch: string }).dutch).to.equal(explanation);
      }
      expect(await db.getRepository(OutageMessage).count()).to.equal(0);
      const [{ n }]: { n: number }[] = await db.query('SELECT count(*)::int AS n FROM delivery');
      expect(n).to.equal(0);
    }

    it('says so in red on the preview and refuses Versturen, queueing nothing', async () => {
      const outages = new Outages(db, config, systemClock);
      await template('PAUSED', 'paused for 3 hours');
      const preview = await outages.preview(draft);
      expect(preview.blocked).to.equal('Het WhatsApp-sjabloon storing_melding is door Meta gepauzeerd (paused for 3 hours). Zolang het niet is goedgekeurd, wordt er niets verstuurd; Team Techniek kan het controleren in WhatsApp Manager.');
      await expectRefusedQueueingNothing(outages, preview.blocked!);
    });

    it('refuses Versturen in Dutch while Meta files the template as MARKETING, queueing nothing; as UTILITY again it sends', async () => {
      const outages = new Outages(db, config, systemClock);
      await recordTemplate(db, config, { name: 'storing_melding', language: 'nl', status: 'APPROVED', category: 'MARKETING', announcement: null });
      const preview = await outages.preview(draft);
      expect(preview.blocked).to.equal(
        'Meta heeft het WhatsApp-sjabloon storing_melding ingedeeld als MARKETING in plaats van UTILITY. Storingsmeldingen worden daarom niet verstuurd: als marketingbericht worden ze anders gefactureerd en mogen klanten ze als reclame weigeren. Team Techniek: ga in WhatsApp Manager in bezwaar tegen de indeling, of laat een nieuw utility-sjabloon goedkeuren (npm run template:sync).',
      );
      await expectRefusedQueueingNothing(outages, preview.blocked!);

      // The hourly look-up finds it UTILITY again (an appeal won).
      await recordTemplate(db, config, { name: 'storing_melding', language: 'nl', status: 'APPROVED', category: 'UTILITY' });
      expect((await outages.preview(draft)).blocked).to.equal(null);
      await outages.send({ draft, createdBy: 'staff', requestId: 'utility-again' });
      expect(await db.getRepository(OutageMessage).count()).to.equal(1);
    });

    it('warns on the preview about an announced recategorisation, and keeps sending until it happens', async () => {
      const outages = new Outages(db, config, systemClock);
      const now = new Date('2026-12-02T09:00:00Z');
      await recordTemplate(db, config, { name: 'storing_melding', language: 'nl', category: 'UTILITY', announcement: { category: 'MARKETING', at: new Date('2026-12-03T09:00:00Z') } });
      // The hourly look-up (no announcement in it) keeps the announcement.
      await recordTemplate(db, config, { name: 'storing_melding', language: 'nl', status: 'APPROVED', category: 'UTILITY' });
      const preview = await outages.preview(draft, undefined, now);
      expect(preview.blocked).to.equal(null);
      expect(preview.warnings).to.include(
        'Meta deelt het WhatsApp-sjabloon storing_melding op 3 december 2026 om 10:00 opnieuw in als MARKETING. Vanaf dan worden storingsmeldingen niet meer verstuurd tot de indeling weer UTILITY is (bezwaar in WhatsApp Manager, of een nieuw utility-sjabloon).',
      );
      // Meta withdrew it: the announced category back to UTILITY ends the warning.
      await recordTemplate(db, config, { name: 'storing_melding', language: 'nl', category: 'UTILITY', announcement: null });
      expect((await outages.preview(draft, undefined, now)).warnings.some((w) => w.includes('opnieuw in als'))).to.equal(false);
    });

    it('sends again once Meta approves it; a resume waits for that too', async () => {
      const outages = new Outages(db, config, systemClock);
      const message = await outages.send({ draft, createdBy: 'staff', requestId: 'ok-1' });
      expect(message.status).to.equal(OutageMessageStatus.Sending);
      expect(await template('DISABLED')).to.deep.equal([message.id]);
      try {
        await outages.resume(message.id, 'staff');
        expect.fail('resume should be refused');
      } catch (error) {
        expect((error as { dutch: string }).dutch).to.match(/is door Meta uitgeschakeld/);
      }
      await template('REINSTATED');
      expect((await outages.preview(draft)).blocked).to.equal(null);
      expect((await outages.resume(message.id, 'staff')).status).to.equal(OutageMessageStatus.Sending);
    });

    it('holds back a held notice released while the template is paused', async () => {
      const outages = new Outages(db, loadConfig({ ERASURE_LOG: testErasureLog() }, { purpose: 'local' }), systemClock);
      const held = await outages.send({ draft, createdBy: 'staff', requestId: 'held-1', now: new Date('2026-11-27T18:00:00+01:00') });
      expect(held.status).to.equal(OutageMessageStatus.Held);
      await template('PAUSED');
      expect(await outages.releaseDue(new Date('2026-11-30T09:00:00+01:00'))).to.equal(1);
      expect((await db.getRepository(OutageMessage).findOneByOrFail({ id: held.id })).status).to.equal(OutageMessageStatus.Paused);
    });

    it('warns against the live messaging limit, the first tier (2,000) until Meta reported one', async () => {
      const outages = new Outages(db, config, systemClock);
      expect((await outages.preview(draft)).warnings.join(' ')).not.to.include('berichtlimiet');
      await seedSubscribers(db, 1800, 31691000000);
      expect((await outages.preview(draft)).warnings.join(' ')).to.include('Het aantal ontvangers (2100) is groter dan de WhatsApp-berichtlimiet van 2000 ontvangers per 24 uur (aangenomen; Meta heeft nog geen limiet gemeld)');
      await recordNumber(db, config, { messagingLimit: 'TIER_250' });
      expect((await outages.preview(draft)).warnings.join(' ')).to.include('Het aantal ontvangers (2100) is groter dan de WhatsApp-berichtlimiet van 250 ontvangers per 24 uur:');
      await recordNumber(db, config, { messagingLimit: 'TIER_UNLIMITED' });
      expect((await outages.preview(draft)).warnings.join(' ')).not.to.include('berichtlimiet');
      // Meta's integer form: -1 is unlimited (it once fell back to the configured limit and warned).
      await recordNumber(db, config, { messagingLimit: '-1' });
      expect((await outages.preview(draft)).warnings.join(' ')).not.to.include('berichtlimiet');
      await recordNumber(db, config, { messagingLimit: '250' });
      expect((await outages.preview(draft)).warnings.join(' ')).to.include('berichtlimiet van 250');
    });
  });
});
