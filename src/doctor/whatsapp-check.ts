/**
 * The WhatsApp side: the access token works and the phone number exists (with what Meta says
 * of it), and the outage template exists, is APPROVED and has the 5 body parameters the code
 * fills.
 */
import type { Config } from '../config';
import { parameterCount, TEMPLATE_BODIES, TEMPLATE_ROLES, type TemplateRole } from '../services/notices/notice-template';
import { normaliseMessagingLimit } from '../services/notices/whatsapp-account';
import { AccountApi } from '../channels/whatsapp/account-api';
import { CloudApiError } from '../channels/whatsapp/cloud-api-errors';
import { fail, ok, reason, skip, type CheckResult } from './check';
import { CATEGORY_FIX, NOTICE_CATEGORY, templateName } from '../services/notices/whatsapp-account';

const TOKEN_FIX = 'create a permanent token for a system user with whatsapp_business_messaging and whatsapp_business_management (Meta Business settings > System users) and set WHATSAPP_ACCESS_TOKEN';

export function graphFix(error: unknown, config: Config, what: 'number' | 'account'): string {
  const code = error instanceof CloudApiError ? error.code : undefined;
  if (code === 190) return `the access token is not valid or has expired: ${TOKEN_FIX}`;
  if (code === 10 || code === 200) return `the token lacks a permission: ${TOKEN_FIX}`;
  if (code === 100 && what === 'number') return `WHATSAPP_PHONE_NUMBER_ID ${config.whatsapp.phoneNumberId} is not a phone number this token can see: copy the Phone number ID from WhatsApp Manager > API setup`;
  if (code === 100) return `WHATSAPP_BUSINESS_ACCOUNT_ID ${config.whatsapp.businessAccountId} is not a WhatsApp Business Account this token can see: copy the WhatsApp Business Account ID from WhatsApp Manager`;
  if (error instanceof CloudApiError && error.httpStatus === 0) return 'Graph API cannot be reached from here: check WHATSAPP_API_BASE_URL and outbound HTTPS';
  return 'check the WhatsApp settings against WhatsApp Manager > API setup';
}

export async function checkWhatsApp(config: Config): Promise<CheckResult[]> {
  if (config.whatsapp.localMode) return [skip('WhatsApp', 'WHATSAPP_ACCESS_TOKEN not set: the built-in Graph API stand-in, nothing leaves this machine (local mode)')];
  const api = new AccountApi(config.whatsapp);
  const results: CheckResult[] = [];
  try {
    const n = await api.phoneNumber();
    const detail = `number ${n.display_phone_number ?? '?'} (${n.verified_name ?? 'no verified name'}): quality ${n.quality_rating ?? '?'}, messaging limit ${normaliseMessagingLimit(n.whatsapp_business_manager_messaging_limit) ?? '?'}, throughput ${n.throughput?.level ?? '?'}`;
    results.push(
      n.quality_rating === 'RED'
        ? fail('WhatsApp number', detail, 'the quality rating is low: Meta may lower the messaging limit; see WhatsApp Manager > Insights before the first broadcast')
        : ok('WhatsApp number', `token valid; ${detail}`),
    );
  } catch (error) {
    results.push(fail('WhatsApp number', `Graph API refused the phone number look-up: ${reason(error)}`, graphFix(error, config, 'number')));
  }
  for (const role of TEMPLATE_ROLES) results.push(await checkTemplate(config, api, role));
  return results;
}

async function checkTemplate(config: Config, api: AccountApi, role: TemplateRole): Promise<CheckResult> {
  const { templateLanguage: language } = config.whatsapp;
  const name = templateName(config, role);
  const NAME = role === 'resolution' ? 'WhatsApp template (Opgelost)' : 'WhatsApp template';
  const codeBody = TEMPLATE_BODIES[role];
  if (!config.whatsapp.businessAccountId) {
    return fail(NAME, `${name} (${language}) not checked: templates belong to the WhatsApp Business Account`, 'set WHATSAPP_BUSINESS_ACCOUNT_ID (WhatsApp Manager > Account tools, or Business settings > WhatsApp accounts)');
  }
  let template;
  try {
    template = (await api.templates(name)).find((t) => t.language === language);
  } catch (error) {
    return fail(NAME, `Graph API refused the template look-up: ${reason(error)}`, graphFix(error, config, 'account'));
  }
  if (!template) return fail(NAME, `${name} (${language}) does not exist in WhatsApp Business Account ${config.whatsapp.businessAccountId}`, 'run npm run template:sync, then wait for Meta\'s review (npm run template:sync shows its status)');
  const body = template.components.find((c) => c.type === 'BODY')?.text ?? '';
  const wanted = parameterCount(codeBody);
  const found = parameterCount(body);
  const note = `${template.category}${template.category === 'UTILITY' ? '' : ', expected UTILITY'}${body === codeBody ? '' : ', body differs from the code (npm run template:sync shows how)'}`;
  if (template.status !== 'APPROVED') {
    const why = template.rejected_reason && template.rejected_reason !== 'NONE' ? ` (${template.rejected_reason})` : '';
    const fix = template.status === 'PENDING' ? "wait for Meta's review (minutes, at most 24 hours); npm run template:sync shows the status" : 'see the template in WhatsApp Manager > Message templates; edit or appeal it there, then wait for the review';
    return fail(NAME, `${name} (${language}) is ${template.status}${why}; ${note}`, fix);
  }
  if (template.category !== NOTICE_CATEGORY) {
    return fail(NAME, `${name} (${language}) is APPROVED as ${template.category}, not UTILITY: notices would be billed and opted out of as ${template.category.toLowerCase()}, so the service refuses to send them`, CATEGORY_FIX);
  }
  if (found !== wanted) {
    return fail(NAME, `${name} (${language}) is APPROVED but its body has ${found} variables; the code fills ${wanted}`, `delete it in WhatsApp Manager and run npm run template:sync to create it with the code's body (or set ${role === 'resolution' ? 'WHATSAPP_RESOLVED_TEMPLATE_NAME' : 'WHATSAPP_TEMPLATE_NAME'} to a new name)`);
  }
  return ok(NAME, `${name} (${language}) is APPROVED with ${wanted} body parameters; ${note}`);
}
