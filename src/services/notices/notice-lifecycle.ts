/**
 * One lifecycle per notice. This module is the only code that writes a notice's status
 * (outage_message.status; test/architecture.test.ts holds that): staff (outages.ts, through the
 * bot), the dispatcher and the account webhook ask it. Each event checks what it must (business
 * hours, a template Meta does not let us send, a database restore waiting for its erasures, a
 * newer notice of the outage) and brings its effects (the audience snapshot, cancelling queued
 * deliveries, the audit record, waking the dispatcher).
 *
 * Old never after new: when a newer notice of an outage is released, every older notice of that
 * outage that has not finished is superseded. Its queued and retrying deliveries are cancelled,
 * it can no longer be resumed, retried or approved, and its card names the notice that replaced
 * it. (A delivery already on its way to Meta goes first: the dispatcher sends in claim order and
 * paces each recipient, so the newer notice follows it.)
 *
 * | state \ event     | approve          | release          | pause  | resume  | retry failed | finish | cancel    | supersede  |
 * | held              |                  | sending (paused) |        |         |              |        | cancelled | superseded |
 * | awaiting approval | held / sending   |                  |        |         |              |        | cancelled | superseded |
 * | sending           |                  |                  | paused |         |              | done   |           | superseded |
 * | paused            |                  |                  |        | sending |              |        |           | superseded |
 * | done              |                  |                  |        |         | sending      |        |           |            |
 * | cancelled, superseded: final                                                                                            |
 * A new notice starts awaiting approval (REQUIRE_APPROVAL), held (outside business hours) or is
 * released at once; a release while Meta blocks the template leaves it paused.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../../config';
import { Outage, OutageMessage, OutageMessageKind, OutageMessageStatus, OutageScope, OutageStatus } from '../../entities';
import type { Clock } from '../../lib/clock';
import { ForbiddenError, NotFoundError, ValidationError } from '../../http/errors';
import { recordAudit } from '../audit/audit-log';
import type { Audience } from '../ledger/audience';
import { cancelQueuedDeliveries, notifyDeliveriesReady, requeuePassingFailures, snapshotAudience } from '../ledger/delivery-ledger';
import { RestoreGuard, restoreRefusal } from '../privacy/erasure-log';
import { BusinessCalendar } from './business-hours';
import { parameterCount, RESOLUTION_TEMPLATE_BODY, severityOfParameters, templateRoleOf, templateRoleOfKind, type TemplateRole } from './notice-template';
import { readAccountState, templateBlock } from './whatsapp-account';

type Db = DataSource | EntityManager;
const { Held, AwaitingApproval, Sending, Paused, Done, Cancelled, Superseded } = OutageMessageStatus;

export type NoticeEvent = 'approve' | 'release' | 'pause' | 'resume' | 'retryFailed' | 'finish' | 'cancel' | 'supersede';

/** The table above, as data: from which states each event moves a notice, and to which. */
export const NOTICE_TRANSITIONS: Record<NoticeEvent, { from: OutageMessageStatus[]; to: OutageMessageStatus[] }> = {
  approve: { from: [AwaitingApproval], to: [Held, Sending, Paused] },
  release: { from: [Held], to: [Sending, Paused] },
  pause: { from: [Sending], to: [Paused] },
  resume: { from: [Paused], to: [Sending] },
  retryFailed: { from: [Done], to: [Sending] },
  finish: { from: [Sending], to: [Done] },
  cancel: { from: [Held, AwaitingApproval], to: [Cancelled] },
  supersede: { from: [Held, AwaitingApproval, Sending, Paused], to: [Superseded] },
};

/** Why a superseded notice refuses what staff ask of it, in Dutch. */
export const SUPERSEDED_REFUSAL = 'Deze melding is vervangen door een nieuwere melding van deze storing en wordt niet meer verstuurd.';

/** What Meta refused, for the status card and the doctor (notices/pause-reasons.ts says it in Dutch). */
export interface PauseReason {
  scope: 'account' | 'number' | 'template' | 'notice';
  code: number | null;
}

