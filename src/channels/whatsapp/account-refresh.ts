/**
 * The hourly look-up of the account's state (and once at start): the number's quality rating
 * and messaging limit, and the outage template's status and category. Webhooks report changes
 * as they happen; this catches what a missed or unsubscribed webhook field would leave stale.
 */
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import { normaliseMessagingLimit, recordNumber, recordTemplate } from '../../services/notices/whatsapp-account';
import { AccountApi } from './account-api';

export async function refreshAccountState(dataSource: DataSource, config: Config, api: AccountApi, logger: Logger): Promise<void> {
  try {
    const number = await api.phoneNumber();
    await recordNumber(dataSource, config, { qualityRating: number.quality_rating, messagingLimit: normaliseMessagingLimit(number.whatsapp_business_manager_messaging_limit) });
    if (!config.whatsapp.businessAccountId) return;
    const template = (await api.templates(config.whatsapp.templateName)).find((t) => t.language === config.whatsapp.templateLanguage);
    if (!template) {
      logger.warn({ template: config.whatsapp.templateName }, 'the WhatsApp template does not exist yet: run npm run template:sync');
      return;
    }
    const paused = await recordTemplate(dataSource, config, { name: template.name, language: template.language, status: template.status, category: template.category, reason: template.rejected_reason ?? null });
    if (paused.length > 0) logger.warn({ notices: paused.length }, 'the WhatsApp template can no longer be sent: notices being sent are paused');
  } catch (error) {
    logger.warn({ err: error }, 'could not look up the WhatsApp account state');
  }
}
