/**
 * The only reader of process.env. Every variable of the public contract (docs/architecture.md (Public contract)) is
 * validated here with zod; a bad value becomes one sentence that names the variable and what
 * is expected. The result is a frozen, typed object that the composition root hands down.
 */
import dotenv from 'dotenv';
import { isIP } from 'node:net';
import { z } from 'zod';
import { isLoopbackAddress } from './lib/loopback';
import { builtInPseudonymKeys, parsePseudonymKeys, type PseudonymKeys } from './lib/pseudonym-keys';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const commaList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );

const httpUrl = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^https?:\/\//.test(v) && URL.canParse(v), { message: `expected ${what} (an http or https URL)` });

const positiveInt = (what: string) =>
  z.coerce
    .number({ message: `expected ${what} (a whole number)` })
    .int({ message: `expected ${what} (a whole number)` })
    .positive({ message: `expected ${what} (a number above 0)` });

/** A price in euros as on Meta's rate card (0.0456 or 0,0456); unset: no estimate is shown. */
const optionalPrice = (what: string) =>
  optionalText.pipe(
    z
      .string()
      .regex(/^\d{1,3}([.,]\d{1,6})?$/, { message: `expected ${what} in euros, e.g. 0.0456` })
      .transform((v) => Number(v.replace(',', '.')))
      .optional(),
  );

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''], { message: 'expected true or false' })
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { message: 'expected development, production or test' }).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'expected fatal, error, warn, info, debug, trace or silent' }).default('info'),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { message: 'expected a postgres:// connection URL' })
      .optional(),
  ),
  DATA_DIR: optionalText,
  ERASURE_LOG: optionalText,
  PSEUDONYM_KEYS: optionalText,
  PORT: positiveInt('a TCP port').max(65535, { message: 'expected a TCP port (1-65535)' }).default(3978),
  HOST: z
    .string()
    .trim()
    .refine((v) => isIP(v) !== 0 || v === 'localhost', { message: 'expected an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0' })
    .default('127.0.0.1'),
  METRICS_TOKEN: optionalText.pipe(z.string().min(16, { message: 'expected a random token of at least 16 characters' }).optional()),
  PUBLIC_BASE_URL: httpUrl('the public origin, e.g. https://storing.cbgconnect.nl').default('http://localhost:3978'),

  MicrosoftAppId: optionalText,
  MicrosoftAppPassword: optionalText,
  // New multi-tenant bot registrations are not possible since 31 July 2025 (docs/platform.md).
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], { message: 'expected SingleTenant, UserAssignedMSI or MultiTenant' }).default('SingleTenant'),
  MicrosoftAppTenantId: optionalText,
  ENTRA_AUTHORITY_URL: httpUrl('the Entra ID authority, e.g. https://login.microsoftonline.com').default('https://login.microsoftonline.com'),
  BOT_OPENID_METADATA_URL: optionalText.pipe(httpUrl('the Bot Framework OpenID metadata URL').optional()),
  ADMIN_AAD_OBJECT_IDS: commaList,
  STAFF_AAD_OBJECT_IDS: commaList,
  MANAGER_AAD_OBJECT_IDS: commaList,

  WHATSAPP_API_BASE_URL: httpUrl('the Graph API base URL').default('https://graph.facebook.com'),
  WHATSAPP_API_VERSION: z.string().trim().regex(/^v\d+\.\d+$/, { message: 'expected a Graph API version such as v25.0' }).default('v25.0'),
  WHATSAPP_PHONE_NUMBER_ID: optionalText,
  WHATSAPP_ACCESS_TOKEN: optionalText,
  WHATSAPP_APP_SECRET: optionalText,
  WHATSAPP_VERIFY_TOKEN: optionalText,
  WHATSAPP_TEMPLATE_NAME: z.string().trim().regex(/^[a-z0-9_]+$/, { message: 'expected a template name of lowercase letters, digits and _' }).default('storing_melding'),
  WHATSAPP_RESOLVED_TEMPLATE_NAME: z.string().trim().regex(/^[a-z0-9_]+$/, { message: 'expected a template name of lowercase letters, digits and _' }).default('storing_opgelost'),
  WHATSAPP_TEMPLATE_LANGUAGE: z.string().trim().regex(/^[a-z]{2}(_[A-Z]{2})?$/, { message: 'expected a language code such as nl or en_US' }).default('nl'),
  WHATSAPP_BUSINESS_ACCOUNT_ID: optionalText.pipe(z.string().regex(/^\d{5,30}$/, { message: 'expected the WhatsApp Business Account id (digits)' }).optional()),
  WHATSAPP_MAX_MPS: positiveInt('messages per second').max(10000, { message: 'expected messages per second (at most 10000)' }).default(80),
  WHATSAPP_PRICE_UTILITY_EUR: optionalPrice('the price of one delivered utility template'),
  WHATSAPP_PRICE_SERVICE_EUR: optionalPrice('the price of one service message'),

  SMTP_URL: optionalText.pipe(z.string().regex(/^smtps?:\/\//, { message: 'expected an smtp:// or smtps:// URL' }).optional()),
  MAIL_FROM: z.string().trim().default('CBG Connect <noreply@cbgconnect.nl>'),
  CRM_ARCHIVE_BCC: optionalText.pipe(z.string().email({ message: 'expected an e-mail address' }).optional()),
  SUPPORT_EMAIL: z.string().trim().email({ message: 'expected an e-mail address' }).default('support@cbgconnect.nl'),

  BUSINESS_HOURS: z.string().trim().default('mon-fri 08:30-17:00 Europe/Amsterdam'),
  RETENTION_DAYS: positiveInt('a number of days').default(183),
  REQUIRE_APPROVAL: booleanFlag,
});