export type NewNotice = Pick<OutageMessage, 'outageId' | 'kind' | 'text' | 'expectedResolution' | 'templateParameters' | 'createdBy' | 'requestId' | 'conversationReference'>;

export class NoticeLifecycle {
  private readonly calendar: BusinessCalendar;
  private readonly restore: RestoreGuard;

  constructor(
    private readonly config: Config,
    private readonly clock: Clock,
  ) {
    this.calendar = new BusinessCalendar(config.businessHours);
    this.restore = new RestoreGuard(config);
  }

  /** Staff send a notice: it waits for approval, is held until the window opens, or is released now. */
  async create(manager: EntityManager, notice: NewNotice, now = this.clock()): Promise<OutageMessage> {
    // Notices of one outage are created, released and superseded one at a time.
    await lockedOutage(manager, notice.outageId);
    await this.refuseWhileBlocked(manager, templateRoleOfKind(notice.kind));
    const releaseAt = this.calendar.nextOpening(now);
    const status = this.config.requireApproval ? AwaitingApproval : releaseAt > now ? Held : Sending;
    const saved = await manager.getRepository(OutageMessage).save({ ...notice, status, releaseAt: releaseAt > now ? releaseAt : null });
    // Only the newest state of an outage goes out: an older notice still waiting is dropped now.
    await this.supersede(manager, saved, [Held, AwaitingApproval]);
    if (status === Sending) await this.release(manager, saved, now);
    await audit(manager, notice.createdBy, `outage.${notice.kind}`, notice.outageId, { status });
    return manager.getRepository(OutageMessage).findOneByOrFail({ id: saved.id });
  }

  /** Four-eyes: a second staff member approves; the author cannot approve their own notice. */
  async approve(manager: EntityManager, messageId: string, approver: string, now = this.clock()): Promise<OutageMessage> {
    // The outage first, as every other event that may release or supersede does: no deadlock, no race.
    await lockedOutage(manager, (await findMessage(manager, messageId)).outageId);
    const message = await lockedMessage(manager, messageId);
    this.expect(message, 'approve', 'Deze melding wacht niet (meer) op goedkeuring.');
    if (message.createdBy === approver) throw new ForbiddenError('author cannot approve', 'Je kunt je eigen melding niet goedkeuren; vraag een collega.');
    const releaseAt = this.calendar.nextOpening(now);
    await manager.getRepository(OutageMessage).update({ id: message.id }, { approvedBy: approver, status: releaseAt > now ? Held : Sending, releaseAt: releaseAt > now ? releaseAt : null });
    if (releaseAt <= now) await this.release(manager, message, now);
    await audit(manager, approver, 'outage.approve', message.outageId, {});
    return manager.getRepository(OutageMessage).findOneByOrFail({ id: message.id });
  }

  /** Staff cancel a notice that has not gone out (held or awaiting approval). */
  async cancel(manager: EntityManager, messageId: string, actor: string): Promise<OutageMessage> {
    const message = await lockedMessage(manager, messageId);
    this.expect(message, 'cancel', message.status === Cancelled ? 'Deze melding is al geannuleerd.' : 'Deze melding is al verstuurd en kan niet meer worden geannuleerd.');
    await manager.getRepository(OutageMessage).update({ id: message.id }, { status: Cancelled });
    await audit(manager, actor, 'outage.cancel', message.outageId, {});
    return manager.getRepository(OutageMessage).findOneByOrFail({ id: message.id });
  }

  /** After Meta refused the account, number or template and it is fixed: carry on with who is left. */
  async resume(manager: EntityManager, messageId: string, actor: string): Promise<OutageMessage> {
    await lockedOutage(manager, (await findMessage(manager, messageId)).outageId);
    const message = await lockedMessage(manager, messageId);
    this.expect(message, 'resume', 'Deze melding is niet gepauzeerd.');
    // The template it goes out with (a resolution from before the second template goes out with the notice's).
    await this.refuseWhileBlocked(manager, templateRoleOf(message.templateParameters));
    await manager.getRepository(OutageMessage).update({ id: message.id }, { status: Sending, pauseScope: null, pauseCode: null });
    await resolveWhenSending(manager, message, this.clock());
    await notifyDeliveriesReady(manager);
    await audit(manager, actor, 'outage.resume', message.outageId, {});
    return manager.getRepository(OutageMessage).findOneByOrFail({ id: message.id });
  }

