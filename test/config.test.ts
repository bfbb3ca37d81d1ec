import { expect } from 'chai';
import { ConfigError, loadConfig, parseBusinessHours } from '../src/config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const productionEnv = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app@db.internal:5432/storingsmelder',
  PUBLIC_BASE_URL: 'https://storing.cbgconnect.nl',
  MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
  MicrosoftAppPassword: 'secret',
  MicrosoftAppType: 'SingleTenant',
  MicrosoftAppTenantId: '00000000-0000-0000-0000-0000000000aa',
  STAFF_AAD_OBJECT_IDS: 'a, b',
  MANAGER_AAD_OBJECT_IDS: 'c',
  WHATSAPP_PHONE_NUMBER_ID: '1234567890',
  WHATSAPP_ACCESS_TOKEN: 'token',
  WHATSAPP_APP_SECRET: 'app-secret',
  WHATSAPP_VERIFY_TOKEN: 'verify',
  SMTP_URL: 'smtps://user:pass@smtp.example.nl:465',
  CRM_ARCHIVE_BCC: 'archief@crm.example.nl',
};

describe('config', () => {
  it('gives every variable its documented default with an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).to.equal(3978);
    expect(config.databaseUrl).to.equal(undefined);
    expect(config.publicBaseUrl).to.equal('http://localhost:3978');
    expect(config.bot.localMode).to.equal(true);
    expect(config.whatsapp.localMode).to.equal(true);
    expect(config.whatsapp.baseUrl).to.equal('https://graph.facebook.com');
    expect(config.whatsapp.templateName).to.equal('storing_melding');
    expect(config.whatsapp.templateLanguage).to.equal('nl');
    expect(config.whatsapp.maxMps).to.equal(80);
    expect(config.mail.supportEmail).to.equal('support@cbgconnect.nl');
    expect(config.businessHours).to.include({ always: false, openMinute: 8 * 60 + 30, closeMinute: 17 * 60, timeZone: 'Europe/Amsterdam' });
    expect(config.businessHours.days).to.deep.equal([1, 2, 3, 4, 5]);
    expect(config.retentionDays).to.equal(183);
    expect(config.requireApproval).to.equal(false);
    expect(config.whatsapp.messagingLimit).to.equal(2000);
    expect(config.whatsapp.businessAccountId).to.equal('100000000000001');
    expect(config.bot.openIdMetadataUrl).to.equal(undefined);
    expect(Object.isFrozen(config.whatsapp)).to.equal(true);
  });

  it('takes other defaults where asked (the playground), the environment still winning', () => {
    const defaults = { BUSINESS_HOURS: 'always', LOG_LEVEL: 'warn' };
    expect(loadConfig({}, defaults)).to.deep.include({ logLevel: 'warn' });
    expect(loadConfig({}, defaults).businessHours.always).to.equal(true);
    expect(loadConfig({ BUSINESS_HOURS: 'mon-fri 09:00-17:00 Europe/Amsterdam' }, defaults).businessHours).to.include({ always: false, openMinute: 9 * 60 });
  });

  it('leaves the business account unset outside local mode, for the template commands to ask for', () => {
    expect(loadConfig(productionEnv).whatsapp.businessAccountId).to.equal(undefined);
    expect(loadConfig({ ...productionEnv, WHATSAPP_BUSINESS_ACCOUNT_ID: '102290129340398' }).whatsapp.businessAccountId).to.equal('102290129340398');
    expect(() => loadConfig({ ...productionEnv, WHATSAPP_BUSINESS_ACCOUNT_ID: 'waba-1' })).to.throw('WHATSAPP_BUSINESS_ACCOUNT_ID: expected the WhatsApp Business Account id (digits)');
  });

  it('accepts a complete production environment', () => {
    const config = loadConfig(productionEnv);
    expect(config.production).to.equal(true);
    expect(config.bot.staffIds).to.deep.equal(['a', 'b']);
    expect(config.bot.localMode).to.equal(false);
    expect(config.whatsapp.localMode).to.equal(false);
  });

  it('names the variable and what is expected for each bad value', () => {
    const problems = problemsOf({ PORT: 'eighty', WHATSAPP_MAX_MPS: '-3', DATABASE_URL: 'mysql://x', REQUIRE_APPROVAL: 'maybe', PUBLIC_BASE_URL: 'not a url' });
    expect(problems).to.have.length(5);
    expect(problems.find((p) => p.startsWith('PORT:'))).to.match(/whole number/);
    expect(problems.find((p) => p.startsWith('WHATSAPP_MAX_MPS:'))).to.match(/above 0/);
    expect(problems.find((p) => p.startsWith('DATABASE_URL:'))).to.match(/postgres:\/\//);
    expect(problems.find((p) => p.startsWith('REQUIRE_APPROVAL:'))).to.match(/true or false/);
    expect(problems.find((p) => p.startsWith('PUBLIC_BASE_URL:'))).to.match(/URL/);
  });

  it('refuses production without credentials, SMTP or a database', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    for (const name of ['MicrosoftAppId', 'WHATSAPP_ACCESS_TOKEN', 'SMTP_URL', 'DATABASE_URL', 'CRM_ARCHIVE_BCC', 'PUBLIC_BASE_URL']) {
      expect(problems.some((p) => p.startsWith(`${name}:`)), name).to.equal(true);
    }
  });

  it('requires the rest of the WhatsApp credentials once a token is set', () => {
    const problems = problemsOf({ WHATSAPP_ACCESS_TOKEN: 'token' });
    expect(problems).to.have.members([
      'WHATSAPP_PHONE_NUMBER_ID: required when WHATSAPP_ACCESS_TOKEN is set',
      'WHATSAPP_APP_SECRET: required when WHATSAPP_ACCESS_TOKEN is set',
      'WHATSAPP_VERIFY_TOKEN: required when WHATSAPP_ACCESS_TOKEN is set',
    ]);
  });

  it('requires a tenant for a single-tenant bot', () => {
    expect(problemsOf({ MicrosoftAppId: 'id', MicrosoftAppPassword: 'pw', MicrosoftAppType: 'SingleTenant' })).to.deep.equal([
      'MicrosoftAppTenantId: required when MicrosoftAppType is SingleTenant',
    ]);
  });

  describe('BUSINESS_HOURS', () => {
    it('parses days, times and zone', () => {
      expect(parseBusinessHours('mon-wed 09:00-12:15 Europe/Brussels')).to.deep.equal({
        always: false,
        days: [1, 2, 3],
        openMinute: 540,
        closeMinute: 735,
        timeZone: 'Europe/Brussels',
      });
      expect(parseBusinessHours('always').always).to.equal(true);
    });

    for (const bad of ['weekdays', 'fri-mon 08:30-17:00 Europe/Amsterdam', 'mon-fri 17:00-08:30 Europe/Amsterdam', 'mon-fri 08:30-17:00 Mars/Olympus']) {
      it(`refuses "${bad}"`, () => {
        const problems = problemsOf({ BUSINESS_HOURS: bad });
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(/^BUSINESS_HOURS: expected e\.g\./);
      });
    }
  });
});
