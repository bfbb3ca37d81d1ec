/**
 * The door's implementation (StaffServices in staff-services.ts): each intent is a call of the
 * domain services, and its answer plain data for the cards. No SQL here: the queries belong to
 * the domain folders.
 */
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Clock } from '../lib/clock';
import { OutageMessageKind, OutageMessageStatus, OutageStatus, type OutageMessage } from '../entities';
import { changeRole, roleHolders, rolesOf } from './access/staff-roles';
import { recordAudit } from './audit/audit-log';
import type { EmailService } from './email/feature';
import { failureGroups, retryableFailures } from './ledger/failure-reasons';
import { deliveryProgress, deliveryProgressOf, type DeliveryProgress } from './ledger/progress';
import { maskAddress } from '../lib/mask';
import { formatDutch } from './notices/business-hours';
import { outageTitle, renderNotice, templateRoleOf } from './notices/notice-template';
import { Outages, validateCompose, type Draft } from './notices/outages';
import { cardsToRefresh, holdRefresherLease, rememberCard, rememberCardDigest } from './notices/status-cards';
import { readAccountState, templateBlock, type AccountState } from './notices/whatsapp-account';
import { pauseExplanation } from './notices/pause-reasons';
import { eraseByIdOnRequest, exportSubscriber } from './privacy/subscriber-requests';
import { createInvitation, OutsideDomainsError, UnknownCustomerError } from './signup/invitations';
import type { CardToRefresh, ComposeFields, ComposeRequest, FieldErrors, InviteResult, NoticeKind, NoticePreview, NoticeStatus, OpenOutage, RoleChange, RoleHolder, RolesHeld, SendRequest, StaffRoleName, StaffServices, SubscriberExport } from './staff-services';

const KINDS: Record<NoticeKind, OutageMessageKind> = { initial: OutageMessageKind.Initial, update: OutageMessageKind.Update, resolved: OutageMessageKind.Resolved };

const STATUS_TEXT: Record<string, string> = {
  awaiting_approval: 'Wacht op goedkeuring door een tweede medewerker.',
  sending: 'Wordt verstuurd.',
  paused: 'Gepauzeerd door WhatsApp (limiet of blokkade). Laat Team Techniek het account controleren en kies dan Hervatten.',
  done: 'Verstuurd.',
  cancelled: 'Geannuleerd: er is niets verstuurd.',
  held: 'Wordt verstuurd zodra de kantoortijden beginnen.',
};

/** A notice as staff name it, after "Vervangen door". */
const KIND_NAME: Record<string, string> = { initial: 'de storingsmelding', update: 'de update', resolved: 'het Opgelost-bericht' };

