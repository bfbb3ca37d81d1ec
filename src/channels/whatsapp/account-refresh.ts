/**
 * The hourly look-up of the account's state (and once at start): the number's quality rating,
 * display form (the stappenplan names it) and messaging limit, and both templates' status and category (a resolution template that
 * does not exist at Meta yet, as after an upgrade, is recorded as MISSING: Opgelost is refused,
 * saying what to do, until it is approved). Webhooks report changes
 * as they happen; this catches what a missed or unsubscribed webhook field would leave stale.
 */
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import { normaliseMessagingLimit, recordNumber, recordTemplate, templateName } from '../../services/notices/whatsapp-account';
import { TEMPLATE_ROLES } from '../../services/notices/notice-template';
import { AccountApi } from './account-api';

export async function refreshAccountState(dataSource: DataSource, config: Config, api: AccountApi, logger: Logger): Promise<void> {
  try {
    const number = await api.phoneNumber();
    await recordNumber(dataSource, config, { qualityRating: number.quality_rating, messagingLimit: normaliseMessagingLimit(number.whatsapp_business_manager_messaging_limit), displayNumber: number.display_phone_number });
    if (!config.whatsapp.businessAccountId) return;
    for (const role of TEMPLATE_ROLES) {
      const name = templateName(config, role);
      const template = (await api.templates(name)).find((t) => t.language === config.whatsapp.templateLanguage);
      if (!template) logger.warn({ template: name }, 'the WhatsApp template does not exist yet: run npm run template:sync');
      if (!template && role === 'notice') continue;
      const report = template ? { name: template.name, language: template.language, status: template.status, category: template.category, reason: template.rejected_reason ?? null } : { name, language: config.whatsapp.templateLanguage, status: 'MISSING' };
      const paused = await recordTemplate(dataSource, config, report);
      if (paused.length > 0) logger.warn({ template: name, notices: paused.length }, 'the WhatsApp template can no longer be sent: notices being sent with it are paused');
    }
  } catch (error) {
    logger.warn({ err: error }, 'could not look up the WhatsApp account state');
  }
}
