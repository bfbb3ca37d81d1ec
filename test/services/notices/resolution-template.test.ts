/**
 * A resolution reads as a resolution (issue 25): Opgelost goes out with its own approved template
 * `storing_opgelost` (service, area, text; no Impact line). Until a deployment has it approved,
 * Opgelost is refused in Dutch with what to do, while storingen and updates still go; a report
 * that it was paused pauses only the resolutions being sent.
 */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../src/config';
import { createDataSource } from '../../../src/db/data-source';
import { OutageMessage, OutageMessageKind, OutageMessageStatus, OutageScope, OutageService, OutageSeverity } from '../../../src/entities';
import { fixedClock } from '../../../src/lib/clock';
import { buildTemplateParameters, renderNotice } from '../../../src/services/notices/notice-template';
import { Outages, type Draft } from '../../../src/services/notices/outages';
import { recordTemplate } from '../../../src/services/notices/whatsapp-account';
import { seedSubscribers, statusCounts, until } from '../../helpers/broadcast';
import { memoryLogger } from '../../helpers/logger';
import { ScriptedGraphStandIn } from '../../helpers/scripted-graph';
import { CloudApiClient } from '../../../src/channels/whatsapp/cloud-api-client';
import { Dispatcher } from '../../../src/services/dispatcher/dispatcher';
import { testErasureLog } from '../../helpers/data-dir';
import { freshDatabase } from '../../helpers/postgres';

const draft = (kind: OutageMessageKind, text: string): Draft => ({ kind, service: OutageService.Voip, scope: OutageScope.Regionaal, regions: ['UT', 'NH'], severity: OutageSeverity.Hoog, text, expectedResolution: undefined });