type Env = z.infer<typeof envSchema>;

export type SettingName = keyof Env;

/** Every variable the configuration reads (src/settings-reference.ts documents each). */
export const SETTING_NAMES = Object.keys(envSchema.shape) as SettingName[];

/** Each setting's value when it is unset (undefined: no default), read from the schema. */
export const SETTING_DEFAULTS = Object.fromEntries(SETTING_NAMES.map((name) => [name, envSchema.shape[name].safeParse(undefined).data])) as Record<SettingName, unknown>;

export interface BusinessHours {
  always: boolean;
  /** ISO weekdays 1 (Monday) to 7 (Sunday). */
  days: number[];
  /** Minutes after midnight, local time. */
  openMinute: number;
  closeMinute: number;
  timeZone: string;
}

/**
 * Why the configuration is loaded, which decides what a missing credential means:
 * - 'serve': the production command (`node .`): every credential is required, nothing runs open;
 * - 'local': the development commands' local switch (`npm start`, `npm run playground`, tests):
 *   a side without credentials runs locally (the bot without authentication, WhatsApp simulated),
 *   only on loopback, never with NODE_ENV=production or a public PUBLIC_BASE_URL;
 * - 'tool': a command that serves nothing (migrate, customers:import, invite, doctor,
 *   template:sync): credentials are read as they are; the doctor then says what is missing.
 */
export type ConfigPurpose = 'serve' | 'local' | 'tool';

export interface LoadOptions {
  purpose?: ConfigPurpose;
  /** Which sides this process serves: a side it does not serve needs no credentials. */
  serves?: 'all' | 'teams' | 'whatsapp';
  /** Replace the built-in defaults where the environment sets nothing (the playground's demo settings). */
  defaults?: Record<string, string>;
}