  /**
   * *Opnieuw proberen (mislukt)*: once per notice, once it is done, re-queues the failed
   * recipients whose cause can pass and who are still subscribed (ledger/failure-reasons.ts).
   * Not outside business hours (R12), and not once a newer notice of the outage exists.
   */
  async retryFailed(manager: EntityManager, messageId: string, actor: string, now = this.clock()): Promise<{ message: OutageMessage; requeued: number }> {
    // The outage first, as a follow-up's send locks it: a retry and a newer notice never pass each other.
    await lockedOutage(manager, (await findMessage(manager, messageId)).outageId);
    const message = await lockedMessage(manager, messageId);
    this.expect(message, 'retryFailed', 'Opnieuw proberen kan pas als de melding helemaal verstuurd is.');
    if (message.failuresRetriedAt) throw new ValidationError('already retried', 'De mislukte berichten van deze melding zijn al een keer opnieuw geprobeerd.');
    if (!this.calendar.isOpen(now)) throw new ValidationError('outside business hours', 'Opnieuw proberen kan alleen binnen kantoortijden.');
    if (await hasNewerNotice(manager, message)) throw new ValidationError('newer notice', 'Er is al een nieuwere melding van deze storing; deze melding wordt niet opnieuw geprobeerd.');
    await this.refuseWhileBlocked(manager, templateRoleOf(message.templateParameters));
    const requeued = await requeuePassingFailures(manager, message.id);
    if (requeued === 0) throw new ValidationError('nothing to retry', 'Er is niets om opnieuw te proberen: de overige mislukte berichten kunnen ook nu niet aankomen, of de ontvangers zijn afgemeld.');
    await manager.getRepository(OutageMessage).update({ id: message.id }, { status: Sending, finishedAt: null, failuresRetriedAt: now });
    await notifyDeliveriesReady(manager);
    await audit(manager, actor, 'outage.retry_failed', message.outageId, { requeued: String(requeued) });
    return { message: await manager.getRepository(OutageMessage).findOneByOrFail({ id: message.id }), requeued };
  }

  /** Releases held notices whose window has opened (run every minute and at the opening). */
  async releaseDue(dataSource: DataSource, now = this.clock()): Promise<number> {
    if (!this.calendar.isOpen(now)) return 0;
    const due = await dataSource.getRepository(OutageMessage).find({ where: { status: Held }, select: { id: true } });
    let released = 0;
    for (const { id } of due) {
      await dataSource.transaction(async (manager) => {
        await lockedOutage(manager, (await findMessage(manager, id)).outageId);
        const message = await lockedMessage(manager, id);
        if (message.status !== Held || (message.releaseAt && message.releaseAt > now)) return;
        await this.release(manager, message, now);
        released += 1;
      });
    }
    return released;
  }

  /**
   * Nothing is queued or resumed while Meta does not let the template be sent, nor after a
   * database restore until the opt-outs since the backup are applied again (privacy/erasure-log.ts).
   */
  async refuseWhileBlocked(manager: EntityManager, template: TemplateRole): Promise<void> {
    const blocked = templateBlock(await readAccountState(manager, this.config), this.config, template);
    if (blocked) throw new ValidationError('template not approved', blocked);
    const erasures = await this.restore.pending(manager);
    if (erasures > 0) throw new ValidationError('erasures to reapply after a restore', restoreRefusal(erasures));
  }

  /** The event is allowed from the notice's state, or refused in Dutch (a superseded notice says why). */
  private expect(message: OutageMessage, event: NoticeEvent, refusal: string): void {
    if (NOTICE_TRANSITIONS[event].from.includes(message.status)) return;
    if (message.status === Superseded) throw new ValidationError('superseded', SUPERSEDED_REFUSAL);
    throw new ValidationError(`cannot ${event} a notice that is ${message.status}`, refusal);
  }