describe('the resolution template (storing_opgelost)', () => {
  let db: DataSource;
  let url: string;
  const config = loadConfig({ ERASURE_LOG: testErasureLog(), BUSINESS_HOURS: 'always' }, { purpose: 'local' });
  let outages: Outages;

  beforeEach(async () => {
    url = await freshDatabase();
    db = await createDataSource({ url, poolSize: 4 }).initialize();
    await seedSubscribers(db, 2, 31695000000);
    outages = new Outages(db, config, fixedClock(new Date('2026-12-08T09:00:00Z')));
  });
  afterEach(async () => db.destroy());

  it('reads as a resolution: three parameters, no Impact line, the staff text as typed', () => {
    const parameters = buildTemplateParameters({ ...draft(OutageMessageKind.Resolved, 'De storing is verholpen:\nbellen werkt weer.'), expectedResolution: '14:00' });
    expect(parameters).to.deep.equal(['VoIP (bellen)', 'Utrecht, Noord-Holland', 'De storing is verholpen: bellen werkt weer.']);
    expect(renderNotice(parameters)).to.equal('*Opgelost* KPN VoIP (bellen)\nGebied: Utrecht, Noord-Holland\n\nDe storing is verholpen: bellen werkt weer.\n\nCBG Connect. Afmelden? Stuur "afmelden".');
  });

  it('refuses Opgelost in Dutch, saying what to do, while the template is missing or pending; a storing and an update still go', async () => {
    const storing = await outages.send({ draft: draft(OutageMessageKind.Initial, 'Geen bellen in Utrecht en Noord-Holland.'), createdBy: 'staff-1', requestId: 'res-1' });
    expect(storing.status).to.equal('sending');
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => expect.fail('accepted'),
        (error: { dutch?: string }) => error.dutch,
      );
    const resolve = (requestId: string) => outages.send({ draft: draft(OutageMessageKind.Resolved, 'Bellen werkt weer.'), outageId: storing.outageId, createdBy: 'staff-1', requestId });

    // After an upgrade the hourly look-up finds no such template at Meta.
    await recordTemplate(db, config, { name: 'storing_opgelost', language: 'nl', status: 'MISSING' });
    expect(await refusal(resolve('res-2'))).to.equal(
      'Het WhatsApp-sjabloon storing_opgelost bestaat nog niet bij Meta. Zolang het niet is goedgekeurd, worden Opgelost-berichten niet verstuurd; Team Techniek: maak het aan met npm run template:sync en wacht op de goedkeuring.',
    );
    // npm run template:sync created it; Meta reviews it.
    await recordTemplate(db, config, { name: 'storing_opgelost', language: 'nl', status: 'PENDING' });
    const pending =
      'Het WhatsApp-sjabloon storing_opgelost wacht nog op goedkeuring door Meta. Zolang het niet is goedgekeurd, worden Opgelost-berichten niet verstuurd; Team Techniek kan het controleren in WhatsApp Manager (npm run template:sync toont de status).';
    expect(await refusal(resolve('res-3'))).to.equal(pending);
    expect((await outages.preview(draft(OutageMessageKind.Resolved, 'Bellen werkt weer.'), storing.outageId)).blocked).to.equal(pending);
    expect((await outages.preview(draft(OutageMessageKind.Update, 'Monteurs zijn bezig.'), storing.outageId)).blocked).to.equal(null);
    expect((await outages.send({ draft: draft(OutageMessageKind.Update, 'Monteurs zijn bezig.'), outageId: storing.outageId, createdBy: 'staff-1', requestId: 'res-4' })).status).to.equal('sending');

    await recordTemplate(db, config, { name: 'storing_opgelost', language: 'nl', status: 'APPROVED', category: 'UTILITY' });
    expect((await resolve('res-5')).status).to.equal('sending');
  });

  it('lets a resolution composed before the second template (five parameters) be resumed by the template it goes out with', async () => {
    const storing = await outages.send({ draft: draft(OutageMessageKind.Initial, 'Geen bellen in Utrecht en Noord-Holland.'), createdBy: 'staff-1', requestId: 'old-1' });
    const old = await db.getRepository(OutageMessage).save({
      outageId: storing.outageId, kind: OutageMessageKind.Resolved, text: 'Bellen werkt weer.', templateParameters: ['Opgelost', 'VoIP (bellen)', 'Utrecht, Noord-Holland', 'Hoog', 'Bellen werkt weer.'],
      status: OutageMessageStatus.Paused, createdBy: 'staff-1', releasedAt: new Date(), pauseScope: 'account', pauseCode: 190,
    });
    await recordTemplate(db, config, { name: 'storing_opgelost', language: 'nl', status: 'MISSING' });
    expect((await outages.resume(old.id, 'staff-1')).status).to.equal('sending');
  });

  it('pauses only the resolutions when Meta refuses their template while sending (132001), the other notices go on', async () => {
    const graph = new ScriptedGraphStandIn({ accessToken: 'tok', phoneNumberId: 'PN' });
    const client = new CloudApiClient({ baseUrl: await graph.start(), version: 'v25.0', phoneNumberId: 'PN', accessToken: 'tok', templateName: 'storing_melding', resolvedTemplateName: 'storing_opgelost', templateLanguage: 'nl', timeoutMs: 10_000 });
    graph.decide = (body) => ((body as { template: { name: string } }).template.name === 'storing_opgelost' ? { status: 404, error: { code: 132001, message: 'Template name does not exist in the translation' } } : undefined);
    const dispatcher = new Dispatcher(db, client, memoryLogger().logger, { databaseUrl: url, phoneNumberId: 'PN', maxMps: 1000, idlePollMs: 100, pairGapMs: 0 });
    try {
      const a = await outages.send({ draft: draft(OutageMessageKind.Initial, 'Geen bellen in Utrecht en Noord-Holland.'), createdBy: 'staff-1', requestId: 'send-1' });
      const b = await outages.send({ draft: draft(OutageMessageKind.Initial, 'Geen bellen in de regio, tweede storing.'), createdBy: 'staff-1', requestId: 'send-2' });
      const resolved = await outages.send({ draft: draft(OutageMessageKind.Resolved, 'Bellen werkt weer.'), outageId: b.outageId, createdBy: 'staff-1', requestId: 'send-3' });
      dispatcher.start();
      const status = async (id: string) => (await db.getRepository(OutageMessage).findOneByOrFail({ id })).status as string;
      await until(async () => (await status(resolved.id)) === 'paused' && (await status(a.id)) === 'done', 15_000, 'the resolution paused, the storing sent');
      expect(await statusCounts(db, a.id)).to.deep.equal({ sent: 2 });
    } finally {
      await dispatcher.stop();
      client.close();
      await graph.stop();
    }
  });

  it("pauses only the resolutions being sent when Meta pauses the resolution's template, and only the others for the notice's", async () => {
    const a = await outages.send({ draft: draft(OutageMessageKind.Initial, 'Geen bellen in Utrecht en Noord-Holland.'), createdBy: 'staff-1', requestId: 'pause-1' });
    const b = await outages.send({ draft: draft(OutageMessageKind.Initial, 'Geen bellen in de regio, tweede storing.'), createdBy: 'staff-1', requestId: 'pause-2' });
    const resolved = await outages.send({ draft: draft(OutageMessageKind.Resolved, 'Bellen werkt weer.'), outageId: b.outageId, createdBy: 'staff-1', requestId: 'pause-3' });
    expect(await recordTemplate(db, config, { name: 'storing_opgelost', language: 'nl', status: 'PAUSED' })).to.deep.equal([resolved.id]);
    const status = async (id: string) => (await db.getRepository(OutageMessage).findOneByOrFail({ id })).status as string;
    expect([await status(a.id), await status(resolved.id)]).to.deep.equal(['sending', 'paused']);
    expect(await recordTemplate(db, config, { name: 'storing_melding', language: 'nl', status: 'PAUSED' })).to.deep.equal([a.id]);
  });
});