export interface Config {
  env: Env['NODE_ENV'];
  production: boolean;
  purpose: ConfigPurpose;
  logLevel: Env['LOG_LEVEL'];
  databaseUrl: string | undefined;
  dataDir: string;
  /** The erasure log (tombstones that outlive a database restore); default DATA_DIR/erasures.log. */
  erasureLog: string | undefined;
  /** The key of every pseudonym kept in place of a number (lib/pseudonym-keys.ts). */
  pseudonymKeys: PseudonymKeys;
  port: number;
  /** The interface to listen on. */
  host: string;
  publicBaseUrl: string;
  /** Bearer token for GET /metrics; unset: /metrics is open in development and off in production. */
  metricsToken: string | undefined;
  bot: {
    appId: string | undefined;
    appPassword: string | undefined;
    appType: Env['MicrosoftAppType'];
    tenantId: string | undefined;
    /** No Bot Framework credentials: local mode (Agents Playground, no authentication); the role lists apply only when set. */
    localMode: boolean;
    /** Administrators: staff who also grant roles with /rechten (the bootstrap of the roles in staff_role). */
    adminIds: string[];
    staffIds: string[];
    managerIds: string[];
    /** Where Teams SSO tokens come from (OpenID discovery): {authority}/{tenant}/v2.0. */
    authorityUrl: string;
    /** Where the keys of the Bot Connector's tokens are published; botbuilder's public-cloud default when unset. */
    openIdMetadataUrl: string | undefined;
  };
  whatsapp: {
    baseUrl: string;
    version: string;
    phoneNumberId: string;
    accessToken: string;
    appSecret: string;
    verifyToken: string;
    /** The template of a storing or an update. */
    templateName: string;
    /** The template of a resolution (Opgelost): no Impact line. */
    resolvedTemplateName: string;
    templateLanguage: string;
    maxMps: number;
    /** The WhatsApp Business Account (templates live there); a placeholder in local mode. */
    businessAccountId: string | undefined;
    /** Meta's rate card for the Netherlands, in euros per message, when set: the tab estimates the bill. */
    prices: { utility: number | undefined; service: number | undefined };
    /** No Cloud API credentials: the built-in Graph API stand-in is used. */
    localMode: boolean;
  };
  mail: {
    smtpUrl: string | undefined;
    from: string;
    crmArchiveBcc: string | undefined;
    supportEmail: string;
  };
  businessHours: BusinessHours;
  retentionDays: number;
  requireApproval: boolean;
}

/**
 * What the Teams side (the staff bot; the tab gets TabSettings, less still) may read: the bot's
 * identity and the public origin. Not the WhatsApp token or app secret, the SMTP URL, the pseudonym key nor
 * the database: the composition root hands bots/ and management/ this slice only, as its own
 * object (test/architecture.test.ts checks the imports and the slice).
 */
export interface TeamsSettings {
  readonly bot: Config['bot'];
  readonly publicBaseUrl: string;
}

export function teamsSettings(config: Config): TeamsSettings {
  return Object.freeze({ bot: config.bot, publicBaseUrl: config.publicBaseUrl });
}

/** The management tab's slice: the Teams side's, without the bot's client secret (the tab checks tokens, it asks for none). */
export interface TabSettings {
  readonly bot: Omit<Config['bot'], 'appPassword'>;
  readonly publicBaseUrl: string;
}

