/** `npm run template:sync` against the Graph API stand-in: create, then report, as Meta answers. */
import { expect } from 'chai';
import { loadConfig, type Config } from '../../src/config';
import { syncTemplate } from '../../src/cli/template-sync';
import { RESOLUTION_TEMPLATE_BODY, RESOLUTION_TEMPLATE_EXAMPLE, TEMPLATE_BODY, TEMPLATE_EXAMPLE } from '../../src/services/notices/notice-template';
import { GraphStandIn } from '../../src/local/graph-standin';

describe('npm run template:sync', () => {
  let graph: GraphStandIn;
  let config: Config;

  beforeEach(async () => {
    graph = new GraphStandIn({ accessToken: 'token', phoneNumberId: '1065', account: { businessAccountId: '102290129340398', templates: [] } });
    await graph.start();
    config = loadConfig({ WHATSAPP_API_BASE_URL: graph.url, WHATSAPP_ACCESS_TOKEN: 'token', WHATSAPP_PHONE_NUMBER_ID: '1065', WHATSAPP_APP_SECRET: 's', WHATSAPP_VERIFY_TOKEN: 'v', WHATSAPP_BUSINESS_ACCOUNT_ID: '102290129340398' }, { purpose: 'tool' });
  });
  afterEach(async () => graph.stop());

  async function sync(): Promise<{ good: boolean; out: string }> {
    const lines: string[] = [];
    const good = await syncTemplate(config, (line) => lines.push(line));
    return { good, out: lines.join('\n') };
  }

  it('creates both templates as UTILITY with the code bodies and their samples (the notice with five, the resolution with three), then reports their review', async () => {
    const created = await sync();
    expect(created.good).to.equal(true);
    expect(created.out).to.match(/^created storing_melding \(nl\) in WhatsApp Business Account 102290129340398: id \d+, category UTILITY, status PENDING\./);
    expect(created.out).to.match(/\ncreated storing_opgelost \(nl\) in WhatsApp Business Account 102290129340398: id \d+, category UTILITY, status PENDING\./);
    const [template, resolution] = graph.account.templates;
    expect(template).to.deep.include({ name: 'storing_melding', language: 'nl', category: 'UTILITY', status: 'PENDING' });
    expect(template.components).to.deep.equal([{ type: 'BODY', text: TEMPLATE_BODY, example: { body_text: [TEMPLATE_EXAMPLE] } }]);
    expect(resolution).to.deep.include({ name: 'storing_opgelost', language: 'nl', category: 'UTILITY', status: 'PENDING' });
    expect(resolution.components).to.deep.equal([{ type: 'BODY', text: RESOLUTION_TEMPLATE_BODY, example: { body_text: [RESOLUTION_TEMPLATE_EXAMPLE] } }]);
    expect(RESOLUTION_TEMPLATE_BODY).to.not.include('Impact');

    const report = (status: string) => `storing_melding (nl): status ${status}, category UTILITY.\nits body is the code's.\nstoring_opgelost (nl): status ${status}, category UTILITY.\nits body is the code's.`;
    expect((await sync()).out).to.equal(report('PENDING'));
    template.status = 'APPROVED';
    resolution.status = 'APPROVED';
    expect(await sync()).to.deep.equal({ good: true, out: report('APPROVED') });
    expect(graph.account.templates).to.have.length(2);
  });

  it('reports a rejection with its reason, a recategorisation and a body that differs, as not usable', async () => {
    graph.account.templates.push({ id: '7', name: 'storing_melding', language: 'nl', status: 'REJECTED', category: 'MARKETING', rejected_reason: 'INVALID_FORMAT', components: [{ type: 'BODY', text: 'Storing: {{1}}' }] });
    const { good, out } = await sync();
    expect(good).to.equal(false);
    expect(out).to.include('storing_melding (nl): status REJECTED, category MARKETING, rejected because INVALID_FORMAT.');
    expect(out).to.include(`its body differs from the code's (services/notices/notice-template.ts):\n  at Meta:  "Storing: {{1}}"\n  the code: ${JSON.stringify(TEMPLATE_BODY)}`);
    expect(out).to.include('outage notices are UTILITY messages');
  });

  it('fails an approved template that Meta filed as MARKETING, with what to do', async () => {
    graph.account.templates.push({ id: '8', name: 'storing_melding', language: 'nl', status: 'APPROVED', category: 'MARKETING', components: [{ type: 'BODY', text: TEMPLATE_BODY }] });
    const { good, out } = await sync();
    expect(good).to.equal(false);
    expect(out).to.include('outage notices are UTILITY messages; as MARKETING the service refuses to send them. Fix: appeal the category in WhatsApp Manager');
    expect(out).to.include('create a new utility template under another name (WHATSAPP_TEMPLATE_NAME, then npm run template:sync)');
  });

  it('says what is needed without a business account id, and what Graph refused', async () => {
    config = loadConfig({ WHATSAPP_API_BASE_URL: graph.url, WHATSAPP_ACCESS_TOKEN: 'token', WHATSAPP_PHONE_NUMBER_ID: '1065', WHATSAPP_APP_SECRET: 's', WHATSAPP_VERIFY_TOKEN: 'v' }, { purpose: 'tool' });
    expect((await sync()).out).to.match(/^WHATSAPP_BUSINESS_ACCOUNT_ID is not set/);
    config = loadConfig({ WHATSAPP_API_BASE_URL: graph.url, WHATSAPP_ACCESS_TOKEN: 'expired', WHATSAPP_PHONE_NUMBER_ID: '1065', WHATSAPP_APP_SECRET: 's', WHATSAPP_VERIFY_TOKEN: 'v', WHATSAPP_BUSINESS_ACCOUNT_ID: '102290129340398' }, { purpose: 'tool' });
    const refused = await sync();
    expect(refused.good).to.equal(false);
    expect(refused.out).to.match(/^Graph API refused: WhatsApp Cloud API error 190 \(HTTP 401\).*\nfix: the access token is not valid or has expired/);
  });
});