  private async release(manager: EntityManager, message: OutageMessage, now: Date): Promise<void> {
    const audience = await followUpAudience(manager, message.outageId, message.id);
    const recipients = await snapshotAudience(manager, message.id, audience);
    // A held notice whose window opens while Meta blocks its template waits, paused, for staff.
    const blocked = templateBlock(await readAccountState(manager, this.config), this.config, templateRoleOf(message.templateParameters));
    await manager.getRepository(OutageMessage).update({ id: message.id }, { status: blocked ? Paused : Sending, releasedAt: now, recipientCount: recipients });
    // Old never after new: every older notice of the outage that has not finished stops here.
    await this.supersede(manager, message, NOTICE_TRANSITIONS.supersede.from);
    // An update may change the severity: the outage (its title, the next compose card) follows.
    const severity = severityOfParameters(message.templateParameters);
    if (message.kind === OutageMessageKind.Update && severity) await manager.getRepository(Outage).update({ id: message.outageId }, { severity });
    if (blocked) return;
    await resolveWhenSending(manager, message, now);
    await notifyDeliveriesReady(manager);
  }

  /**
   * The other notices of the outage in one of these states are superseded by `newer`; what they
   * still had queued is cancelled. Called with the outage locked, for the newest notice: every
   * other unfinished one is older (a time comparison would not say so reliably: transactions take
   * their time when they start, not when they get the lock).
   */
  private async supersede(manager: EntityManager, newer: OutageMessage, states: OutageMessageStatus[]): Promise<void> {
    const rows: { id: string }[] = await manager.query(
      `WITH replaced AS (
         -- Finished too: its card gets its last rewrite, saying what replaced it (status-cards.ts).
         UPDATE outage_message SET status = 'superseded', superseded_by = $2, finished_at = now()
          WHERE outage_id = $1 AND id <> $2 AND status = ANY($3::outage_message_status[])
         RETURNING id)
       SELECT id FROM replaced`,
      [newer.outageId, newer.id, states],
    );
    if (rows.length > 0) await cancelQueuedDeliveries(manager, rows.map((r) => r.id));
  }
}

/**
 * A later notice of the same outage that is (or will be) sent: an old one must not follow it.
 * Later means released after this one, or waiting to be (a waiting notice is always the newest:
 * creating one supersedes the others that wait).
 */
export async function hasNewerNotice(db: Db, message: OutageMessage): Promise<boolean> {
  const rows: unknown[] = await db.query(
    `SELECT 1 FROM outage_message o
      WHERE o.outage_id = $1 AND o.id <> $2 AND o.status NOT IN ('cancelled', 'superseded')
        AND (o.status IN ('held', 'awaiting_approval') OR o.released_at > (SELECT released_at FROM outage_message WHERE id = $2))
      LIMIT 1`,
    [message.outageId, message.id],
  );
  return rows.length > 0;
}

/** The dispatcher: notices with nothing left to send are done. */
export async function finishMessages(db: Db): Promise<string[]> {
  const rows: { id: string }[] = await db.query(
    `WITH done AS (
       UPDATE outage_message m SET status = 'done', finished_at = now()
        WHERE m.status = 'sending'
          AND NOT EXISTS (SELECT 1 FROM delivery d WHERE d.outage_message_id = m.id AND d.status IN ('queued', 'sending'))
       RETURNING m.id)
     SELECT id FROM done`,
  );
  return rows.map((r) => r.id);
}

/** The dispatcher: Meta refuses this notice's own text: it alone waits (the others are not to blame). */
export async function pauseNotice(db: Db, outageMessageId: string, reason: PauseReason): Promise<boolean> {
  const rows: unknown[] = await db.query(
    `WITH paused AS (UPDATE outage_message SET status = 'paused', pause_scope = $2, pause_code = $3 WHERE id = $1 AND status = 'sending' RETURNING 1) SELECT * FROM paused`,
    [outageMessageId, reason.scope, reason.code],
  );
  return rows.length > 0;
}