export function tabSettings(config: Config): TabSettings {
  const bot: Partial<Config['bot']> = { ...config.bot };
  delete bot.appPassword;
  return Object.freeze({ bot: Object.freeze(bot as TabSettings['bot']), publicBaseUrl: config.publicBaseUrl });
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Parses `mon-fri 08:30-17:00 Europe/Amsterdam` (or `always`). Throws a sentence on bad input. */
export function parseBusinessHours(text: string): BusinessHours {
  if (text.trim().toLowerCase() === 'always') {
    return { always: true, days: [1, 2, 3, 4, 5, 6, 7], openMinute: 0, closeMinute: 24 * 60, timeZone: 'Europe/Amsterdam' };
  }
  const expected = 'expected e.g. "mon-fri 08:30-17:00 Europe/Amsterdam" or "always"';
  const match = /^([a-z]{3})(?:-([a-z]{3}))?\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})\s+(\S+)$/i.exec(text.trim());
  if (!match) throw new Error(expected);
  const [, fromDay, toDay, oh, om, ch, cm, timeZone] = match;
  const from = DAY_NAMES.indexOf(fromDay.toLowerCase());
  const to = DAY_NAMES.indexOf((toDay ?? fromDay).toLowerCase());
  if (from < 0 || to < 0 || to < from) throw new Error(`${expected}; days are mon, tue, wed, thu, fri, sat, sun`);
  const openMinute = Number(oh) * 60 + Number(om);
  const closeMinute = Number(ch) * 60 + Number(cm);
  if (Number(om) > 59 || Number(cm) > 59 || closeMinute > 24 * 60 || openMinute >= closeMinute) {
    throw new Error(`${expected}; the window must open before it closes`);
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new Error(`${expected}; "${timeZone}" is not a known time zone`);
  }
  const days: number[] = [];
  for (let d = from; d <= to; d++) days.push(d + 1);
  return { always: false, days, openMinute, closeMinute, timeZone };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopbackOrigin(url: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

/**
 * Validates an environment (process.env by default) and returns the frozen config. Without a
 * purpose it is loaded for the production command, which never runs without credentials.
 * Throws ConfigError listing one line per problem.
 */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Config {
  const purpose = options.purpose ?? 'serve';
  const source: NodeJS.ProcessEnv = { ...options.defaults, ...environment };
  const parsed = envSchema.safeParse(source);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.');
      const line = `${name}: ${issue.message}${name in source ? '' : ' (not set)'}`;
      if (!problems.includes(line)) problems.push(line);
    }
    try {
      if (typeof source.BUSINESS_HOURS === 'string') parseBusinessHours(source.BUSINESS_HOURS);
    } catch (error) {
      problems.push(`BUSINESS_HOURS: ${(error as Error).message}`);
    }
    throw new ConfigError(problems);
  }
  const env = parsed.data;

  let businessHours: BusinessHours | undefined;
  try {
    businessHours = parseBusinessHours(env.BUSINESS_HOURS);
  } catch (error) {
    problems.push(`BUSINESS_HOURS: ${(error as Error).message}`);
  }

  const botLocal = env.MicrosoftAppId === undefined;
  const whatsappLocal = env.WHATSAPP_ACCESS_TOKEN === undefined;
  const production = env.NODE_ENV === 'production';

  if (!botLocal) {
    if (env.MicrosoftAppType !== 'UserAssignedMSI' && !env.MicrosoftAppPassword) problems.push('MicrosoftAppPassword: required when MicrosoftAppId is set');
    // The tenant check of every staff request (R16) needs it, whatever the app type.
    if (!env.MicrosoftAppTenantId) problems.push(`MicrosoftAppTenantId: required when MicrosoftAppId is set (CBG Connect's Entra ID tenant; ${env.MicrosoftAppType} bots refuse other tenants with it)`);
  }
  if (!whatsappLocal) {
    for (const name of ['WHATSAPP_PHONE_NUMBER_ID', 'WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN'] as const) {
      if (!env[name]) problems.push(`${name}: required when WHATSAPP_ACCESS_TOKEN is set`);
    }
  }
  if (env.WHATSAPP_RESOLVED_TEMPLATE_NAME === env.WHATSAPP_TEMPLATE_NAME) {
    problems.push(`WHATSAPP_RESOLVED_TEMPLATE_NAME: a resolution has its own template (no Impact line); expected another name than WHATSAPP_TEMPLATE_NAME (${env.WHATSAPP_TEMPLATE_NAME})`);
  }
  const serves = options.serves ?? 'all';
  const botMissing = botLocal && serves !== 'whatsapp';
  const whatsappMissing = whatsappLocal && serves !== 'teams';
  if (purpose === 'serve' && (botMissing || whatsappMissing)) {
    // One line: what is missing, and where running without it belongs.
    const missing = [botMissing ? 'MicrosoftAppId (the Teams bot would accept anyone)' : '', whatsappMissing ? 'WHATSAPP_ACCESS_TOKEN (WhatsApp would be simulated)' : ''].filter(Boolean).join(' and ');
    problems.push(`credentials missing: ${missing}; the production command never runs without them (npm start runs locally, for development)`);
  }
  // The AVG e-mails at sign-up and opt-out are a legal duty (R8, R11): the production command that
  // serves WhatsApp sends them for real, whatever NODE_ENV says; mail files are for npm start only.
  if (purpose === 'serve' && serves !== 'teams' && !production && !env.SMTP_URL && !botMissing && !whatsappMissing) {
    problems.push('SMTP_URL: required for the production command serving WhatsApp (the AVG e-mails of sign-up and opt-out must be sent; .eml files on disk are for npm start only)');
  }
  if (purpose === 'local') {
    if (production) problems.push('NODE_ENV: local mode (npm start, npm run playground) is refused when NODE_ENV=production');
    if (!isLoopbackOrigin(env.PUBLIC_BASE_URL)) problems.push(`PUBLIC_BASE_URL: local mode serves this computer only; expected http://localhost:<port>, not ${env.PUBLIC_BASE_URL}`);
    if (!isLoopbackAddress(env.HOST)) problems.push(`HOST: local mode listens on loopback only; expected 127.0.0.1, not ${env.HOST}`);
  }
  if (production) {
    // Local conveniences (unauthenticated bot, WhatsApp simulator, .eml outbox, embedded database)
    // must never run in production, and every identity and API endpoint is reached over https.
    // (The production command says this in its one line above; a tool serves nothing, and the
    // doctor reports missing credentials for the sides a host serves.)
    if (botLocal && purpose === 'local') problems.push('MicrosoftAppId: required when NODE_ENV=production (local mode without authentication is for development only)');
    if (whatsappLocal && purpose === 'local') problems.push('WHATSAPP_ACCESS_TOKEN: required when NODE_ENV=production (the WhatsApp simulator is for development only)');
    if (!env.SMTP_URL) problems.push('SMTP_URL: required when NODE_ENV=production');
    if (!env.DATABASE_URL) problems.push('DATABASE_URL: required when NODE_ENV=production (the embedded database is for development only)');
    if (!env.CRM_ARCHIVE_BCC) problems.push('CRM_ARCHIVE_BCC: required when NODE_ENV=production (AVG notices must be archived in the CRM)');
    if (!env.WHATSAPP_BUSINESS_ACCOUNT_ID) problems.push('WHATSAPP_BUSINESS_ACCOUNT_ID: required when NODE_ENV=production (templates and account events are matched against it)');
    const https: [string, string | undefined][] = [
      ['PUBLIC_BASE_URL', env.PUBLIC_BASE_URL],
      ['ENTRA_AUTHORITY_URL', env.ENTRA_AUTHORITY_URL],
      ['BOT_OPENID_METADATA_URL', env.BOT_OPENID_METADATA_URL],
      ['WHATSAPP_API_BASE_URL', env.WHATSAPP_API_BASE_URL],
    ];
    for (const [name, value] of https) if (value !== undefined && !value.startsWith('https://')) problems.push(`${name}: expected an https:// URL when NODE_ENV=production`);
  }
  // The production command without credentials says only that, in its one line.
  const keyProblems: string[] = [];
  const pseudonymKeys = readPseudonymKeys(env, purpose, keyProblems);
  if (!(purpose === 'serve' && (botMissing || whatsappMissing))) problems.push(...keyProblems);
  if (problems.length > 0 || !businessHours || !pseudonymKeys) throw new ConfigError(problems);

  const config: Config = {
    env: env.NODE_ENV,
    production,
    purpose,
    logLevel: env.LOG_LEVEL,
    databaseUrl: env.DATABASE_URL,
    // systemd's StateDirectory= names the service's own writable folder: where the erasure log belongs.
    dataDir: env.DATA_DIR ?? (source.STATE_DIRECTORY?.split(':')[0] || undefined) ?? '.data',
    erasureLog: env.ERASURE_LOG,
    pseudonymKeys,
    port: env.PORT,
    host: env.HOST,
    metricsToken: env.METRICS_TOKEN,
    publicBaseUrl: env.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    bot: {
      appId: env.MicrosoftAppId,
      appPassword: env.MicrosoftAppPassword,
      appType: env.MicrosoftAppType,
      tenantId: env.MicrosoftAppTenantId,
      localMode: botLocal,
      adminIds: env.ADMIN_AAD_OBJECT_IDS,
      staffIds: env.STAFF_AAD_OBJECT_IDS,
      managerIds: env.MANAGER_AAD_OBJECT_IDS,
      authorityUrl: env.ENTRA_AUTHORITY_URL.replace(/\/+$/, ''),
      openIdMetadataUrl: env.BOT_OPENID_METADATA_URL,
    },
    whatsapp: {
      baseUrl: env.WHATSAPP_API_BASE_URL.replace(/\/+$/, ''),
      version: env.WHATSAPP_API_VERSION,
      phoneNumberId: env.WHATSAPP_PHONE_NUMBER_ID ?? 'local-phone-number-id',
      accessToken: env.WHATSAPP_ACCESS_TOKEN ?? 'local-access-token',
      appSecret: env.WHATSAPP_APP_SECRET ?? 'local-app-secret',
      verifyToken: env.WHATSAPP_VERIFY_TOKEN ?? 'local-verify-token',
      templateName: env.WHATSAPP_TEMPLATE_NAME,
      resolvedTemplateName: env.WHATSAPP_RESOLVED_TEMPLATE_NAME,
      templateLanguage: env.WHATSAPP_TEMPLATE_LANGUAGE,
      maxMps: env.WHATSAPP_MAX_MPS,
      businessAccountId: env.WHATSAPP_BUSINESS_ACCOUNT_ID ?? (whatsappLocal ? '100000000000001' : undefined),
      prices: { utility: env.WHATSAPP_PRICE_UTILITY_EUR, service: env.WHATSAPP_PRICE_SERVICE_EUR },
      localMode: whatsappLocal,
    },
    mail: {
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM,
      crmArchiveBcc: env.CRM_ARCHIVE_BCC,
      supportEmail: env.SUPPORT_EMAIL,
    },
    businessHours,
    retentionDays: env.RETENTION_DAYS,
    requireApproval: env.REQUIRE_APPROVAL,
  };
  return deepFreeze(config);
}