export class StaffDesk implements StaffServices {
  private readonly outages: Outages;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: Config,
    private readonly email: EmailService,
    private readonly clock: Clock,
  ) {
    this.outages = new Outages(dataSource, config, clock);
  }

  async outageFields(outageId: string | undefined): Promise<ComposeFields> {
    const outage = await this.outages.outage(outageId);
    return { service: outage.service, scope: outage.scope, regions: outage.regions.join(','), severity: outage.severity };
  }

  async outageTitle(outageId: string): Promise<string> {
    return outageTitle(await this.outages.outage(outageId));
  }

  async preview(request: ComposeRequest): Promise<NoticePreview | FieldErrors> {
    const draft = await this.draftFrom(request);
    if ('errors' in draft) return draft;
    const preview = await this.outages.preview(draft, request.outageId);
    const releaseText = preview.releaseAt ? `Buiten kantoortijden: wordt verstuurd op ${formatDutch(preview.releaseAt, this.config.businessHours.timeZone)}` : 'Direct na Versturen';
    const recipientsText =
      preview.newcomers === undefined
        ? String(preview.recipients)
        : `${preview.recipients} (${preview.recipients - preview.newcomers} ${preview.recipients - preview.newcomers === 1 ? 'kreeg' : 'kregen'} de vorige melding, ${preview.newcomers} nieuw aangemeld in het gebied)`;
    return { text: preview.text, recipients: preview.recipients, recipientsText, releaseText, warnings: preview.warnings, blocked: preview.blocked };
  }

  async send(request: SendRequest): Promise<NoticeStatus | FieldErrors> {
    const draft = await this.draftFrom(request);
    if ('errors' in draft) return draft;
    const message = await this.outages.send({ draft, outageId: request.outageId, createdBy: request.actor, requestId: request.requestId, conversationReference: request.conversationReference });
    if (request.cardActivityId) await rememberCard(this.dataSource, message.id, request.cardActivityId);
    return this.statusOf(message.id);
  }

  async approve(messageId: string, actor: string): Promise<NoticeStatus> {
    return this.statusOf((await this.outages.approve(messageId, actor)).id);
  }

  async resume(messageId: string, actor: string): Promise<NoticeStatus> {
    return this.statusOf((await this.outages.resume(messageId, actor)).id);
  }

  async retryFailed(messageId: string, actor: string): Promise<NoticeStatus> {
    return this.statusOf((await this.outages.retryFailed(messageId, actor)).message.id);
  }

  async cancel(messageId: string, actor: string): Promise<NoticeStatus> {
    return this.statusOf((await this.outages.cancel(messageId, actor)).id);
  }

  async statusOf(messageId: string): Promise<NoticeStatus> {
    const message = await this.outages.message(messageId);
    const progress = await deliveryProgress(this.dataSource, message.id);
    return this.noticeStatus(message, progress, await this.headline(message, progress), {
      outageOpen: message.outage.status === OutageStatus.Open,
      failures: (await failureGroups(this.dataSource, message.id)).map((g) => ({ reason: g.label, count: g.count, canPass: g.canPass, masked: g.addresses.map(maskAddress) })),
      retryable: message.failuresRetriedAt || message.status !== OutageMessageStatus.Done || (await this.outages.hasNewerNotice(this.dataSource, message)) ? 0 : await retryableFailures(this.dataSource, message.id),
    });
  }

  /** A notice as the door hands it out, from what the caller has read. */
  private noticeStatus(message: OutageMessage, progress: DeliveryProgress, statusText: string, extra: Pick<NoticeStatus, 'outageOpen' | 'failures' | 'retryable'>): NoticeStatus {
    return {
      outageId: message.outageId,
      messageId: message.id,
      kind: message.kind,
      status: message.status,
      statusText,
      text: renderNotice(message.templateParameters),
      progress,
      finishedAt: message.finishedAt?.toISOString() ?? null,
      asOf: this.clock().toISOString(),
      retried: message.failuresRetriedAt !== null,
      ...extra,
    };
  }

  /** What happened to the notice, in one Dutch sentence: the card's headline says it as it is. account: read once for a list. */
  private async headline(message: OutageMessage, progress: DeliveryProgress, account?: AccountState): Promise<string> {
    const zone = this.config.businessHours.timeZone;
    switch (message.status) {
      case OutageMessageStatus.Held:
        return message.releaseAt ? `Buiten kantoortijden: wordt verstuurd op ${formatDutch(message.releaseAt, zone)}.` : STATUS_TEXT.held;
      case OutageMessageStatus.Paused: {
        const blocked = templateBlock(account ?? (await readAccountState(this.dataSource, this.config)), this.config, templateRoleOf(message.templateParameters));
        if (blocked) return `Gepauzeerd. ${blocked} Kies Hervatten zodra het sjabloon weer is goedgekeurd.`;
        return message.pauseScope ? pauseExplanation({ scope: message.pauseScope, code: message.pauseCode }) : STATUS_TEXT.paused;
      }
      case OutageMessageStatus.Superseded: {
        const newer = message.supersededBy ? await this.outages.message(message.supersededBy).catch(() => null) : null;
        const by = newer ? `${KIND_NAME[newer.kind]} van ${formatDutch(newer.createdAt, zone)}` : 'een nieuwere melding van deze storing';
        const stopped = progress.cancelled === 1 ? ' 1 nog niet verstuurd bericht is geannuleerd.' : progress.cancelled > 1 ? ` ${progress.cancelled} nog niet verstuurde berichten zijn geannuleerd.` : '';
        return `Vervangen door ${by}: deze melding wordt niet meer verstuurd.${stopped}`;
      }
      case OutageMessageStatus.Done: {
        const reached = progress.sent + progress.delivered + progress.read;
        if (progress.total === 0) return 'Verstuurd, maar er waren geen ontvangers.';
        if (reached === 0 && progress.failed > 0) return progress.failed === 1 ? 'Niemand bereikt: het bericht is mislukt.' : `Niemand bereikt: alle ${progress.failed} berichten zijn mislukt.`;
        if (progress.failed > 0) return `Verstuurd, maar ${progress.failed} van de ${progress.total} berichten ${progress.failed === 1 ? 'is' : 'zijn'} mislukt.`;
        return STATUS_TEXT.done;
      }
      default:
        return STATUS_TEXT[message.status] ?? message.status;
    }
  }

  /**
   * The open outages with their latest notice, in a fixed number of queries whatever their number
   * (the outages, their latest notices, those notices, their counts, and the account once when one
   * is paused). The list shows headline and figures; failures and retries are on each status card.
   */
  async openOutages(): Promise<OpenOutage[]> {
    const open = await this.outages.openOutages();
    const ids = open.flatMap((o) => (o.latestMessageId ? [o.latestMessageId] : []));
    const messages = new Map((await this.outages.messages(ids)).map((m) => [m.id, m]));
    const progress = await deliveryProgressOf(this.dataSource, ids);
    const account = [...messages.values()].some((m) => m.status === OutageMessageStatus.Paused) ? await readAccountState(this.dataSource, this.config) : undefined;
    const list: OpenOutage[] = [];
    for (const { outage, latestMessageId } of open) {
      const message = latestMessageId ? messages.get(latestMessageId) : undefined;
      const counts = message ? (progress.get(message.id) as DeliveryProgress) : undefined;
      const latest = message && counts ? this.noticeStatus(message, counts, await this.headline(message, counts, account), { outageOpen: true, failures: [], retryable: 0 }) : null;
      list.push({ outageId: outage.id, title: outageTitle(outage), openedAt: formatDutch(outage.createdAt, this.config.businessHours.timeZone), latest });
    }
    return list;
  }

  async cardsToRefresh(holder: string, refreshForMs: number): Promise<CardToRefresh[]> {
    // The lease outlives a few passes (every 5 s): a stopped holder's turn passes on within 30 s.
    if (!(await holdRefresherLease(this.dataSource, holder, 30_000))) return [];
    return cardsToRefresh(this.dataSource, refreshForMs);
  }

  cardShown(messageId: string, digest: string): Promise<void> {
    return rememberCardDigest(this.dataSource, messageId, digest);
  }

  async invite(email: string, customer: string, actor: string, options: { outsideDomainsConfirmed?: boolean } = {}): Promise<InviteResult> {
    let result;
    try {
      result = await createInvitation(this.dataSource, this.config, { email, customer, createdBy: actor, outsideDomainsConfirmed: options.outsideDomainsConfirmed });
    } catch (error) {
      if (error instanceof UnknownCustomerError && error.suggestions.length > 0) return { sent: false, unknownCustomer: error.typed, suggestions: error.suggestions };
      if (!(error instanceof OutsideDomainsError)) throw error;
      return { sent: false, customerName: error.customerName, customerNumber: error.customerNumber, domains: error.domains, matching: error.matching };
    }
    const outside = result.outsideDomains;
    await recordAudit(this.dataSource, { actor, action: outside ? 'invitation.create_outside_domains' : 'invitation.create', target: result.invitation.id, ...(outside ? { detail: { domain: email.slice(email.lastIndexOf('@') + 1) } } : {}) });
    await this.email.flushSoon();
    return { sent: true, customerName: result.customerName };
  }

  exportSubscriber(phone: string, actor: string): Promise<SubscriberExport> {
    return exportSubscriber(this.dataSource, phone, actor);
  }

  async erase(subscriberId: string, actor: string, reason: string): Promise<{ emailQueued: boolean }> {
    const { emailQueued } = await eraseByIdOnRequest(this.dataSource, this.config, subscriberId, actor, reason);
    await this.email.flushSoon();
    return { emailQueued };
  }

  async recordAccess(actor: string, action: string, refused: boolean): Promise<void> {
    await recordAudit(this.dataSource, refused ? { actor, action: 'access.refused', target: action, outcome: 'refused' } : { actor, action });
  }

  rolesOf(aadObjectId: string, displayName?: string): Promise<RolesHeld> {
    return rolesOf(this.dataSource, this.config.bot, aadObjectId, displayName);
  }

  roleHolders(): Promise<RoleHolder[]> {
    return roleHolders(this.dataSource, this.config.bot);
  }

  setRole(aadObjectId: string, role: StaffRoleName, granted: boolean, actor: string): Promise<RoleChange> {
    return changeRole(this.dataSource, this.config.bot, aadObjectId, role, granted, actor);
  }

  /** Validates the card's fields; a follow-up keeps the outage's service and area. */
  private async draftFrom(request: ComposeRequest): Promise<Draft | FieldErrors> {
    const base = request.outageId ? await this.outageFields(request.outageId) : {};
    // A resolution does not ask for the severity again: it keeps the outage's.
    const kept = request.outageId ? { service: base.service, scope: base.scope, regions: base.regions, ...(request.kind === 'resolved' ? { severity: base.severity } : {}) } : {};
    const { value, errors } = validateCompose({ ...request.fields, ...kept });
    return value ? { ...value, kind: KINDS[request.kind] } : { errors };
  }
}
