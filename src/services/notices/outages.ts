/**
 * notices/: outage notices from compose to ledger. R3 and R9 the audience snapshot of active
 * subscribers only, one delivery each (written by the ledger: services/ledger/), R12 business
 * hours (business-hours.ts) and the release of held notices (feature.ts), R13
 * landelijk/regionaal only with a planned-works warning (this file), the exact template text
 * (notice-template.ts), the sending states the dispatcher moves (notice-state.ts) and the staff
 * cards that show a notice (status-cards.ts). Sending itself is the dispatcher's.
 *
 * Outage notices as staff compose them in Teams: validation (Dutch messages per field), the
 * preview (exact subscriber text, audience, when it goes out, warnings), sending (the notice
 * and its audience snapshot in one transaction, idempotent per card click), follow-ups to the
 * same audience, holding outside business hours (R12), four-eyes approval and cancelling.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import type { Config } from '../../config';
import type { Clock } from '../../lib/clock';
import { PROVINCES } from '../../lib/provinces';
import { Outage, OutageMessage, OutageMessageKind, OutageMessageStatus, OutageScope, OutageService, OutageSeverity, OutageStatus } from '../../entities';
import { recordAudit } from '../audit/audit-log';
import { ForbiddenError, NotFoundError, ValidationError } from '../../http/errors';
import { BusinessCalendar } from './business-hours';
import { countAudience, type Audience } from '../ledger/audience';
import { cancelQueuedRetries, notifyDeliveriesReady, requeuePassingFailures, snapshotAudience } from '../ledger/delivery-ledger';
import { buildTemplateParameters, MAX_STAFF_TEXT, renderNotice, severityOfParameters } from './notice-template';
import { messagingLimit, readAccountState, templateAnnouncement, templateBlock } from './whatsapp-account';
import { RestoreGuard, restoreRefusal } from '../privacy/erasure-log';
import { distance, normalise } from '../../lib/text';
import { looksLikePlannedWork } from './planned-works';

export const composeSchema = z
  .object({
    service: z.enum(OutageService, { message: 'Kies de dienst: internet, VoIP of beide.' }),
    scope: z.enum(OutageScope, { message: 'Kies landelijk of regionaal.' }),
    regions: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .transform((v) => (Array.isArray(v) ? v : (v ?? '').split(',')).map((r) => r.trim().toUpperCase()).filter((r) => r !== '')),
    severity: z.enum(OutageSeverity, { message: 'Kies de ernst: laag, middel of hoog.' }),
    text: z
      .string({ message: 'Beschrijf de storing.' })
      .trim()
      .min(10, 'Beschrijf de storing in minimaal 10 tekens.')
      .max(MAX_STAFF_TEXT, `De tekst mag hoogstens ${MAX_STAFF_TEXT} tekens zijn.`),
    expectedResolution: z
      .string()
      .trim()
      .max(100, 'De verwachte oplostijd mag hoogstens 100 tekens zijn.')
      .optional()
      .transform((v) => (v ? v : undefined)),
  })
  .superRefine((value, ctx) => {
    const unknown = value.regions.filter((r) => !(PROVINCES as readonly string[]).includes(r));
    if (unknown.length) ctx.addIssue({ code: 'custom', path: ['regions'], message: `Onbekende provincie: ${unknown.join(', ')}.` });
    if (value.scope === OutageScope.Regionaal && value.regions.length === 0) ctx.addIssue({ code: 'custom', path: ['regions'], message: 'Kies minstens één provincie voor een regionale storing.' });
  });

export type ComposeInput = z.infer<typeof composeSchema>;

export interface Draft extends ComposeInput {
  kind: OutageMessageKind;
}

/** Field -> Dutch error; empty when valid. */
export function validateCompose(input: unknown): { value?: ComposeInput; errors: Record<string, string> } {
  const parsed = composeSchema.safeParse(input);
  if (parsed.success) return { value: parsed.data, errors: {} };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'text');
    errors[field] ??= issue.message;
  }
  return { errors };
}

export interface Preview {
  parameters: string[];
  text: string;
  recipients: number;
  /** null: goes out at once. */
  releaseAt: Date | null;
  warnings: string[];
  /** Why it cannot be sent now (the template is not approved); null when it can. */
  blocked: string | null;
}


