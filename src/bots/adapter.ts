/**
 * The Bot Framework adapter from config: CloudAdapter with ConfigurationBotFrameworkAuthentication.
 * Without MicrosoftAppId it runs in local mode (Agents Playground, no authentication); config.ts refuses
 * that in production.
 */
import { CallerIdConstants, CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import { AuthenticationConstants } from 'botframework-connector';
import type { TeamsSettings } from '../config';
import type { Logger } from '../logger';

/** CloudAdapter whose processActivity we call ourselves, to answer errors as JSON without a stack. */
export class StaffAdapter extends CloudAdapter {
  handle(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

/**
 * botbuilder takes one custom endpoint only together with all the others: the public cloud's,
 * with the channel's OpenID metadata (the Bot Connector's signing keys) at another address.
 */
function publicCloudWithMetadata(openIdMetadataUrl: string): Record<string, string | boolean> {
  return {
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: openIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}

export function createAdapter(config: TeamsSettings, logger: Logger): StaffAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.bot.appId ?? '',
    MicrosoftAppPassword: config.bot.appPassword ?? '',
    // Local mode has no app id: botbuilder accepts that (authentication off) only as MultiTenant.
    MicrosoftAppType: config.bot.localMode ? 'MultiTenant' : config.bot.appType,
    MicrosoftAppTenantId: config.bot.tenantId ?? '',
    ...(config.bot.openIdMetadataUrl ? publicCloudWithMetadata(config.bot.openIdMetadataUrl) : {}),
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
