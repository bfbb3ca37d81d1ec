/**
 * The Teams staff bot: a thin layer that turns commands and card actions into calls of the
 * domain services and their results into cards. Every staff action and every refusal is audited.
 */
import { randomUUID } from 'node:crypto';
import { TeamsActivityHandler, TurnContext, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue } from 'botbuilder';
import type { TeamsSettings } from '../config';
import { toDutch, ValidationError } from '../http/errors';
import { maskAddress, maskContact } from '../lib/mask';
import type { Logger } from '../logger';
import type { InviteResult, RoleHolder, StaffRoleName, StaffServices } from '../services/staff-services';
import { parseCardAction } from './card-actions';
import { attachment, composeCard, confirmEraseCard, helpCard, messageCard, openOutagesCard, outsideDomainsCard, previewCard, statusCard, suggestedCustomersCard, type Card } from './cards';
import { actorOf, checkStaff, fromOtherTenant } from './staff-auth';

export class OutageBot extends TeamsActivityHandler {
  constructor(
    private readonly config: TeamsSettings,
    private readonly services: StaffServices,
    private readonly logger: Logger,
  ) {
    super();
    this.onMessage(async (context, next) => {
      const value: unknown = context.activity.value;
      // An Action.Submit cannot change its card: whatever the answer is, it comes as a new message.
      const reply = isCardAction(value) ? await this.handleAction(context, value) : { card: await this.handleCommand(context) };
      const card = reply.newCard ?? reply.card;
      if (card) await context.sendActivity({ attachments: [attachment(card)] });
      await next();
    });
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const reply = await this.handleAction(context, { ...(invokeValue.action?.data ?? {}), verb: invokeValue.action?.verb });
    if (reply.newCard) await context.sendActivity({ attachments: [attachment(reply.newCard)] });
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: reply.card ?? messageCard('Klaar', []) };
  }

  private async handleCommand(context: TurnContext): Promise<Card | undefined> {
    const text = (TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '').trim();
    const [first = '', ...rest] = text.split(/\s+/);
    const command = first.replace(/^\//, '').toLowerCase();
    if (command === '' || command === 'help' || !['outage', 'storingen', 'stappenplan', 'abonnee', 'verwijder', 'rechten'].includes(command)) return helpCard();
    const refused = await this.refusal(context, `command.${command}`, { need: command === 'rechten' ? 'admin' : 'staff' });
    if (refused) return refused;
    const actor = actorOf(context.activity);
    try {
      switch (command) {
        case 'rechten':
          // Names and Entra ids of colleagues stay in a personal chat, as subscriber data does.
          if (!isPersonal(context)) return personalOnlyCard('Rechten van collega\'s');
          return await this.rights(rest, actor);
        case 'outage':
          return composeCard({ kind: 'initial' });
        case 'storingen':
          return openOutagesCard(await this.services.openOutages());
        case 'stappenplan': {
          const [email, ...customer] = rest;
          if (!email || customer.length === 0) return messageCard('Gebruik: /stappenplan <e-mailadres> <klantnummer of naam>', []);
          return this.invited(email, await this.services.invite(email, customer.join(' '), actor));
        }
        case 'abonnee': {
          if (!isPersonal(context)) return personalOnlyCard();
          const data = await this.services.exportSubscriber(rest.join(' '), actor);
          if (!data.subscriber) return messageCard(`Over ${maskAddress(rest.join(' ').trim())} is niets opgeslagen als abonnee.`, [`Meldingen naar dit nummer: ${data.deliveries.length}.`]);
          const s = data.subscriber;
          return messageCard(`Abonnee ${maskContact(s)}`, [
            `Voornaam: ${s.firstName ?? '(nog niet opgegeven)'} · Bedrijf: ${s.company} (${s.customerNumber}) · Status: ${SUBSCRIBER_STATUS[s.status] ?? s.status}`,
            `E-mail: ${s.email ?? '-'} · Aangemeld: ${new Date(s.signedUpAt).toLocaleDateString('nl-NL', { timeZone: 'Europe/Amsterdam', dateStyle: 'long' })} · Meldingen ontvangen: ${data.deliveries.length} · AVG-e-mails: ${data.emails.length}`,
            `Export (JSON):\n\n${JSON.stringify(data)}`,
          ]);
        }
        case 'verwijder': {
          if (!isPersonal(context)) return personalOnlyCard();
          const phone = rest.join(' ');
          const found = await this.services.exportSubscriber(phone, actor);
          if (!found.subscriber) return messageCard('Dit nummer staat niet in de lijst van aangemelde nummers.', []);
          return confirmEraseCard(found.subscriber.id, maskContact(found.subscriber));
        }
      }
    } catch (error) {
      return this.failure(error);
    }
    return helpCard();
  }

  /**
   * A card action's answer: `card` replaces the card that was acted on (Action.Execute), and
   * `newCard` is posted below it, so a status card is never replaced by a compose card.
   */
  private async handleAction(context: TurnContext, data: unknown): Promise<Reply> {
    const parsed = parseCardAction(data);
    if ('invalid' in parsed) {
      this.logger.warn({ fields: parsed.invalid }, 'card action with unexpected data refused');
      return { card: messageCard('Dat lukte niet', [`De kaart stuurde onverwachte gegevens (${parsed.invalid.join(', ')}). Begin opnieuw met het commando.`], 'Attention') };
    }
    const { verb, kind, outageId, messageId, fields } = parsed.action;
    // Teams asks for a status card's figures each time someone looks at it: a read of counts,
    // audited only when refused (one audit row per glance would bury the staff actions).
    const refused = await this.refusal(context, `card.${verb}`, { auditAllowed: verb !== 'status' });
    // Someone else of CBG Connect in the chat sees the card as it was sent, without masked numbers
    // or further refreshes; a user of another tenant gets the refusal, not the notice's text and figures.
    if (refused && verb === 'status' && messageId && !fromOtherTenant(this.config, context.activity)) {
      try {
        return { card: statusCard(await this.services.statusOf(messageId), { noRefresh: true }) };
      } catch (error) {
        return { card: this.failure(error) };
      }
    }
    if (refused) return { card: refused };
    const actor = actorOf(context.activity);
    // Who looks at the card (refreshed for them in any chat), and whether masked numbers may show.
    const viewer = { viewerIds: [context.activity.from?.id ?? ''], personal: isPersonal(context) };
    try {
      switch (verb) {
        case 'status':
          return { card: statusCard(await this.services.statusOf(required(messageId)), viewer) };
        case 'storingen':
          return { card: openOutagesCard(await this.services.openOutages()) };
        case 'edit':
          return { card: composeCard({ kind, outageId, about: await this.about(outageId), values: fields }) };
        case 'preview': {
          const preview = await this.services.preview({ fields, kind, outageId });
          if ('errors' in preview) return { card: composeCard({ kind, outageId, about: await this.about(outageId), values: fields, errors: preview.errors }) };
          return {
            card: previewCard({
              kind,
              outageId,
              requestId: randomUUID(),
              values: fields,
              text: preview.text,
              recipients: preview.recipients,
              recipientsText: preview.recipientsText,
              releaseText: preview.releaseText,
              warnings: preview.warnings,
              blocked: preview.blocked,
            }),
          };
        }
        case 'send': {
          const reference = TurnContext.getConversationReference(context.activity) as unknown as Record<string, unknown>;
          const requestId = parsed.action.requestId ?? randomUUID();
          const sent = await this.services.send({ fields, kind, outageId, actor, requestId, conversationReference: reference, cardActivityId: context.activity.replyToId });
          if ('errors' in sent) return { card: composeCard({ kind, outageId, about: await this.about(outageId), values: fields, errors: sent.errors }) };
          return { card: statusCard(sent, viewer) };
        }
        case 'update':
        case 'resolve': {
          const values = await this.services.outageFields(outageId);
          const compose = composeCard({ kind: verb === 'update' ? 'update' : 'resolved', outageId, about: await this.about(outageId), values });
          // The card that was clicked stays what it was (its figures refreshed), the compose card comes below it.
          const current = messageId ? statusCard(await this.services.statusOf(messageId), viewer) : openOutagesCard(await this.services.openOutages());
          return { card: current, newCard: compose };
        }
        case 'approve':
          return { card: statusCard(await this.services.approve(required(messageId), actor), viewer) };
        case 'resume':
          return { card: statusCard(await this.services.resume(required(messageId), actor), viewer) };
        case 'retry': {
          // A refused retry (outside business hours, a newer notice) keeps the card, with the reason on it.
          const id = required(messageId);
          try {
            return { card: statusCard(await this.services.retryFailed(id, actor), viewer) };
          } catch (error) {
            if (!(error instanceof ValidationError)) throw error;
            return { card: statusCard(await this.services.statusOf(id), { ...viewer, problem: toDutch(error) }) };
          }
        }
        case 'cancel':
          if (messageId) return { card: statusCard(await this.services.cancel(messageId, actor), viewer) };
          return { card: messageCard('Geannuleerd', ['Er is niets verstuurd.']) };
        case 'invite': {
          const invite = parsed.action.invite;
          if (!invite) return { card: messageCard('Dat lukte niet', ['De kaart stuurde geen e-mailadres en klant mee. Gebruik /stappenplan opnieuw.'], 'Attention') };
          return { card: this.invited(invite.email, await this.services.invite(invite.email, invite.customer, actor, { outsideDomainsConfirmed: invite.outsideDomains })) };
        }
        case 'erase': {
          if (!isPersonal(context)) return { card: personalOnlyCard() };
          const subscriberId = required(parsed.action.subscriberId);
          const masked = parsed.action.masked;
          const reason = parsed.action.reason?.trim() ?? '';
          if (!reason) return { card: confirmEraseCard(subscriberId, masked ?? 'de abonnee') };
          const { emailQueued } = await this.services.erase(subscriberId, actor, reason);
          const mail = emailQueued ? 'het AVG-afmeldbericht wordt per e-mail verstuurd' : 'er is geen e-mailadres bekend, dus er gaat geen AVG-bericht uit';
          return { card: messageCard(masked ? `Abonnee ${masked} is verwijderd` : 'De abonnee is verwijderd', [`De gegevens zijn gewist en ${mail}.`], 'Good') };
        }
        default:
          return { card: helpCard() };
      }
    } catch (error) {
      return { card: this.failure(error) };
    }
  }

  /** The outage a follow-up is about, in one line for the compose card. */
  private async about(outageId: string | undefined): Promise<string | undefined> {
    return outageId ? this.services.outageTitle(outageId) : undefined;
  }

  private async refusal(context: TurnContext, action: string, options: { auditAllowed?: boolean; need?: 'staff' | 'admin' } = {}): Promise<Card | undefined> {
    const refused = await checkStaff(this.config, context.activity, (id, name) => this.services.rolesOf(id, name), options.need);
    const actor = actorOf(context.activity);
    if (refused !== null || options.auditAllowed !== false) await this.services.recordAccess(actor, action, refused !== null);
    if (!refused) return undefined;
    if (refused === 'tenant') return messageCard('Geen toegang', ['Deze bot is alleen beschikbaar voor CBG Connect.'], 'Attention');
    if (refused === 'not_admin') return messageCard('Geen toegang', ['Alleen beheerders geven en ontnemen rechten. Vraag een beheerder van Storingsmelder.'], 'Attention');
    // Someone new learns what to pass on (in their own chat): an administrator grants the role with this id.
    const id = context.activity.from?.aadObjectId;
    const how = !id
      ? 'Neem contact op met Team Techniek als je toegang nodig hebt.'
      : isPersonal(context)
        ? `Heb je toegang nodig? Stuur een beheerder van Storingsmelder je Entra-id: ${id}. De beheerder typt dan: /rechten geef ${id} medewerker`
        : 'Heb je toegang nodig? Stuur mij een persoonlijk bericht: daar staat je Entra-id, die je aan een beheerder van Storingsmelder doorgeeft.';
    return messageCard('Geen toegang', ['Alleen medewerkers van CBG Connect kunnen storingsmeldingen opstellen en versturen.', how], 'Attention');
  }

  /** /rechten: the list; /rechten geef|ontneem <Entra-id> <rol>: a change, audited. */
  private async rights(words: string[], actor: string): Promise<Card> {
    const usage = messageCard('Gebruik: /rechten, /rechten geef <Entra-id> <rol> of /rechten ontneem <Entra-id> <rol>', [`Rollen: ${Object.keys(ROLE_WORDS).join(', ')}.`]);
    if (words.length === 0) return rightsCard(await this.services.roleHolders());
    const [verb = '', id = '', roleWord = ''] = words;
    const granted = verb.toLowerCase() === 'geef' ? true : verb.toLowerCase() === 'ontneem' ? false : undefined;
    const role = ROLE_WORDS[roleWord.toLowerCase()];
    if (granted === undefined || !role || words.length !== 3) return usage;
    const change = await this.services.setRole(id, role, granted, actor);
    const name = ROLE_NAMES[role];
    const lines = [change.changed ? 'Dit geldt meteen, zonder herstart, en staat in het auditlog.' : 'Er is niets veranderd.'];
    if (change.because === 'settings') lines.push(`De rol ${name} komt uit de instelling ${ROLE_SETTINGS[role]} en kan alleen daar worden weggehaald (door wie de server beheert).`);
    if (change.because === 'admin') lines.push(`Als beheerder blijft ${id} ook medewerker; ontneem de rol beheerder om dat te beëindigen.`);
    if (granted) return messageCard(change.changed ? `${id} is nu ${name}` : `${id} was al ${name}`, lines, change.changed ? 'Good' : 'Default');
    const title = change.holds ? `${id} is nog ${name}` : change.changed ? `${id} is geen ${name} meer` : `${id} was geen ${name}`;
    return messageCard(title, lines, change.holds ? 'Attention' : change.changed ? 'Good' : 'Default');
  }

  /** What staff see after /stappenplan: sent, or why not yet (an address outside the customer's domains). */
  private invited(email: string, result: InviteResult): Card {
    if (!result.sent) return 'unknownCustomer' in result ? suggestedCustomersCard(email, result.unknownCustomer, result.suggestions) : outsideDomainsCard(email, result);
    return messageCard('Stappenplan verstuurd', [`Het stappenplan gaat naar ${email} voor ${result.customerName}. De persoonlijke code is 30 dagen geldig.`], 'Good');
  }

  private failure(error: unknown): Card {
    const known = toDutch(error);
    if (known.startsWith('Er ging iets mis')) this.logger.error({ err: error }, 'bot action failed');
    return messageCard('Dat lukte niet', [known], 'Attention');
  }
}

