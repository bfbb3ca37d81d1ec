/**
 * What every setting of the configuration means, to whom it matters and an example: the single
 * source of docs/configuration.md and .env.example (scripts/docs.ts writes both; test/docs.test.ts
 * fails when either differs). The defaults come from the schema itself (config.ts), so a changed
 * default changes the documents. The record is typed by the schema's keys: a setting without an
 * entry here, or an entry without a setting, does not compile.
 */
import { SETTING_DEFAULTS, type SettingName } from './config';

/**
 * - production: what an operator sets for a normal production installation (at most 15);
 * - optional: a default that fits most deployments, with an override where a real one needs it;
 * - stand-in: endpoints that exist for the local stand-ins and tests, never set in production.
 */
export type SettingGroup = 'production' | 'optional' | 'stand-in';

export interface SettingDoc {
  group: SettingGroup;
  /** One or two sentences: what it is and what it changes. */
  meaning: string;
  /** A realistic value (never a real secret). */
  example: string;
  /** When it must be set, where that is more than "in production". */
  required?: string;
  /** What unset means, where the schema has no default but the code derives one. */
  whenUnset?: string;
}

export const SETTINGS: Record<SettingName, SettingDoc> = {
  NODE_ENV: {
    group: 'production',
    meaning: 'Set to production on every production host: the service then refuses to start without the database, mail, CRM archive and business account, and requires https endpoints. npm start refuses it (local mode is for development).',
    example: 'production',
  },
  DATABASE_URL: {
    group: 'production',
    meaning: 'The PostgreSQL database (13 or newer; restoring a backup as docs/deploy.md says needs 15). Unset: an embedded PostgreSQL under DATA_DIR/postgres, for npm start only.',
    example: 'postgres://storingsmelder:secret@db.internal:5432/storingsmelder',
    whenUnset: 'embedded PostgreSQL (npm start only)',
  },
  PSEUDONYM_KEYS: {
    group: 'production',
    meaning: 'Our own secret that keys the hashes of the erasure log, the sign-up counters and forgotten deliveries; never a Meta, Microsoft or mail credential. Versioned (`2:<new>,1:<old>`): the highest makes new hashes, every version still matches. npm run pseudonym-key makes one; keep it in the password vault (docs/deploy.md).',
    example: '1:<the key npm run pseudonym-key prints>',
    required: 'everywhere but npm start (which uses a built-in development key)',
  },
  PUBLIC_BASE_URL: {
    group: 'production',
    meaning: 'The public https origin: the Teams app package, the tab and the webhook addresses use it.',
    example: 'https://storing.cbgconnect.nl',
  },
  MicrosoftAppId: {
    group: 'production',
    meaning: "The Azure Bot's app registration (application id). Unset: only npm start runs, the bot then without authentication (Agents Playground).",
    example: '3f2b1c9e-7a41-4d7e-9a55-1f0c2d3e4b5a',
  },
  MicrosoftAppPassword: {
    group: 'production',
    meaning: "The app registration's client secret.",
    example: '<client secret>',
    required: 'with MicrosoftAppId, unless MicrosoftAppType is UserAssignedMSI',
  },
  MicrosoftAppTenantId: {
    group: 'production',
    meaning: "CBG Connect's Entra ID tenant: every staff request and tab token from another tenant is refused.",
    example: '9c7d5e3a-1b2c-4d5e-8f90-a1b2c3d4e5f6',
    required: 'with MicrosoftAppId',
  },
  ADMIN_AAD_OBJECT_IDS: {
    group: 'production',
    meaning: 'Comma list of Entra ID object ids of the administrators (one or two: the support lead, the IT person). They are staff and give everyone else their role in Teams with /rechten, without a restart. Applies in local mode too once set; with no administrator or staff list, local mode lets everyone in.',
    example: '0b8e4c2a-5d6f-4a1b-9c3d-7e8f9a0b1c2d',
  },
  WHATSAPP_PHONE_NUMBER_ID: {
    group: 'production',
    meaning: 'The Cloud API phone number id (WhatsApp Manager, API setup). Its display number, quality rating, messaging limit and throughput are read from Meta.',
    example: '106540352242922',
    required: 'with WHATSAPP_ACCESS_TOKEN',
  },
  WHATSAPP_ACCESS_TOKEN: {
    group: 'production',
    meaning: "A system user's permanent access token with whatsapp_business_messaging and whatsapp_business_management. Unset: only npm start runs, WhatsApp then simulated on this computer.",
    example: '<system user token>',
  },
  WHATSAPP_APP_SECRET: {
    group: 'production',
    meaning: "The Meta app's secret: every webhook's X-Hub-Signature-256 is checked with it.",
    example: '<app secret>',
    required: 'with WHATSAPP_ACCESS_TOKEN',
  },
  WHATSAPP_VERIFY_TOKEN: {
    group: 'production',
    meaning: "A random string of ours that Meta's webhook set-up must send back (GET /webhooks/whatsapp).",
    example: '<random string>',
    required: 'with WHATSAPP_ACCESS_TOKEN',
  },
  WHATSAPP_BUSINESS_ACCOUNT_ID: {
    group: 'production',
    meaning: 'The WhatsApp Business Account that holds the templates: npm run template:sync, the doctor and the hourly look-up use it; account events of any other account are ignored.',
    example: '102290129340398',
  },
  SMTP_URL: {
    group: 'production',
    meaning: 'The mail server for the AVG notices and the stappenplan: smtps://user:pass@host:465, or smtp://user:pass@host:587 with STARTTLS, which production requires. Unset: mails are written as .eml files under DATA_DIR/outbox/ (npm start only).',
    example: 'smtp://storingsmelder:secret@smtp.cbgconnect.nl:587',
    required: 'in production, and for the production command serving WhatsApp',
  },
  CRM_ARCHIVE_BCC: {
    group: 'production',
    meaning: 'The CRM archive address: every AVG notice goes to it as BCC.',
    example: 'archief@crm.cbgconnect.nl',
  },

  LOG_LEVEL: {
    group: 'optional',
    meaning: 'fatal, error, warn, info, debug, trace or silent.',
    example: 'info',
  },
  DATA_DIR: {
    group: 'optional',
    meaning: 'The folder for local data: the embedded database, the .eml outbox and the erasure log by default.',
    example: '/var/lib/storingsmelder',
    whenUnset: "systemd's state directory when the unit has StateDirectory= (it sets STATE_DIRECTORY), else .data",
  },
  ERASURE_LOG: {
    group: 'optional',
    meaning: 'The erasure log: a line (id, time, keyed hashes; never a number) per opt-out and erasure, outside the database, so that a restored backup cannot bring anyone back. In production on storage a database restore does not touch, shared by every instance; it must be writable or the service does not start. Unset: DATA_DIR/erasures.log.',
    example: '/var/lib/storingsmelder/erasures.log',
    whenUnset: 'DATA_DIR/erasures.log',
  },
  PORT: {
    group: 'optional',
    meaning: 'The HTTP port.',
    example: '3978',
  },
  HOST: {
    group: 'optional',
    meaning: 'The interface to listen on: 127.0.0.1 behind a reverse proxy on the same machine, 0.0.0.0 in a container or on App Service (and firewall the port). Local mode listens on loopback only.',
    example: '0.0.0.0',
  },
  METRICS_TOKEN: {
    group: 'optional',
    meaning: 'The bearer token Prometheus sends for GET /metrics (at least 16 characters). Unset: /metrics is off in production (open only under npm start).',
    example: '<random token>',
  },
  MicrosoftAppType: {
    group: 'optional',
    meaning: 'SingleTenant, UserAssignedMSI or MultiTenant (new multi-tenant bots cannot be registered since 31 July 2025).',
    example: 'UserAssignedMSI',
  },
  STAFF_AAD_OBJECT_IDS: {
    group: 'optional',
    meaning: 'Comma list of Entra ID object ids who are always staff (compose and send), on top of those granted with /rechten; the list from before /rechten existed keeps working. Applies in local mode too once set.',
    example: '4d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0d',
  },
  MANAGER_AAD_OBJECT_IDS: {
    group: 'optional',
    meaning: 'Comma list of Entra ID object ids who always see the management tab; administrators add others with /rechten. In local mode, once set, the tab refuses its figures (there is no sign-in to check).',
    example: '6a1f0e2d-3c4b-4a59-8e7d-6c5b4a392817',
  },
  WHATSAPP_API_VERSION: {
    group: 'optional',
    meaning: 'The Graph API version; Meta switches each version off about two years after its release (v21.0: 21 January 2027), npm run doctor warns ahead.',
    example: 'v25.0',
  },
  WHATSAPP_TEMPLATE_NAME: {
    group: 'optional',
    meaning: 'The approved template of a notice and its updates (status, service, area, impact, text).',
    example: 'storing_melding',
  },
  WHATSAPP_RESOLVED_TEMPLATE_NAME: {
    group: 'optional',
    meaning: "A resolution's own template (Opgelost: service, area, text; no Impact line); another name than WHATSAPP_TEMPLATE_NAME.",
    example: 'storing_opgelost',
  },
  WHATSAPP_TEMPLATE_LANGUAGE: {
    group: 'optional',
    meaning: 'The language of both templates.',
    example: 'nl',
  },
  WHATSAPP_MAX_MPS: {
    group: 'optional',
    meaning: "Sends per second for the number: 80 for Meta's standard throughput; set up to 1000 once Meta reports the number's throughput as HIGH (npm run doctor shows it).",
    example: '1000',
  },
  WHATSAPP_PRICE_UTILITY_EUR: {
    group: 'optional',
    meaning: "Meta's rate for one delivered utility template in the Netherlands, in euros (0.0456 or 0,0456): the tab then estimates the month's bill. Unset: the tab counts without amounts.",
    example: '0.0456',
  },
  WHATSAPP_PRICE_SERVICE_EUR: {
    group: 'optional',
    meaning: "Meta's rate for one service message, in euros, for the same estimate.",
    example: '0',
  },
  MAIL_FROM: {
    group: 'optional',
    meaning: 'The sender of every mail.',
    example: 'CBG Connect <noreply@cbgconnect.nl>',
  },
  SUPPORT_EMAIL: {
    group: 'optional',
    meaning: 'The address the stappenplan and the privacy notices name for questions.',
    example: 'support@cbgconnect.nl',
  },
  BUSINESS_HOURS: {
    group: 'optional',
    meaning: 'When notices go out (a notice outside them waits, unless staff choose to send at once); "always" for tests. Dutch public holidays are never working days.',
    example: 'mon-fri 08:00-18:00 Europe/Amsterdam',
  },
  RETENTION_DAYS: {
    group: 'optional',
    meaning: 'Days a delivery keeps the link to its recipient; after that only counts remain.',
    example: '183',
  },
  REQUIRE_APPROVAL: {
    group: 'optional',
    meaning: 'true: a second staff member approves each notice before it goes out (four-eyes).',
    example: 'true',
  },

  WHATSAPP_API_BASE_URL: {
    group: 'stand-in',
    meaning: "The Graph API's origin; tests and the local stand-in point it elsewhere. https in production.",
    example: 'http://127.0.0.1:4010',
  },
  ENTRA_AUTHORITY_URL: {
    group: 'stand-in',
    meaning: 'The Entra ID authority that issues the tab\'s Teams SSO tokens (OpenID discovery at {authority}/{tenant}/v2.0); tests point it at a stand-in. https in production.',
    example: 'http://127.0.0.1:4011',
  },
  BOT_OPENID_METADATA_URL: {
    group: 'stand-in',
    meaning: "Where the Bot Connector's signing keys are published (OpenID metadata). Unset: the public cloud's; tests point it at a stand-in. https in production.",
    example: 'http://127.0.0.1:4012/v1/.well-known/openidconfiguration',
  },
};