export class Outages {
  private readonly calendar: BusinessCalendar;
  private readonly restore: RestoreGuard;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: Config,
    private readonly clock: Clock,
  ) {
    this.calendar = new BusinessCalendar(config.businessHours);
    this.restore = new RestoreGuard(config);
  }

  async outage(outageId: string | undefined): Promise<Outage> {
    const outage = outageId ? await this.dataSource.getRepository(Outage).findOneBy({ id: outageId }) : null;
    if (!outage) throw new NotFoundError('no such outage', 'Deze storing bestaat niet (meer).');
    return outage;
  }

  /**
   * The open outages, newest first (at most 25: a list to act on, not an archive), each with
   * its latest notice that was not cancelled or replaced, if any.
   */
  async openOutages(): Promise<{ outage: Outage; latestMessageId: string | null }[]> {
    const outages = await this.dataSource.getRepository(Outage).find({ where: { status: OutageStatus.Open }, order: { createdAt: 'DESC' }, take: 25 });
    if (outages.length === 0) return [];
    const latest: { outage_id: string; id: string }[] = await this.dataSource.query(
      `SELECT DISTINCT ON (outage_id) outage_id, id FROM outage_message
        WHERE outage_id = ANY($1) AND status NOT IN ('cancelled', 'superseded')
        ORDER BY outage_id, created_at DESC`,
      [outages.map((o) => o.id)],
    );
    const byOutage = new Map(latest.map((row) => [row.outage_id, row.id]));
    return outages.map((outage) => ({ outage, latestMessageId: byOutage.get(outage.id) ?? null }));
  }

  /** A notice with its outage. */
  async message(messageId: string): Promise<OutageMessage & { outage: Outage }> {
    const message = await this.dataSource.getRepository(OutageMessage).findOne({ where: { id: messageId }, relations: { outage: true } });
    if (!message) throw new NotFoundError('no such message', 'Deze melding bestaat niet (meer).');
    return message;
  }

  parametersOf(draft: Draft): string[] {
    return buildTemplateParameters({
      kind: draft.kind,
      service: draft.service,
      scope: draft.scope,
      regions: draft.scope === OutageScope.Landelijk ? [] : draft.regions,
      severity: draft.severity,
      text: draft.text,
      expectedResolution: draft.expectedResolution,
    });
  }

  async preview(draft: Draft, followUpOf?: string, now = this.clock()): Promise<Preview> {
    const parameters = this.parametersOf(draft);
    const audience = followUpOf ? await this.followUpAudience(this.dataSource.manager, followUpOf) : regionsAudience(draft);
    const recipients = await countAudience(this.dataSource.manager, audience);
    const opening = this.calendar.nextOpening(now);
    const account = await readAccountState(this.dataSource, this.config);
    const limit = messagingLimit(account, this.config);
    const warnings: string[] = [];
    if (looksLikePlannedWork(draft.text)) {
      warnings.push('De tekst lijkt over gepland onderhoud of werkzaamheden te gaan. Die worden niet via WhatsApp gemeld: alleen landelijke en regionale storingen.');
    }
    if (limit !== null && recipients > limit) {
      warnings.push(`Het publiek (${recipients}) is groter dan de WhatsApp-berichtlimiet van ${limit} ontvangers per 24 uur${account.number?.messagingLimit ? '' : ' (ingesteld; Meta heeft nog geen limiet gemeld)'}: niet iedereen krijgt de melding vandaag.`);
    }
    if (recipients === 0) warnings.push('Er zijn geen aangemelde ontvangers voor deze selectie.');
    const announcement = templateAnnouncement(account, this.config, now);
    if (announcement) warnings.push(announcement);
    if (await this.nearDuplicate(parameters, now)) warnings.push('Een vrijwel gelijke melding is in het afgelopen uur al verstuurd.');
    return { parameters, text: renderNotice(parameters), recipients, releaseAt: opening.getTime() === now.getTime() ? null : opening, warnings, blocked: templateBlock(account, this.config) };
  }

  /**
   * Creates the notice (and, for an initial one, the outage). Idempotent on requestId: a double
   * click returns the first result. Goes out now, is held until the window opens, or waits for
   * approval (REQUIRE_APPROVAL).
   */
  async send(input: { draft: Draft; outageId?: string; createdBy: string; requestId: string; conversationReference?: Record<string, unknown>; now?: Date }): Promise<OutageMessage> {
    const now = input.now ?? this.clock();
    const message = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`outage-request:${input.requestId}`]);
      const existing = await manager.getRepository(OutageMessage).findOneBy({ requestId: input.requestId });
      if (existing) return existing;
      await this.refuseWhileBlocked(manager);
      const outage = input.outageId ? await this.openOutage(manager, input.outageId) : await this.newOutage(manager, input.draft, input.createdBy);
      const releaseAt = this.calendar.nextOpening(now);
      const status = this.config.requireApproval ? OutageMessageStatus.AwaitingApproval : releaseAt > now ? OutageMessageStatus.Held : OutageMessageStatus.Sending;
      const saved = await manager.getRepository(OutageMessage).save({
        outageId: outage.id,
        kind: input.draft.kind,
        text: input.draft.text,
        expectedResolution: input.draft.expectedResolution ?? null,
        templateParameters: this.parametersOf(input.draft),
        status,
        releaseAt: releaseAt > now ? releaseAt : null,
        createdBy: input.createdBy,
        requestId: input.requestId,
        conversationReference: input.conversationReference ?? null,
      });
      // Only the newest state of an outage goes out: an older notice still waiting is dropped.
      await manager.query(
        `UPDATE outage_message SET status = 'superseded' WHERE outage_id = $1 AND id <> $2 AND status IN ('held', 'awaiting_approval')`,
        [outage.id, saved.id],
      );
      if (status === OutageMessageStatus.Sending) await this.release(manager, saved, now);
      await audit(manager, input.createdBy, `outage.${input.draft.kind}`, outage.id, { status });
      return manager.getRepository(OutageMessage).findOneByOrFail({ id: saved.id });
    });
    return message;
  }

  /** Four-eyes: a second staff member approves; the author cannot approve their own notice. */
  async approve(messageId: string, approver: string, now = this.clock()): Promise<OutageMessage> {
    return this.dataSource.transaction(async (manager) => {
      const message = await this.lockedMessage(manager, messageId);
      if (message.status !== OutageMessageStatus.AwaitingApproval) throw new ValidationError('not awaiting approval', 'Deze melding wacht niet (meer) op goedkeuring.');
      if (message.createdBy === approver) throw new ForbiddenError('author cannot approve', 'Je kunt je eigen melding niet goedkeuren; vraag een collega.');
      const releaseAt = this.calendar.nextOpening(now);
      await manager.getRepository(OutageMessage).update({ id: message.id }, { approvedBy: approver, status: releaseAt > now ? OutageMessageStatus.Held : OutageMessageStatus.Sending, releaseAt: releaseAt > now ? releaseAt : null });
      if (releaseAt <= now) await this.release(manager, message, now);
      await audit(manager, approver, 'outage.approve', message.outageId, {});
      return manager.getRepository(OutageMessage).findOneByOrFail({ id: message.id });
    });
  }

  /** Staff cancel a notice that has not gone out (held or awaiting approval). */
  async cancel(messageId: string, actor: string): Promise<OutageMessage> {
    return this.dataSource.transaction(async (manager) => {
      const message = await this.lockedMessage(manager, messageId);
      if (![OutageMessageStatus.Held, OutageMessageStatus.AwaitingApproval].includes(message.status)) {
        throw new ValidationError('already released', 'Deze melding is al verstuurd en kan niet meer worden geannuleerd.');
      }
      await manager.getRepository(OutageMessage).update({ id: message.id }, { status: OutageMessageStatus.Cancelled });
      await audit(manager, actor, 'outage.cancel', message.outageId, {});
      return manager.getRepository(OutageMessage).findOneByOrFail({ id: message.id });
    });
  }

  /** After Meta refused the account, number or template and it is fixed: carry on with who is left. */
  async resume(messageId: string, actor: string): Promise<OutageMessage> {
    return this.dataSource.transaction(async (manager) => {
      const message = await this.lockedMessage(manager, messageId);
      if (message.status !== OutageMessageStatus.Paused) throw new ValidationError('not paused', 'Deze melding is niet gepauzeerd.');
      await this.refuseWhileBlocked(manager);
      await manager.getRepository(OutageMessage).update({ id: message.id }, { status: OutageMessageStatus.Sending, pauseScope: null, pauseCode: null });
      await this.resolveWhenSending(manager, message, this.clock());
      await notifyDeliveriesReady(manager);
      await audit(manager, actor, 'outage.resume', message.outageId, {});
      return manager.getRepository(OutageMessage).findOneByOrFail({ id: message.id });
    });
  }

  /**
   * *Opnieuw proberen (mislukt)*: once per notice, once it is done, re-queues the failed
   * recipients whose cause can pass and who are still subscribed (ledger/failure-reasons.ts).
   * Not outside business hours (R12), and not once a newer notice of the outage went out: an
   * old "storing" after "opgelost" would mislead.
   */
  async retryFailed(messageId: string, actor: string, now = this.clock()): Promise<{ message: OutageMessage; requeued: number }> {
    return this.dataSource.transaction(async (manager) => {
      // The outage first, as a follow-up's send locks it: a retry and a newer notice never pass each other.
      await this.lockedOutage(manager, (await this.message(messageId)).outageId);
      const message = await this.lockedMessage(manager, messageId);
      if (message.status !== OutageMessageStatus.Done) throw new ValidationError('not done', 'Opnieuw proberen kan pas als de melding helemaal verstuurd is.');
      if (message.failuresRetriedAt) throw new ValidationError('already retried', 'De mislukte berichten van deze melding zijn al een keer opnieuw geprobeerd.');
      if (!this.calendar.isOpen(now)) throw new ValidationError('outside business hours', 'Opnieuw proberen kan alleen binnen kantoortijden.');
      if (await this.hasNewerNotice(manager, message)) throw new ValidationError('newer notice', 'Er is al een nieuwere melding van deze storing; deze melding wordt niet opnieuw geprobeerd.');
      await this.refuseWhileBlocked(manager);
      const requeued = await requeuePassingFailures(manager, message.id);
      if (requeued === 0) throw new ValidationError('nothing to retry', 'Er is niets om opnieuw te proberen: de overige mislukte berichten kunnen ook nu niet aankomen, of de ontvangers zijn afgemeld.');
      await manager.getRepository(OutageMessage).update({ id: message.id }, { status: OutageMessageStatus.Sending, finishedAt: null, failuresRetriedAt: now });
      await notifyDeliveriesReady(manager);
      await audit(manager, actor, 'outage.retry_failed', message.outageId, { requeued: String(requeued) });
      return { message: await manager.getRepository(OutageMessage).findOneByOrFail({ id: message.id }), requeued };
    });
  }

  /** A later notice of the same outage that is (or will be) sent: an old one must not follow it. */
  async hasNewerNotice(db: EntityManager | DataSource, message: OutageMessage): Promise<boolean> {
    const rows: unknown[] = await db.query(
      `SELECT 1 FROM outage_message WHERE outage_id = $1 AND id <> $2 AND created_at > $3 AND status NOT IN ('cancelled', 'superseded') LIMIT 1`,
      [message.outageId, message.id, message.createdAt],
    );
    return rows.length > 0;
  }

  /** Releases held notices whose window has opened (run every minute and at the opening). */
  async releaseDue(now = this.clock()): Promise<number> {
    if (!this.calendar.isOpen(now)) return 0;
    const due = await this.dataSource.getRepository(OutageMessage).find({ where: { status: OutageMessageStatus.Held }, select: { id: true } });
    let released = 0;
    for (const { id } of due) {
      await this.dataSource.transaction(async (manager) => {
        const message = await this.lockedMessage(manager, id);
        if (message.status !== OutageMessageStatus.Held || (message.releaseAt && message.releaseAt > now)) return;
        await this.release(manager, message, now);
        released += 1;
      });
    }
    return released;
  }

  private async release(manager: EntityManager, message: OutageMessage, now: Date): Promise<void> {
    const audience = await this.followUpAudience(manager, message.outageId, message.id);
    const recipients = await snapshotAudience(manager, message.id, audience);
    // A held notice whose window opens while Meta blocks the template waits, paused, for staff.
    const blocked = templateBlock(await readAccountState(manager, this.config), this.config);
    await manager.getRepository(OutageMessage).update({ id: message.id }, { status: blocked ? OutageMessageStatus.Paused : OutageMessageStatus.Sending, releasedAt: now, recipientCount: recipients });
    // A retried older notice of the outage still in the queue would now arrive after this one.
    await cancelQueuedRetries(manager, message.outageId, message.id);
    // An update may change the severity: the outage (its title, the next compose card) follows.
    const severity = severityOfParameters(message.templateParameters);
    if (message.kind === OutageMessageKind.Update && severity) await manager.getRepository(Outage).update({ id: message.outageId }, { severity });
    if (blocked) return;
    await this.resolveWhenSending(manager, message, now);
    await notifyDeliveriesReady(manager);
  }

  /**
   * Resolved means sent: an outage is closed when its "opgelost" notice starts sending (with no
   * subscribers, when it is confirmed), never while it is held, awaits approval or is paused, so
   * cancelling it leaves the outage open for updates.
   */
  private async resolveWhenSending(manager: EntityManager, message: OutageMessage, now: Date): Promise<void> {
    if (message.kind !== OutageMessageKind.Resolved) return;
    await manager.getRepository(Outage).update({ id: message.outageId, status: OutageStatus.Open }, { status: OutageStatus.Resolved, resolvedAt: now });
  }

  /**
   * Nothing is queued or resumed while Meta does not let the template be sent, nor after a
   * database restore until the opt-outs since the backup are applied again (privacy/erasure-log.ts).
   */
  private async refuseWhileBlocked(manager: EntityManager): Promise<void> {
    const blocked = templateBlock(await readAccountState(manager, this.config), this.config);
    if (blocked) throw new ValidationError('template not approved', blocked);
    const erasures = await this.restore.pending(manager);
    if (erasures > 0) throw new ValidationError('erasures to reapply after a restore', restoreRefusal(erasures));
  }

  /** A follow-up goes to whoever got the last released notice of the outage and is still subscribed. */
  private async followUpAudience(manager: EntityManager, outageId: string, excludeMessageId?: string): Promise<Audience> {
    const outage = await manager.getRepository(Outage).findOneBy({ id: outageId });
    if (!outage) throw new NotFoundError('no such outage', 'Deze storing bestaat niet (meer).');
    const [previous]: { id: string }[] = await manager.query(
      `SELECT id FROM outage_message WHERE outage_id = $1 AND released_at IS NOT NULL AND id <> coalesce($2::uuid, '00000000-0000-0000-0000-000000000000') ORDER BY released_at DESC LIMIT 1`,
      [outageId, excludeMessageId ?? null],
    );
    const regions = outage.scope === OutageScope.Landelijk ? null : outage.regions;
    return previous ? { regions, sameAudienceAs: previous.id } : { regions };
  }

  private async newOutage(manager: EntityManager, draft: Draft, createdBy: string): Promise<Outage> {
    return manager.getRepository(Outage).save({
      service: draft.service,
      scope: draft.scope,
      regions: draft.scope === OutageScope.Landelijk ? [] : draft.regions,
      severity: draft.severity,
      createdBy,
    });
  }

  private async openOutage(manager: EntityManager, outageId: string): Promise<Outage> {
    const outage = await this.lockedOutage(manager, outageId);
    if (outage.status !== OutageStatus.Open) throw new ValidationError('outage closed', 'Deze storing is al opgelost; maak een nieuwe melding.');
    return outage;
  }

  /** The outage, locked for the transaction: its follow-ups and retries take their turn. */
  private async lockedOutage(manager: EntityManager, outageId: string): Promise<Outage> {
    const outage = await manager.getRepository(Outage).createQueryBuilder('o').setLock('pessimistic_write').where('o.id = :id', { id: outageId }).getOne();
    if (!outage) throw new NotFoundError('no such outage', 'Deze storing bestaat niet (meer).');
    return outage;
  }

  private async lockedMessage(manager: EntityManager, id: string): Promise<OutageMessage> {
    const message = await manager.getRepository(OutageMessage).createQueryBuilder('m').setLock('pessimistic_write').where('m.id = :id', { id }).getOne();
    if (!message) throw new NotFoundError('no such message', 'Deze melding bestaat niet (meer).');
    return message;
  }

  private async nearDuplicate(parameters: string[], now: Date): Promise<boolean> {
    const recent: { template_parameters: string[] }[] = await this.dataSource.query(
      `SELECT template_parameters FROM outage_message WHERE created_at > $1::timestamptz - interval '1 hour' AND status NOT IN ('cancelled', 'superseded')`,
      [now.toISOString()],
    );
    const text = normalise(parameters[4]);
    return recent.some((r) => r.template_parameters.slice(0, 4).join('|') === parameters.slice(0, 4).join('|') && distance(normalise(r.template_parameters[4] ?? ''), text) <= Math.max(3, text.length / 5));
  }
}

function regionsAudience(draft: Draft): Audience {
  return { regions: draft.scope === OutageScope.Landelijk ? null : draft.regions };
}

async function audit(manager: EntityManager, actor: string, action: string, target: string, detail: Record<string, string>): Promise<void> {
  await recordAudit(manager, { actor, action, target, detail });
}
