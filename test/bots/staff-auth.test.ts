import { expect } from 'chai';
import { systemClock } from '../../src/lib/clock';
import { TestAdapter, type Activity } from 'botbuilder';
import type { DataSource } from 'typeorm';
import { OutageBot } from '../../src/bots/outage-bot';
import { loadConfig } from '../../src/config';
import { AuditEvent } from '../../src/entities';
import { StaffDesk } from '../../src/services/staff-desk';
import { memoryLogger } from '../helpers/logger';
import { freshDataSource } from '../helpers/postgres';

const config = loadConfig({
  MicrosoftAppId: '00000000-0000-0000-0000-0000000000b0',
  MicrosoftAppPassword: 'secret',
  MicrosoftAppType: 'SingleTenant',
  MicrosoftAppTenantId: 'tenant-cbg',
  ADMIN_AAD_OBJECT_IDS: 'admin-aad-1',
  STAFF_AAD_OBJECT_IDS: 'staff-aad-1,staff-aad-2',
  MANAGER_AAD_OBJECT_IDS: 'manager-aad-1',
}, { purpose: 'local' });

describe('who may use the staff bot (R16)', () => {
  let db: DataSource;
  let bot: OutageBot;

  before(async () => {
    db = await freshDataSource();
    const email = { flushSoon: async () => undefined, start: async () => undefined, stop: async () => undefined };
    bot = new OutageBot(config, new StaffDesk(db, config, email, systemClock), memoryLogger().logger);
  });
  after(async () => db.destroy());

  function from(aadObjectId: string, tenantId = 'tenant-cbg'): Partial<Activity> {
    return {
      type: 'message',
      channelId: 'msteams',
      text: '/outage',
      from: { id: '29:user', name: 'Iemand', aadObjectId },
      conversation: { id: 'conv', tenantId, isGroup: false, conversationType: 'personal', name: '' },
      channelData: { tenant: { id: tenantId } },
    };
  }

  const says = (aadObjectId: string, text: string, name = 'Iemand'): Partial<Activity> => ({ ...from(aadObjectId), text, from: { id: `29:${aadObjectId}`, name, aadObjectId } });

  async function reply(activity: Partial<Activity>): Promise<string> {
    const adapter = new TestAdapter(async (context) => bot.run(context));
    let answer = '';
    await adapter.send(activity).assertReply((a) => {
      answer = JSON.stringify(a.attachments?.[0]?.content ?? a.text);
    });
    return answer;
  }

  it('gives staff the compose card', async () => {
    expect(await reply(from('staff-aad-1'))).to.include('"id":"service"');
  });

  it('refuses someone who is not staff, politely, and audits it', async () => {
    const answer = await reply(from('colleague-from-sales'));
    expect(answer).to.include('Alleen medewerkers van CBG Connect');
    expect(answer).not.to.include('"id":"service"');
    const audit = await db.getRepository(AuditEvent).findOneByOrFail({ actor: 'colleague-from-sales' });
    expect(audit).to.include({ action: 'access.refused', target: 'command.outage', outcome: 'refused' });
  });

  it('refuses requests from another tenant, even from a staff object id', async () => {
    const answer = await reply(from('staff-aad-1', 'tenant-elsewhere'));
    expect(answer).to.include('alleen beschikbaar voor CBG Connect');
    expect(await db.getRepository(AuditEvent).countBy({ action: 'access.refused', actor: 'staff-aad-1' })).to.equal(1);
  });

  it('refuses card actions of non-staff too (a forwarded card cannot send)', async () => {
    const activity = { ...from('outsider'), text: '', value: { verb: 'send', kind: 'initial', requestId: 'x', service: 'internet', scope: 'landelijk', severity: 'hoog', text: 'Een storing die niet verstuurd mag worden.' } };
    expect(await reply(activity)).to.include('Geen toegang');
    const [{ n }]: { n: number }[] = await db.query('SELECT count(*)::int AS n FROM outage_message');
    expect(n).to.equal(0);
  });

  describe('roles without a restart (/rechten)', () => {
    const newcomer = '3c1e5a7b-2d4f-4e6a-8b9c-0d1e2f3a4b5c';
    const helper = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';

    it('tells a newcomer their Entra id; an administrator of the settings grants staff, which applies at once and is audited; revoked, refused again', async () => {
      const refused = await reply(says(newcomer, '/outage', 'Sanne de Vries'));
      expect(refused).to.include(`je Entra-id: ${newcomer}`).and.to.include(`/rechten geef ${newcomer} medewerker`);
      expect(await reply(says('admin-aad-1', `/rechten geef ${newcomer} medewerker`))).to.include(`${newcomer} is nu medewerker`);
      expect(await reply(says(newcomer, '/outage', 'Sanne de Vries'))).to.include('"id":"service"');
      const list = await reply(says('admin-aad-1', '/rechten'));
      expect(list).to.include(`Medewerkers: staff-aad-1, uit de instellingen; staff-aad-2, uit de instellingen; Sanne de Vries (${newcomer}), sinds`).and.to.include('Beheerders (ook medewerker): admin-aad-1, uit de instellingen');
      expect(await reply(says('admin-aad-1', `/rechten geef ${newcomer} medewerker`))).to.include('was al medewerker');
      expect(await reply(says('admin-aad-1', `/rechten ontneem ${newcomer} medewerker`))).to.include(`${newcomer} is geen medewerker meer`);
      expect(await reply(says(newcomer, '/outage', 'Sanne de Vries'))).to.include('Geen toegang');
      const audit = await db.getRepository(AuditEvent).find({ where: { target: newcomer }, order: { id: 'ASC' } });
      expect(audit.map((a) => [a.actor, a.action, a.detail])).to.deep.equal([
        ['admin-aad-1', 'access.grant', { role: 'staff' }],
        ['admin-aad-1', 'access.revoke', { role: 'staff' }],
      ]);
    });

    it('lets only administrators change roles: staff of the settings are refused (audited), a granted administrator may', async () => {
      expect(await reply(says('staff-aad-1', `/rechten geef ${newcomer} beheerder`))).to.include('Alleen beheerders geven en ontnemen rechten');
      expect(await db.getRepository(AuditEvent).countBy({ actor: 'staff-aad-1', action: 'access.refused', target: 'command.rechten' })).to.equal(1);
      await reply(says('admin-aad-1', `/rechten geef ${helper} medewerker`));
      expect(await reply(says(helper, `/rechten geef ${newcomer} beheerder`))).to.include('Alleen beheerders geven en ontnemen rechten');
      expect(await reply(says('admin-aad-1', `/rechten geef ${helper} beheerder`))).to.include('is nu beheerder');
      expect(await reply(says(helper, `/rechten geef ${newcomer} manager`))).to.include(`${newcomer} is nu manager`);
      // A manager is not staff: the tab, not the bot.
      expect(await reply(says(newcomer, '/outage'))).to.include('Geen toegang');
    });

    it('says what a revocation leaves: a role the settings give, staff through being an administrator', async () => {
      const settings = await reply(says('admin-aad-1', '/rechten ontneem staff-aad-2 medewerker'));
      expect(settings).to.include('staff-aad-2 is nog medewerker').and.to.include('komt uit de instelling STAFF_AAD_OBJECT_IDS');
      await reply(says('admin-aad-1', `/rechten geef ${helper} beheerder`));
      const admin = await reply(says('admin-aad-1', `/rechten ontneem ${helper} medewerker`));
      expect(admin).to.include(`${helper} is nog medewerker`).and.to.include('Als beheerder blijft');
      expect(await reply(says(helper, '/outage'))).to.include('"id":"service"');
    });

    it("refuses in Dutch what it cannot do: an id that is not one, a role that does not exist, a group chat; nothing changes", async () => {
      const before = await db.query<{ n: number }[]>('SELECT count(*)::int AS n FROM staff_role');
      expect(await reply(says('admin-aad-1', '/rechten geef sanne@cbgconnect.nl medewerker'))).to.include('is geen Entra-id');
      expect(await reply(says('admin-aad-1', `/rechten geef ${newcomer} baas`))).to.include('Rollen: medewerker, manager, beheerder');
      expect(await reply(says('admin-aad-1', '/rechten weg'))).to.include('Gebruik: /rechten');
      const inChannel = { ...says('admin-aad-1', `/rechten geef ${newcomer} beheerder`), conversation: { id: 'channel', tenantId: 'tenant-cbg', isGroup: true, conversationType: 'channel', name: 'Support' } };
      expect(await reply(inChannel)).to.include("Rechten van collega's laat ik alleen zien in een persoonlijke chat");
      // In a channel a refused colleague is not shown their id: they are told to ask in their own chat.
      const stranger = await reply({ ...says(newcomer, '/outage'), conversation: inChannel.conversation });
      expect(stranger).to.include('Stuur mij een persoonlijk bericht').and.not.to.include(newcomer);
      expect(await db.query<{ n: number }[]>('SELECT count(*)::int AS n FROM staff_role')).to.deep.equal(before);
    });
  });
});
