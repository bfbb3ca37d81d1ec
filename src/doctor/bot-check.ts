/**
 * The Teams side: the bot's credentials obtain a token from Entra ID (client credentials for
 * the Bot Framework, as the adapter does before every reply), and someone is staff.
 */
import type { Config } from '../config';
import { fail, ok, reason, skip, warn, type CheckResult } from './check';

const NAME = 'Bot Framework';
export const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com/.default';

interface TokenError {
  error?: string;
  error_description?: string;
}

function fixFor(answer: TokenError, config: Config, tenant: string): string {
  const code = /AADSTS\d+/.exec(answer.error_description ?? '')?.[0];
  switch (code) {
    case 'AADSTS7000215':
    case 'AADSTS7000222':
      return `MicrosoftAppPassword is not a valid (or no longer valid) client secret of app ${config.bot.appId}: add a new secret under Certificates & secrets of the app registration and set its value (not its id)`;
    case 'AADSTS700016':
      return `app ${config.bot.appId} is not registered in tenant ${tenant}: check MicrosoftAppId, and MicrosoftAppType / MicrosoftAppTenantId (a SingleTenant bot needs the tenant of its app registration)`;
    case 'AADSTS90002':
    case 'AADSTS900023':
      return `tenant ${tenant} does not exist: set MicrosoftAppTenantId to the Directory (tenant) ID of the app registration`;
    default:
      return 'check MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType and MicrosoftAppTenantId against the Azure Bot resource and its app registration';
  }
}

async function checkToken(config: Config): Promise<CheckResult> {
  const { appId, appPassword, appType, tenantId, authorityUrl } = config.bot;
  if (appType === 'UserAssignedMSI') return skip(NAME, 'MicrosoftAppType=UserAssignedMSI: the token comes from the Azure host\'s managed identity, which only the host itself can check');
  // A multi-tenant bot gets its token from the Bot Framework's own tenant.
  const tenant = appType === 'SingleTenant' ? tenantId! : 'botframework.com';
  const endpoint = `${authorityUrl}/${tenant}/oauth2/v2.0/token`;
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: appId!, client_secret: appPassword ?? '', scope: BOT_FRAMEWORK_SCOPE }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    return fail(NAME, `${new URL(endpoint).host} cannot be reached: ${reason(error)}`, 'check ENTRA_AUTHORITY_URL and that this machine may make outbound HTTPS calls');
  }
  const answer = (await res.json().catch(() => ({}))) as TokenError & { access_token?: string };
  if (res.ok && answer.access_token) return ok(NAME, `Entra ID issues a Bot Framework token for app ${appId} (${appType}, tenant ${tenant})`);
  const firstLine = (answer.error_description ?? `HTTP ${res.status}`).split(/\r?\n/)[0].replace(/ Trace ID:.*$/, '');
  return fail(NAME, `Entra ID refused a token for app ${appId}: ${answer.error ?? res.status}: ${firstLine}`, fixFor(answer, config, tenant));
}

export async function checkBot(config: Config): Promise<CheckResult[]> {
  if (config.bot.localMode) {
    const listed = config.bot.adminIds.length + config.bot.staffIds.length;
    const lists = listed > 0 ? `; ADMIN_AAD_OBJECT_IDS and STAFF_AAD_OBJECT_IDS apply (${listed})` : '; everyone is staff';
    return [skip(NAME, `MicrosoftAppId not set: local mode, no authentication (the Agents Playground)${lists}`)];
  }
  const results = [await checkToken(config)];
  results.push(
    config.bot.adminIds.length > 0
      ? ok('staff', `${config.bot.adminIds.length} administrator(s) in ADMIN_AAD_OBJECT_IDS, ${config.bot.staffIds.length} staff and ${config.bot.managerIds.length} manager(s) in the settings; the rest are granted in Teams with /rechten`)
      : config.bot.staffIds.length > 0
        ? warn('staff', `${config.bot.staffIds.length} staff member(s) in STAFF_AAD_OBJECT_IDS and no administrator: roles change only in the settings, with a restart`, 'set ADMIN_AAD_OBJECT_IDS to one or two administrators, who then manage roles in Teams with /rechten')
        : fail('staff', 'ADMIN_AAD_OBJECT_IDS and STAFF_AAD_OBJECT_IDS are empty: nobody may send a notice or grant a role', 'set ADMIN_AAD_OBJECT_IDS to the Entra ID object ids of one or two administrators; they grant everyone else in Teams with /rechten'),
  );
  return results;
}
