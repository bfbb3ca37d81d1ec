/**
 * `npm run template:sync`: creates each of the two templates (the notice's and the resolution's)
 * on the WhatsApp Business Account when it does not exist (category UTILITY, the body of
 * services/notices/notice-template.ts with sample values), and otherwise reports its status,
 * category, any rejection reason and whether its body differs from the code's. Exit 1 when a
 * template cannot be sent as it is (one just created waits for Meta's review: exit 0).
 */
import { ConfigError, loadConfig, loadDotEnv, type Config } from '../config';
import { graphFix } from '../doctor/whatsapp-check';
import { TEMPLATE_BODIES, TEMPLATE_ROLES, templateDefinition } from '../services/notices/notice-template';
import { CATEGORY_FIX, NOTICE_CATEGORY, templateName } from '../services/notices/whatsapp-account';
import { AccountApi } from '../channels/whatsapp/account-api';

const USABLE = new Set(['APPROVED', 'PENDING', 'IN_APPEAL']);

export async function syncTemplate(config: Config, say: (line: string) => void): Promise<boolean> {
  const { templateLanguage: language, businessAccountId } = config.whatsapp;
  if (config.whatsapp.localMode) {
    say('local mode: the built-in Graph API stand-in already has both templates, approved. Set WHATSAPP_ACCESS_TOKEN and WHATSAPP_BUSINESS_ACCOUNT_ID to sync them with Meta.');
    return false;
  }
  if (!businessAccountId) {
    say('WHATSAPP_BUSINESS_ACCOUNT_ID is not set: templates belong to the WhatsApp Business Account (WhatsApp Manager > Account tools, or Business settings > WhatsApp accounts).');
    return false;
  }
  const api = new AccountApi(config.whatsapp);
  let good = true;
  // Each template in turn: the notice's (storing, update), then the resolution's (Opgelost).
  for (const role of TEMPLATE_ROLES) {
    const name = templateName(config, role);
    const wanted = TEMPLATE_BODIES[role];
    try {
      const existing = (await api.templates(name)).find((t) => t.language === language);
      if (!existing) {
        const created = await api.createTemplate(templateDefinition(name, language, role));
        say(`created ${name} (${language}) in WhatsApp Business Account ${businessAccountId}: id ${created.id}, category ${created.category}, status ${created.status}.`);
        say("Meta reviews it now (usually minutes, at most 24 hours). Run npm run template:sync again to see the status; the service learns it by webhook and within the hour.");
        continue;
      }
      const body = existing.components.find((c) => c.type === 'BODY')?.text ?? '';
      say(`${name} (${language}): status ${existing.status}, category ${existing.category}${existing.rejected_reason && existing.rejected_reason !== 'NONE' ? `, rejected because ${existing.rejected_reason}` : ''}.`);
      if (body === wanted) {
        say("its body is the code's.");
      } else {
        say("its body differs from the code's (services/notices/notice-template.ts):");
        say(`  at Meta:  ${JSON.stringify(body)}`);
        say(`  the code: ${JSON.stringify(wanted)}`);
        say('edit it in WhatsApp Manager > Message templates (it is reviewed again), or delete it there and run npm run template:sync.');
      }
      const utility = existing.category === NOTICE_CATEGORY;
      if (!utility) say(`outage notices are UTILITY messages; as ${existing.category} the service refuses to send them. Fix: ${CATEGORY_FIX}.`);
      good &&= USABLE.has(existing.status) && body === wanted && utility;
    } catch (error) {
      say(`Graph API refused: ${(error as Error).message}`);
      say(`fix: ${graphFix(error, config, 'account')}`);
      return false;
    }
  }
  return good;
}

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig(process.env, { purpose: 'tool' });
  const good = await syncTemplate(config, (line) => process.stdout.write(`${line}\n`));
  process.exit(good ? 0 : 1);
}

if (require.main === module) {
  main().catch((error: Error) => {
    const lines = error instanceof ConfigError ? error.problems.map((p) => `configuration error: ${p}`) : [`npm run template:sync: ${error.message}`];
    process.stderr.write(`${lines.join('\n')}\n`);
    process.exit(1);
  });
}
