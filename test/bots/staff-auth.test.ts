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
});