/**
 * The dispatcher and the account webhook: Meta refused the account, the number or a template
 * (or a template can no longer be sent): every notice being sent (with that template, when one
 * is named) waits, with the reason, until staff resume it. Nothing is marked failed.
 */
export async function pauseAllSending(db: Db, reason: PauseReason, template?: TemplateRole): Promise<string[]> {
  const rows: { id: string }[] = await db.query(
    `WITH paused AS (
       UPDATE outage_message SET status = 'paused', pause_scope = $1, pause_code = $2
        WHERE status = 'sending' AND ($3::text IS NULL OR (jsonb_array_length(template_parameters) = $4) = ($3 = 'resolution'))
       RETURNING id)
     SELECT id FROM paused`,
    [reason.scope, reason.code, template ?? null, parameterCount(RESOLUTION_TEMPLATE_BODY)],
  );
  return rows.map((r) => r.id);
}

/**
 * Resolved means sent: an outage is closed when its "opgelost" notice starts sending (with no
 * subscribers, when it is confirmed), never while it is held, awaits approval or is paused, so
 * cancelling it leaves the outage open for updates.
 */
async function resolveWhenSending(manager: EntityManager, message: OutageMessage, now: Date): Promise<void> {
  if (message.kind !== OutageMessageKind.Resolved) return;
  await manager.getRepository(Outage).update({ id: message.outageId, status: OutageStatus.Open }, { status: OutageStatus.Resolved, resolvedAt: now });
}

/**
 * Who a notice of an outage goes to: a first notice to the outage's area; a follow-up to
 * whoever got the last released notice and is still subscribed, and whoever subscribed in the
 * outage's area since (they live with the outage too).
 */
export async function followUpAudience(manager: EntityManager, outageId: string, excludeMessageId?: string): Promise<Audience> {
  const outage = await manager.getRepository(Outage).findOneBy({ id: outageId });
  if (!outage) throw new NotFoundError('no such outage', 'Deze storing bestaat niet (meer).');
  const [previous]: { id: string; released_at: Date }[] = await manager.query(
    `SELECT id, released_at FROM outage_message WHERE outage_id = $1 AND released_at IS NOT NULL AND id <> coalesce($2::uuid, '00000000-0000-0000-0000-000000000000') ORDER BY released_at DESC LIMIT 1`,
    [outageId, excludeMessageId ?? null],
  );
  const regions = outage.scope === OutageScope.Landelijk ? null : outage.regions;
  return previous ? { regions, sameAudienceAs: previous.id, joinedSince: previous.released_at } : { regions };
}

export async function findMessage(db: Db, id: string): Promise<OutageMessage> {
  const message = await db.getRepository(OutageMessage).findOneBy({ id });
  if (!message) throw new NotFoundError('no such message', 'Deze melding bestaat niet (meer).');
  return message;
}

/** The outage, locked for the transaction: its follow-ups, releases and retries take their turn. */
export async function lockedOutage(manager: EntityManager, outageId: string): Promise<Outage> {
  const outage = await manager.getRepository(Outage).createQueryBuilder('o').setLock('pessimistic_write').where('o.id = :id', { id: outageId }).getOne();
  if (!outage) throw new NotFoundError('no such outage', 'Deze storing bestaat niet (meer).');
  return outage;
}

async function lockedMessage(manager: EntityManager, id: string): Promise<OutageMessage> {
  const message = await manager.getRepository(OutageMessage).createQueryBuilder('m').setLock('pessimistic_write').where('m.id = :id', { id }).getOne();
  if (!message) throw new NotFoundError('no such message', 'Deze melding bestaat niet (meer).');
  return message;
}

async function audit(manager: EntityManager, actor: string, action: string, target: string, detail: Record<string, string>): Promise<void> {
  await recordAudit(manager, { actor, action, target, detail });
}
