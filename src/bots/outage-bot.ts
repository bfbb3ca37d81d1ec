/**
 * The Teams staff bot: a thin layer that turns commands and card actions into calls of the
 * domain services and their results into cards. Every staff action and every refusal is audited.
 */
import { randomUUID } from 'node:crypto';
import { TeamsActivityHandler, TurnContext, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type Activity } from 'botbuilder';
import type { Config } from '../config';
import { toDutch } from '../http/errors';
import { maskPhone } from '../lib/mask';
import type { Logger } from '../logger';
import { noticeKind, type StaffServices } from '../services/staff-services';
import { attachment, composeCard, confirmEraseCard, helpCard, messageCard, previewCard, statusCard, type Card, type ComposeValues } from './cards';
import { actorOf, checkStaff } from './staff-auth';

type ActionData = Record<string, unknown> & { verb?: string };

export class OutageBot extends TeamsActivityHandler {
  constructor(
    private readonly config: Config,
    private readonly services: StaffServices,
    private readonly logger: Logger,
  ) {
    super();
    this.onMessage(async (context, next) => {
      const value = context.activity.value as ActionData | undefined;
      const card = value?.verb ? await this.handleAction(context, value) : await this.handleCommand(context);
      if (card) await context.sendActivity({ attachments: [attachment(card)] });
      await next();
    });
  }

