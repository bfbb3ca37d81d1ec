/**
 * The doctor certifies a production configuration only: NODE_ENV=production and real
 * credentials on both sides. A local side (no credentials) would run the bot without
 * authentication or simulate WhatsApp, which is never ready to go live.
 */
import type { Config } from '../config';
import { fail, ok, type CheckResult } from './check';

const NAME = 'production';

/** serves: the sides this host runs (`npm run doctor -- teams` on a Teams-only host). */
export function checkProduction(config: Config, serves: 'all' | 'teams' | 'whatsapp' = 'all'): CheckResult[] {
  const results: CheckResult[] = [];
  if (!config.production) {
    results.push(fail(NAME, `NODE_ENV is ${config.env}: the doctor certifies a production configuration only`, 'set NODE_ENV=production (the systemd unit and .env.example of the deploy guide do)'));
  }
  if (config.bot.localMode && serves !== 'whatsapp') {
    results.push(fail('Teams credentials', 'MicrosoftAppId is not set: the bot would accept anyone, without authentication', 'set MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppTenantId of the Azure Bot (docs/deploy.md)'));
  }
  if (config.whatsapp.localMode && serves !== 'teams') {
    results.push(fail('WhatsApp credentials', 'WHATSAPP_ACCESS_TOKEN is not set: WhatsApp would only be simulated', 'set WHATSAPP_ACCESS_TOKEN, WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN (docs/deploy.md)'));
  }
  const keys = config.pseudonymKeys;
  if (keys.builtIn || keys.all.length === 0) {
    const why = keys.builtIn ? 'the key built in for development would make the erasure log readable by anyone with the code' : 'the service does not start without it';
    results.push(fail('pseudonymisation key', `PSEUDONYM_KEYS is not set: ${why}`, "npm run pseudonym-key, and put its line in the service's environment and its password vault (docs/deploy.md, Pseudonymisation key)"));
  }
  if (results.length === 0) results.push(ok(NAME, `NODE_ENV=production with Bot Framework and WhatsApp credentials, pseudonymisation key version ${keys.current.version} (${keys.all.length} version(s) kept)`));
  return results;
}