/**
 * The pseudonymisation key (lib/pseudonym-keys.ts). The key built into the code serves only the
 * development commands (npm start, the playground, tests); everywhere else PSEUDONYM_KEYS is
 * required (a tool runs without it until it needs a key), and none of its secrets may be a
 * credential.
 */
function readPseudonymKeys(env: Env, purpose: ConfigPurpose, problems: string[]): PseudonymKeys | undefined {
  if (env.PSEUDONYM_KEYS === undefined) {
    // Only the development commands: a tool (the restore step above all) never guesses a key.
    if (purpose === 'local') return builtInPseudonymKeys();
    const required = 'PSEUDONYM_KEYS: required outside npm start (the key of the erasure log and the other pseudonyms; npm run pseudonym-key makes one, docs/deploy.md says where it lives)';
    // Most tools make no pseudonym: they run without it, and the one that needs it stops when it asks.
    if (purpose === 'tool') return withoutPseudonymKeys(required);
    problems.push(required);
    return undefined;
  }
  try {
    const keys = parsePseudonymKeys(env.PSEUDONYM_KEYS);
    const credentials: [string, string | undefined][] = [
      ['WHATSAPP_APP_SECRET', env.WHATSAPP_APP_SECRET],
      ['WHATSAPP_ACCESS_TOKEN', env.WHATSAPP_ACCESS_TOKEN],
      ['WHATSAPP_VERIFY_TOKEN', env.WHATSAPP_VERIFY_TOKEN],
      ['MicrosoftAppPassword', env.MicrosoftAppPassword],
      ['METRICS_TOKEN', env.METRICS_TOKEN],
    ];
    // The legacy version 0 is the old app secret by definition (lib/pseudonym-keys.ts); every other version is a secret of its own.
    for (const key of keys.all.filter((k) => k.version !== 0)) {
      const same = credentials.find(([, value]) => value !== undefined && value === key.secret);
      if (same) {
        problems.push(`PSEUDONYM_KEYS: version ${key.version} is the same secret as ${same[0]}; the key must be a secret of its own (npm run pseudonym-key makes one)`);
        return undefined;
      }
    }
    return keys;
  } catch (error) {
    problems.push(`PSEUDONYM_KEYS: ${(error as Error).message}`);
    return undefined;
  }
}