/** The role words of /rechten. */
const ROLE_WORDS: Record<string, StaffRoleName> = { medewerker: 'staff', manager: 'manager', beheerder: 'admin' };
const ROLE_NAMES: Record<StaffRoleName, string> = { staff: 'medewerker', manager: 'manager', admin: 'beheerder' };
const ROLE_SETTINGS: Record<StaffRoleName, string> = { staff: 'STAFF_AAD_OBJECT_IDS', manager: 'MANAGER_AAD_OBJECT_IDS', admin: 'ADMIN_AAD_OBJECT_IDS' };
const ROLE_PLURALS: Record<StaffRoleName, string> = { admin: 'Beheerders (ook medewerker)', staff: 'Medewerkers', manager: 'Managers (zien het tabblad)' };

/** Who holds which role, by role: a name where Teams showed one, the id, and where the role comes from. */
function rightsCard(holders: RoleHolder[]): Card {
  const lines = (['admin', 'staff', 'manager'] as const).map((role) => {
    const of = holders.filter((h) => h.role === role);
    const names = of.map((h) => `${h.displayName ? `${h.displayName} (${h.aadObjectId})` : h.aadObjectId}${h.source === 'settings' ? ', uit de instellingen' : `, sinds ${new Date(h.source.grantedAt).toLocaleDateString('nl-NL', { timeZone: 'Europe/Amsterdam', dateStyle: 'long' })}`}`);
    return `${ROLE_PLURALS[role]}: ${names.length ? names.join('; ') : 'niemand'}`;
  });
  return messageCard('Rechten in Storingsmelder', [...lines, 'Wijzigen: /rechten geef <Entra-id> medewerker|manager|beheerder, of /rechten ontneem <Entra-id> <rol>. Wie nog geen toegang heeft, ziet zijn Entra-id als hij de bot iets stuurt.']);
}

/** A subscriber's status as staff read it. */
const SUBSCRIBER_STATUS: Record<string, string> = { active: 'aangemeld', pending_name: 'wacht op voornaam' };

interface Reply {
  card?: Card;
  newCard?: Card;
}

/**
 * Personal data stays in personal chats: a team or group chat (or a channel) is read by others,
 * and whoever is in it would see a subscriber's number, name and e-mail address.
 */
function isPersonal(context: TurnContext): boolean {
  return context.activity.conversation?.conversationType === 'personal';
}

function personalOnlyCard(what = 'Gegevens van abonnees'): Card {
  return messageCard('Alleen in je persoonlijke chat', [`${what} laat ik alleen zien in een persoonlijke chat met mij. Open de chat met Storingsmelder en stuur het commando daar.`], 'Attention');
}

/** An Action.Submit message carries the card's data, with its verb, as the activity's value. */
function isCardAction(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && 'verb' in value && Boolean((value as { verb?: unknown }).verb);
}

/** An id the action needs; a card without it is not one of ours. */
function required(value: string | undefined): string {
  if (!value) throw new ValidationError('card action without its id', 'De kaart mist gegevens. Begin opnieuw met /outage.');
  return value;
}
