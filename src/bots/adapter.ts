/**
 * The Bot Framework adapter from config: CloudAdapter with ConfigurationBotFrameworkAuthentication.
 * Without MicrosoftAppId it runs in local mode (Agents Playground, no authentication); config.ts refuses
 * that in production.
 */
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import type { Config } from '../config';
import type { Logger } from '../logger';

/** CloudAdapter whose processActivity we call ourselves, to answer errors as JSON without a stack. */
export class StaffAdapter extends CloudAdapter {
  handle(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

export function createAdapter(config: Config, logger: Logger): StaffAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.bot.appId ?? '',
    MicrosoftAppPassword: config.bot.appPassword ?? '',
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.tenantId ?? '',
  });
  const adapter = new StaffAdapter(auth);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    logger.error({ err: error, activity: context.activity?.type }, 'bot turn failed');
    try {
      await context.sendActivity('Er ging iets mis bij het verwerken van je verzoek. Probeer het opnieuw of neem contact op met Team Techniek.');
    } catch {
      // The connector may be the thing that failed; the log line above is what remains.
    }
  };
  return adapter;
}