/** No key at all: nothing matches, and whatever would make a new pseudonym stops with the problem. */
function withoutPseudonymKeys(problem: string): PseudonymKeys {
  const keys = { all: [], builtIn: false } as unknown as PseudonymKeys;
  // Not enumerable: deepFreeze (and a log of the config) never calls it.
  Object.defineProperty(keys, 'current', {
    enumerable: false,
    get: () => {
      throw new ConfigError([problem]);
    },
  });
  return keys;
}

export interface PackagingSettings {
  appId: string | undefined;
  publicBaseUrl: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What `npm run package:teams` needs, and only that: the app id and the public origin. The
 * bot's password and the other secrets stay where they are used.
 */
export function loadPackagingSettings(source: NodeJS.ProcessEnv = process.env): PackagingSettings {
  const parsed = envSchema.pick({ MicrosoftAppId: true, PUBLIC_BASE_URL: true }).safeParse(source);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const appId = parsed.data.MicrosoftAppId;
  if (appId !== undefined && !GUID.test(appId)) throw new ConfigError(["MicrosoftAppId: expected the app registration's application (client) id, a GUID"]);
  return { appId, publicBaseUrl: parsed.data.PUBLIC_BASE_URL.replace(/\/+$/, '') };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Loads `.env` from the working folder into process.env when present; real env vars win. */
export function loadDotEnv(): void {
  dotenv.config({ quiet: true });
}