  protected async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const data = { ...(invokeValue.action?.data ?? {}), verb: invokeValue.action?.verb } as ActionData;
    const card = await this.handleAction(context, data);
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: (card ?? messageCard('Klaar', [])) as never };
  }

  private async handleCommand(context: TurnContext): Promise<Card | undefined> {
    const text = (TurnContext.removeRecipientMention(context.activity as Activity) ?? context.activity.text ?? '').trim();
    const [first = '', ...rest] = text.split(/\s+/);
    const command = first.replace(/^\//, '').toLowerCase();
    if (command === '' || command === 'help' || !['outage', 'stappenplan', 'abonnee', 'verwijder'].includes(command)) return helpCard();
    const refused = await this.refusal(context, `command.${command}`);
    if (refused) return refused;
    const actor = actorOf(context.activity);
    try {
      switch (command) {
        case 'outage':
          return composeCard({ kind: 'initial' });
        case 'stappenplan': {
          const [email, ...customer] = rest;
          if (!email || customer.length === 0) return messageCard('Gebruik: /stappenplan <e-mailadres> <klantnummer of naam>', []);
          const result = await this.services.invite(email, customer.join(' '), actor);
          return messageCard('Stappenplan verstuurd', [`Het stappenplan gaat naar ${email} voor ${result.customerName}. De persoonlijke code is 30 dagen geldig.`], 'Good');
        }
        case 'abonnee': {
          const data = await this.services.exportSubscriber(rest.join(' '), actor);
          if (!data.subscriber) return messageCard(`Over ${maskPhone(rest.join(' '))} is niets opgeslagen als abonnee.`, [`Verzendregels met dit nummer: ${data.deliveries.length}.`]);
          const s = data.subscriber;
          return messageCard(`Abonnee ${maskPhone(s.phone)}`, [
            `Voornaam: ${s.firstName ?? '(nog niet opgegeven)'} · Bedrijf: ${s.company} (${s.customerNumber}) · Status: ${s.status}`,
            `E-mail: ${s.email ?? '-'} · Aangemeld: ${s.signedUpAt.slice(0, 10)} · Meldingen ontvangen: ${data.deliveries.length} · AVG-e-mails: ${data.emails.length}`,
            `Export (JSON):\n\n${JSON.stringify(data)}`,
          ]);
        }
        case 'verwijder': {
          const phone = rest.join(' ');
          const found = await this.services.exportSubscriber(phone, actor);
          if (!found.subscriber) return messageCard('Dit nummer staat niet in de lijst van aangemelde nummers.', []);
          return confirmEraseCard(found.subscriber.phone, maskPhone(found.subscriber.phone));
        }
      }
    } catch (error) {
      return this.failure(error);
    }
    return helpCard();
  }

  private async handleAction(context: TurnContext, data: ActionData): Promise<Card | undefined> {
    const verb = String(data.verb ?? '');
    const refused = await this.refusal(context, `card.${verb}`);
    if (refused) return refused;
    const actor = actorOf(context.activity);
    const kind = noticeKind(data.kind);
    const outageId = typeof data.outageId === 'string' ? data.outageId : undefined;
    try {
      switch (verb) {
        case 'edit':
          return composeCard({ kind, outageId, values: valuesOf(data) });
        case 'preview': {
          const preview = await this.services.preview({ fields: valuesOf(data), kind, outageId });
          if ('errors' in preview) return composeCard({ kind, outageId, values: valuesOf(data), errors: preview.errors });
          return previewCard({
            kind,
            outageId,
            requestId: randomUUID(),
            values: valuesOf(data),
            text: preview.text,
            recipients: preview.recipients,
            releaseText: preview.releaseText,
            warnings: preview.warnings,
            blocked: preview.blocked,
          });
        }
        case 'send': {
          const reference = TurnContext.getConversationReference(context.activity) as unknown as Record<string, unknown>;
          const requestId = typeof data.requestId === 'string' ? data.requestId : randomUUID();
          const sent = await this.services.send({ fields: valuesOf(data), kind, outageId, actor, requestId, conversationReference: reference, cardActivityId: context.activity.replyToId });
          if ('errors' in sent) return composeCard({ kind, outageId, values: valuesOf(data), errors: sent.errors });
          return statusCard(sent);
        }
        case 'update':
        case 'resolve': {
          const values = await this.services.outageFields(outageId);
          return composeCard({ kind: verb === 'update' ? 'update' : 'resolved', outageId, values });
        }
        case 'approve': {
          return statusCard(await this.services.approve(String(data.messageId), actor));
        }
        case 'resume': {
          return statusCard(await this.services.resume(String(data.messageId), actor));
        }
        case 'cancel': {
          if (typeof data.messageId === 'string') {
            return statusCard(await this.services.cancel(data.messageId, actor));
          }
          return messageCard('Geannuleerd', ['Er is niets verstuurd.']);
        }
        case 'erase': {
          const reason = String(data.reason ?? '').trim();
          if (!reason) return confirmEraseCard(String(data.phone), maskPhone(String(data.phone)));
          await this.services.erase(String(data.phone), actor, reason);
          return messageCard(`Abonnee ${maskPhone(String(data.phone))} is verwijderd`, ['De gegevens zijn gewist en het AVG-afmeldbericht wordt per e-mail verstuurd.'], 'Good');
        }
        default:
          return helpCard();
      }
    } catch (error) {
      return this.failure(error);
    }
  }

  private async refusal(context: TurnContext, action: string): Promise<Card | undefined> {
    const refused = checkStaff(this.config, context.activity);
    const actor = actorOf(context.activity);
    await this.services.recordAccess(actor, action, refused !== null);
    if (!refused) return undefined;
    return refused === 'tenant'
      ? messageCard('Geen toegang', ['Deze bot is alleen beschikbaar voor CBG Connect.'], 'Attention')
      : messageCard('Geen toegang', ['Alleen medewerkers van CBG Connect kunnen storingsmeldingen opstellen en versturen. Neem contact op met Team Techniek als je toegang nodig hebt.'], 'Attention');
  }

  private failure(error: unknown): Card {
    const known = toDutch(error);
    if (known.startsWith('Er ging iets mis')) this.logger.error({ err: error }, 'bot action failed');
    return messageCard('Dat lukte niet', [known], 'Attention');
  }
}

function valuesOf(data: ActionData): ComposeValues {
  const pick = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
  return { service: pick('service'), scope: pick('scope'), regions: pick('regions'), severity: pick('severity'), text: pick('text'), expectedResolution: pick('expectedResolution') };
}
