import type { Config } from '../config';
import type { Logger } from '../logger';
import { maskAddress } from '../lib/mask';
import { templateDefinition } from '../services/notices/notice-template';
import { GraphStandIn, addressOf } from './graph-standin';

/**
 * Local mode (no WHATSAPP_ACCESS_TOKEN): a Graph API stand-in on a free local port takes what
 * would go to Meta and logs it, so the whole service runs end to end without a Meta account.
 */
export async function startLocalWhatsApp(config: Config, logger: Logger): Promise<GraphStandIn> {
  const standIn = new GraphStandIn({
    accessToken: config.whatsapp.accessToken,
    phoneNumberId: config.whatsapp.phoneNumberId,
    keep: 1000,
    // Both templates as if Meta had approved them, so local mode sends what production would.
    account: {
      businessAccountId: config.whatsapp.businessAccountId,
      templates: [
        { id: '1', status: 'APPROVED', ...templateDefinition(config.whatsapp.templateName, config.whatsapp.templateLanguage) },
        { id: '2', status: 'APPROVED', ...templateDefinition(config.whatsapp.resolvedTemplateName, config.whatsapp.templateLanguage, 'resolution') },
      ],
    },
    onMessage: (request) => {
      const body = request.body as { type: string; text?: { body: string }; template?: { components: { parameters: { text: string }[] }[] } };
      const content = body.type === 'text' ? body.text?.body : body.template?.components[0]?.parameters.map((p) => p.text).join(' | ');
      logger.info({ to: maskAddress(addressOf(request.body) ?? ''), type: body.type, content }, 'WhatsApp simulator: message that would have been sent');
    },
  });
  const url = await standIn.start();
  logger.info({ url }, 'WhatsApp simulator (Graph API stand-in) is running; no messages leave this machine');
  return standIn;
}
