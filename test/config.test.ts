import { expect } from 'chai';
import { ConfigError, loadConfig, parseBusinessHours, type ConfigPurpose } from '../src/config';

function problemsOf(env: Record<string, string>, purpose: ConfigPurpose = 'local', serves?: 'all' | 'teams' | 'whatsapp'): string[] {
  try {
    loadConfig(env, { purpose, serves });
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
  WHATSAPP_BUSINESS_ACCOUNT_ID: '102290129340398',
  PSEUDONYM_KEYS: '1:pseudonym-key-of-the-tests-0123456789abcdef',
};

const local = { purpose: 'local' } as const;

describe('config', () => {
  it("keeps local data in systemd's state directory when the unit names one (StateDirectory=), DATA_DIR first", () => {
    expect(loadConfig({ STATE_DIRECTORY: '/var/lib/storingsmelder' }, local).dataDir).to.equal('/var/lib/storingsmelder');
    expect(loadConfig({ STATE_DIRECTORY: '/var/lib/storingsmelder:/var/lib/other' }, local).dataDir).to.equal('/var/lib/storingsmelder');
    expect(loadConfig({ STATE_DIRECTORY: '/var/lib/storingsmelder', DATA_DIR: '/srv/sm' }, local).dataDir).to.equal('/srv/sm');
    expect(loadConfig({}, local).dataDir).to.equal('.data');
  });

  it('gives every variable its documented default with an empty environment', () => {
    const config = loadConfig({}, local);
    expect(config.port).to.equal(3978);
    expect(config.host).to.equal('127.0.0.1');
    expect(config.metricsToken).to.equal(undefined);
    expect(config.whatsapp.version).to.equal('v25.0');
    expect(config.bot.appType).to.equal('SingleTenant');
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
    expect(config.whatsapp.businessAccountId).to.equal('100000000000001');
    expect(config.bot.openIdMetadataUrl).to.equal(undefined);
    expect(Object.isFrozen(config.whatsapp)).to.equal(true);
  });

  it('takes other defaults where asked (the playground), the environment still winning', () => {
    const defaults = { BUSINESS_HOURS: 'always', LOG_LEVEL: 'warn' };
    expect(loadConfig({}, { ...local, defaults })).to.deep.include({ logLevel: 'warn' });
    expect(loadConfig({}, { ...local, defaults }).businessHours.always).to.equal(true);
    expect(loadConfig({ BUSINESS_HOURS: 'mon-fri 09:00-17:00 Europe/Amsterdam' }, { ...local, defaults }).businessHours).to.include({ always: false, openMinute: 9 * 60 });
  });

  it('requires the business account in production, and leaves it unset outside local mode for the template commands to ask for', () => {
    const withoutAccount: Record<string, string> = { ...productionEnv };
    delete withoutAccount.WHATSAPP_BUSINESS_ACCOUNT_ID;
    expect(problemsOf(withoutAccount, 'serve')).to.deep.equal(['WHATSAPP_BUSINESS_ACCOUNT_ID: required when NODE_ENV=production (templates and account events are matched against it)']);
    expect(loadConfig({ ...withoutAccount, NODE_ENV: 'development' }, { purpose: 'tool' }).whatsapp.businessAccountId).to.equal(undefined);
    expect(loadConfig(productionEnv).whatsapp.businessAccountId).to.equal('102290129340398');
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
    for (const name of ['MicrosoftAppId', 'WHATSAPP_ACCESS_TOKEN', 'SMTP_URL', 'DATABASE_URL', 'CRM_ARCHIVE_BCC', 'PUBLIC_BASE_URL', 'WHATSAPP_BUSINESS_ACCOUNT_ID']) {
      expect(problems.some((p) => p.startsWith(`${name}:`)), name).to.equal(true);
    }
  });

  it('lets the production command run nothing without credentials, whatever NODE_ENV says, in one line', () => {
    expect(problemsOf({}, 'serve')).to.deep.equal([
      'credentials missing: MicrosoftAppId (the Teams bot would accept anyone) and WHATSAPP_ACCESS_TOKEN (WhatsApp would be simulated); the production command never runs without them (npm start runs locally, for development)',
    ]);
    const whatsappOnly = { WHATSAPP_ACCESS_TOKEN: 't', WHATSAPP_PHONE_NUMBER_ID: '1', WHATSAPP_APP_SECRET: 's', WHATSAPP_VERIFY_TOKEN: 'v' };
    expect(problemsOf(whatsappOnly, 'serve')).to.have.length(1);
    expect(problemsOf(whatsappOnly, 'serve')[0]).to.match(/^credentials missing: MicrosoftAppId/);
  });

  it('lets the production command serve WhatsApp only with a real mail server, NODE_ENV or not: the AVG e-mails are a legal duty', () => {
    const whatsapp = { WHATSAPP_ACCESS_TOKEN: 't', WHATSAPP_PHONE_NUMBER_ID: '1', WHATSAPP_APP_SECRET: 's', WHATSAPP_VERIFY_TOKEN: 'v', PSEUDONYM_KEYS: productionEnv.PSEUDONYM_KEYS };
    const line = 'SMTP_URL: required for the production command serving WhatsApp (the AVG e-mails of sign-up and opt-out must be sent; .eml files on disk are for npm start only)';
    expect(problemsOf(whatsapp, 'serve', 'whatsapp')).to.deep.equal([line]);
    expect(problemsOf({ ...whatsapp, SMTP_URL: 'smtp://mail.example.nl:587' }, 'serve', 'whatsapp')).to.deep.equal([]);
    // The Teams side sends no mail; npm start keeps writing .eml files.
    expect(problemsOf({ MicrosoftAppId: 'a', MicrosoftAppPassword: 'p', MicrosoftAppTenantId: 't', PSEUDONYM_KEYS: productionEnv.PSEUDONYM_KEYS }, 'serve', 'teams')).to.deep.equal([]);
    expect(problemsOf(whatsapp)).to.deep.equal([]);
  });

  it('refuses the local switch with NODE_ENV=production, a public PUBLIC_BASE_URL or a non-loopback HOST', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).to.include('NODE_ENV: local mode (npm start, npm run playground) is refused when NODE_ENV=production');
    expect(problemsOf({ PUBLIC_BASE_URL: 'https://storing.cbgconnect.nl' })).to.deep.equal(['PUBLIC_BASE_URL: local mode serves this computer only; expected http://localhost:<port>, not https://storing.cbgconnect.nl']);
    expect(problemsOf({ HOST: '0.0.0.0' })).to.deep.equal(['HOST: local mode listens on loopback only; expected 127.0.0.1, not 0.0.0.0']);
    expect(problemsOf({ PUBLIC_BASE_URL: 'http://127.0.0.1:3978', HOST: '::1' })).to.deep.equal([]);
  });

  describe('the pseudonymisation key (PSEUDONYM_KEYS)', () => {
    const keyLine = (problems: string[]) => problems.filter((p) => p.startsWith('PSEUDONYM_KEYS:'));

    it('is required by the production command, with credentials or without them in the tools that hash', () => {
      const withoutKey: Record<string, string> = { ...productionEnv };
      delete withoutKey.PSEUDONYM_KEYS;
      expect(problemsOf(withoutKey, 'serve')).to.deep.equal([
        'PSEUDONYM_KEYS: required outside npm start (the key of the erasure log and the other pseudonyms; npm run pseudonym-key makes one, docs/deploy.md says where it lives)',
      ]);
      // A tool with credentials but no key runs (migrate, template:sync), and stops where a pseudonym is needed.
      const tool = loadConfig(withoutKey, { purpose: 'tool' });
      expect(tool.pseudonymKeys.all).to.deep.equal([]);
      expect(() => tool.pseudonymKeys.current).to.throw(ConfigError, 'PSEUDONYM_KEYS: required outside npm start');
    });

    it('is built in only for the development commands: a tool never guesses it, credentials or not', () => {
      expect(loadConfig({}, local).pseudonymKeys).to.include({ builtIn: true });
      expect(loadConfig({ DATABASE_URL: 'postgres://localhost/dev' }, { purpose: 'tool' }).pseudonymKeys).to.deep.include({ builtIn: false, all: [] });
      expect(loadConfig(productionEnv).pseudonymKeys.builtIn).to.equal(false);
    });

    it('keeps every version, the highest makes new hashes, and each key has an id that reveals nothing of its secret', () => {
      const secret2 = 'second-pseudonym-key-0123456789abcdefgh';
      const keys = loadConfig({ ...productionEnv, PSEUDONYM_KEYS: `1:pseudonym-key-of-the-tests-0123456789abcdef, 2:${secret2}, 0:app-secret` }).pseudonymKeys;
      expect(keys.all.map((k) => k.version)).to.deep.equal([2, 1, 0]);
      expect(keys.current.version).to.equal(2);
      expect(keys.current.id).to.match(/^2:[0-9a-f]{8}$/);
      expect(keys.current.id).to.not.include(secret2.slice(0, 8));
    });

    it('refuses a bad list, a short secret, a repeated version, only the legacy version, and a key that is a credential', () => {
      const of = (value: string) => keyLine(problemsOf({ ...productionEnv, PSEUDONYM_KEYS: value }, 'serve'));
      expect(of('just-a-secret')[0]).to.match(/expected version:secret pairs separated by commas/);
      expect(of('1:short')).to.deep.equal(['PSEUDONYM_KEYS: the secret of version 1 is shorter than 32 characters (npm run pseudonym-key makes one)']);
      expect(of('1:pseudonym-key-of-the-tests-0123456789abcdef,1:pseudonym-key-of-the-tests-0123456789abcdeg')).to.deep.equal(['PSEUDONYM_KEYS: version 1 is listed twice']);
      expect(of('0:app-secret')[0]).to.match(/version 0 is only the old app secret, for matching/);
      const appSecret = 'an-app-secret-of-meta-that-is-long-enough';
      expect(keyLine(problemsOf({ ...productionEnv, WHATSAPP_APP_SECRET: appSecret, PSEUDONYM_KEYS: `1:${appSecret}` }, 'serve'))).to.deep.equal([
        'PSEUDONYM_KEYS: version 1 is the same secret as WHATSAPP_APP_SECRET; the key must be a secret of its own (npm run pseudonym-key makes one)',
      ]);
      // The old app secret may stay as the legacy version 0, for matching only.
      expect(keyLine(problemsOf({ ...productionEnv, WHATSAPP_APP_SECRET: appSecret, PSEUDONYM_KEYS: `1:pseudonym-key-of-the-tests-0123456789abcdef,0:${appSecret}` }, 'serve'))).to.deep.equal([]);
    });
  });

  it("names the resolution's template apart from the notice's, and refuses the same name for both", () => {
    expect(loadConfig({}, local).whatsapp).to.include({ templateName: 'storing_melding', resolvedTemplateName: 'storing_opgelost' });
    expect(problemsOf({ WHATSAPP_RESOLVED_TEMPLATE_NAME: 'storing_melding' })).to.deep.equal([
      "WHATSAPP_RESOLVED_TEMPLATE_NAME: a resolution has its own template (no Impact line); expected another name than WHATSAPP_TEMPLATE_NAME (storing_melding)",
    ]);
  });

  it('wants https for every identity and API endpoint in production', () => {
    const problems = problemsOf({ ...productionEnv, ENTRA_AUTHORITY_URL: 'http://login.example', BOT_OPENID_METADATA_URL: 'http://keys.example/meta', WHATSAPP_API_BASE_URL: 'http://graph.example' }, 'serve');
    expect(problems).to.have.members([
      'ENTRA_AUTHORITY_URL: expected an https:// URL when NODE_ENV=production',
      'BOT_OPENID_METADATA_URL: expected an https:// URL when NODE_ENV=production',
      'WHATSAPP_API_BASE_URL: expected an https:// URL when NODE_ENV=production',
    ]);
  });

  it('requires the rest of the WhatsApp credentials once a token is set', () => {
    const problems = problemsOf({ WHATSAPP_ACCESS_TOKEN: 'token' });
    expect(problems).to.have.members([
      'WHATSAPP_PHONE_NUMBER_ID: required when WHATSAPP_ACCESS_TOKEN is set',
      'WHATSAPP_APP_SECRET: required when WHATSAPP_ACCESS_TOKEN is set',
      'WHATSAPP_VERIFY_TOKEN: required when WHATSAPP_ACCESS_TOKEN is set',
    ]);
  });

  it('requires a tenant for every authenticated bot, multi-tenant ones too (the tenant check of R16 needs it)', () => {
    for (const type of ['SingleTenant', 'MultiTenant']) {
      expect(problemsOf({ MicrosoftAppId: 'id', MicrosoftAppPassword: 'pw', MicrosoftAppType: type })).to.deep.equal([
        `MicrosoftAppTenantId: required when MicrosoftAppId is set (CBG Connect's Entra ID tenant; ${type} bots refuse other tenants with it)`,
      ]);
    }
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
