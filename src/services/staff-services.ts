/**
 * What the Teams bot may ask of the domain, in one place: the bot stays a thin layer over these
 * calls (so a later move from botbuilder to another Teams SDK touches only bots/). bots/ imports
 * nothing else of services/ (test/architecture.test.ts), and the types it gets here are the
 * domain's own, not entities.
 */
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { AuditEvent, Outage, OutageMessage, OutageMessageKind, OutageStatus } from '../entities';
import { NotFoundError } from '../http/errors';
import { deliveryProgress, type DeliveryProgress } from './ledger/progress';
import type { EmailService } from './email/feature';
import { formatDutch } from './notices/business-hours';
import { renderNotice } from './notices/notice-template';
import { Outages, validateCompose, type Draft, type Preview } from './notices/outages';
import { cardsToRefresh, type CardToRefresh } from './notices/status-cards';
import { readAccountState, templateBlock } from './notices/whatsapp-account';
import { eraseOnRequest, exportSubscriber } from './privacy/subscriber-requests';
import { createInvitation } from './signup/invitations';

export { PROVINCE_NAMES } from './notices/notice-template';

/** The kind of notice: the first one of an outage, an update, or "opgelost". */
export type NoticeKind = `${OutageMessageKind}`;

/** A card's `kind` as a notice kind; anything unknown is a first notice. */
export function noticeKind(value: unknown): NoticeKind {
  return value === 'update' || value === 'resolved' ? value : 'initial';
}

export interface ComposeFields {
  service?: string;
  scope?: string;
  regions?: string;
  severity?: string;
  text?: string;
  expectedResolution?: string;
}

export interface NoticeStatus {
  outageId: string;
  messageId: string;
  kind: string;
  status: string;
  statusText: string;
  text: string;
  progress: DeliveryProgress;
  outageOpen: boolean;
}

const STATUS_TEXT: Record<string, string> = {
  awaiting_approval: 'Wacht op goedkeuring door een tweede medewerker.',
  sending: 'Wordt verstuurd.',
  paused: 'Gepauzeerd door WhatsApp (limiet of blokkade). Laat Team Techniek het account controleren en kies dan Hervatten.',
  done: 'Verstuurd.',
  cancelled: 'Geannuleerd: er is niets verstuurd.',
  superseded: 'Vervangen door een nieuwere melding voordat hij werd verstuurd.',
};

export class StaffServices {
  readonly outages: Outages;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: Config,
    private readonly email: EmailService,
  ) {
    this.outages = new Outages(dataSource, config);
  }

  /** Validates the card's fields; a follow-up keeps the outage's service and area. */
  async draftFrom(fields: ComposeFields, kind: NoticeKind, outageId?: string): Promise<{ draft: Draft } | { errors: Record<string, string> }> {
    const base = outageId ? await this.outageValues(outageId) : {};
    const { value, errors } = validateCompose({ ...fields, ...(outageId ? { service: base.service, scope: base.scope, regions: base.regions } : {}) });
    return value ? { draft: { ...value, kind: kind as OutageMessageKind } } : { errors };
  }

  /** The preview of a draft, with when it goes out said in Dutch for the card. */
  async preview(draft: Draft, followUpOf?: string): Promise<Preview & { releaseText: string }> {
    const preview = await this.outages.preview(draft, followUpOf);
    const releaseText = preview.releaseAt ? `Buiten kantoortijden: wordt verstuurd op ${formatDutch(preview.releaseAt, this.config.businessHours.timeZone)}` : 'Direct na Versturen';
    return { ...preview, releaseText };
  }

  async outageValues(outageId: string | undefined): Promise<ComposeFields> {
    const outage = outageId ? await this.dataSource.getRepository(Outage).findOneBy({ id: outageId }) : null;
    if (!outage) throw new NotFoundError('no such outage', 'Deze storing bestaat niet (meer).');
    return { service: outage.service, scope: outage.scope, regions: outage.regions.join(','), severity: outage.severity };
  }

  async invite(email: string, customer: string, actor: string): Promise<{ customerName: string }> {
    const result = await createInvitation(this.dataSource, this.config, { email, customer, createdBy: actor });
    await this.audit(actor, 'invitation.create', result.invitation.id, 'ok');
    await this.email.flushSoon();
    return { customerName: result.customerName };
  }

  exportSubscriber(phone: string, actor: string) {
    return exportSubscriber(this.dataSource, phone, actor);
  }

  async erase(phone: string, actor: string, reason: string): Promise<void> {
    await eraseOnRequest(this.dataSource, this.config, phone, actor, reason);
    await this.email.flushSoon();
  }

  /** Releases held notices whose window has opened (R12); the bot's task runs it every minute. */
  releaseDue(): Promise<number> {
    return this.outages.releaseDue();
  }

  /** Staff cards whose notice is sending, paused, or finished within the last recentMs. */
  cardsToRefresh(recentMs: number): Promise<CardToRefresh[]> {
    return cardsToRefresh(this.dataSource, recentMs);
  }

  /** The activity id of the card that shows this notice, for later status updates. */
  async rememberCard(messageId: string, activityId: string | undefined): Promise<void> {
    if (!activityId) return;
    await this.dataSource.transaction(async (manager) => {
      // The card now shows this notice: an earlier one shown there (a follow-up replaced it) lets
      // go. Activity ids are unique within a conversation only.
      await manager.query(
        `UPDATE outage_message SET card_activity_id = NULL
          WHERE card_activity_id = $1 AND id <> $2
            AND conversation_reference->'conversation'->>'id' = (SELECT conversation_reference->'conversation'->>'id' FROM outage_message WHERE id = $2)`,
        [activityId, messageId],
      );
      await manager.getRepository(OutageMessage).update({ id: messageId }, { cardActivityId: activityId });
    });
  }

  async statusOf(messageId: string): Promise<NoticeStatus> {
    const message = await this.dataSource.getRepository(OutageMessage).findOne({ where: { id: messageId }, relations: { outage: true } });
    if (!message) throw new NotFoundError('no such message', 'Deze melding bestaat niet (meer).');
    const blocked = message.status === 'paused' ? templateBlock(await readAccountState(this.dataSource, this.config), this.config) : null;
    const statusText =
      message.status === 'held' && message.releaseAt
        ? `Buiten kantoortijden: wordt verstuurd op ${formatDutch(message.releaseAt, this.config.businessHours.timeZone)}.`
        : blocked
          ? `Gepauzeerd. ${blocked} Kies Hervatten zodra het sjabloon weer is goedgekeurd.`
          : (STATUS_TEXT[message.status] ?? message.status);
    return {
      outageId: message.outageId,
      messageId: message.id,
      kind: message.kind,
      status: message.status,
      statusText,
      text: renderNotice(message.templateParameters),
      progress: await deliveryProgress(this.dataSource, message.id),
      outageOpen: message.outage.status === OutageStatus.Open,
    };
  }

  async audit(actor: string, action: string, target: string | null, outcome: string): Promise<void> {
    await this.dataSource.getRepository(AuditEvent).insert({ actor, action, target, outcome });
  }
}