const GROUP_TITLES: Record<SettingGroup, string> = {
  production: 'Required for production',
  optional: 'Optional',
  'stand-in': 'For tests and stand-ins only',
};

const GROUP_INTROS: Record<SettingGroup, string> = {
  production:
    'A production installation on a Linux VM as in docs/deploy.md sets these and nothing else (its unit file sets `NODE_ENV`). In a container or on App Service add `HOST=0.0.0.0`; with Prometheus add `METRICS_TOKEN`. `npm start` needs none of them: without credentials it runs locally, on this computer only. The production command (`node .`) refuses to start while one is missing, in one line that names it.',
  optional: 'Each has a default that fits a normal installation; set one only to change what it says.',
  'stand-in': "Endpoints of Meta's and Microsoft's services, so that tests and the local stand-ins can take their place. Never set in production; they are not in `.env.example`.",
};

export const SETTING_GROUPS: SettingGroup[] = ['production', 'optional', 'stand-in'];

export function settingsIn(group: SettingGroup): SettingName[] {
  return (Object.keys(SETTINGS) as SettingName[]).filter((name) => SETTINGS[name].group === group);
}

/** The schema's default as text, or what being unset means. */
function defaultText(name: SettingName): string {
  const derived = SETTINGS[name].whenUnset;
  if (derived !== undefined) return derived;
  const value = SETTING_DEFAULTS[name];
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return 'unset';
  if (Array.isArray(value)) return value.join(',');
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** docs/configuration.md, whole. */
export function configurationDoc(): string {
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated from src/settings-reference.ts by `npm run docs`; test/docs.test.ts fails when it differs. Edit the source, not this file. -->',
    '',
    'Every setting is an environment variable; a `.env` file in the working folder is read at start (real environment variables win). `.env.example` lists the first two groups. Every value is checked at start: a bad or missing one stops the start with one line per problem, naming the variable and what is expected. `npm run doctor` then checks what the values reach (database, Meta, Entra ID, mail).',
    '',
    'The display number, the messaging limit, the quality rating and the throughput of the WhatsApp number are read from Meta (at start and hourly, and from account webhooks), not configured.',
  ];
  for (const group of SETTING_GROUPS) {
    const names = settingsIn(group);
    lines.push('', `## ${GROUP_TITLES[group]} (${names.length})`, '', GROUP_INTROS[group], '', '| variable | meaning | default | example |', '| --- | --- | --- | --- |');
    for (const name of names) {
      const doc = SETTINGS[name];
      const meaning = doc.required ? `${doc.meaning} Required ${doc.required}.` : doc.meaning;
      lines.push(`| \`${name}\` | ${cell(meaning)} | ${cell(defaultText(name))} | \`${cell(doc.example)}\` |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Wraps a sentence into `# ` comment lines of at most 100 characters. */
function comment(text: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length + 1 + word.length > 100 && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

/** .env.example, whole: every line commented out, so a copy changes nothing until a line is opened. */
export function envExample(): string {
  const lines = [
    '# Storingsmelder configuration: copy to .env and open the lines you need (real environment',
    '# variables win). Generated from src/settings-reference.ts by `npm run docs`; docs/configuration.md',
    '# says more. npm start needs none of these.',
  ];
  for (const group of SETTING_GROUPS.filter((g) => g !== 'stand-in')) {
    lines.push('', `# ==== ${GROUP_TITLES[group]} ====`);
    for (const name of settingsIn(group)) {
      const doc = SETTINGS[name];
      const defaults = defaultText(name);
      lines.push('', ...comment(`${doc.meaning}${doc.required ? ` Required ${doc.required}.` : ''}${defaults === 'unset' ? '' : ` Default: ${defaults}.`}`));
      lines.push(`#${name}=${doc.example}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
