/**
 * notices/: outage notices from compose to ledger. R3 and R9 the audience snapshot of active
 * subscribers only, one delivery each (written by the ledger: services/ledger/), R12 business
 * hours (business-hours.ts) and the release of held notices (feature.ts), R13
 * landelijk/regionaal only with a planned-works warning (this file), the exact template text
 * (notice-template.ts), a notice's lifecycle, the only writer of its status (notice-lifecycle.ts),
 * and the staff cards that show a notice (status-cards.ts). Sending itself is the dispatcher's.
 *
 * Outage notices as staff compose them in Teams: validation (Dutch messages per field), the
 * preview (exact subscriber text, audience, when it goes out, warnings), sending (the notice
 * and its audience snapshot in one transaction, idempotent per card click), follow-ups to the
 * same audience, holding outside business hours (R12), four-eyes approval and cancelling.
 */
import { In, type DataSource, type EntityManager } from 'typeorm';
import { z } from 'zod';
import type { Config } from '../../config';
import type { Clock } from '../../lib/clock';
import { PROVINCES } from '../../lib/provinces';
import { Outage, OutageMessage, OutageMessageKind, OutageScope, OutageService, OutageSeverity, OutageStatus } from '../../entities';
import { NotFoundError, ValidationError } from '../../http/errors';
import { BusinessCalendar } from './business-hours';
import { countAudience, type Audience } from '../ledger/audience';
import { buildTemplateParameters, MAX_STAFF_TEXT, renderNotice, templateRoleOfKind } from './notice-template';
import { followUpAudience, hasNewerNotice, lockedOutage, NoticeLifecycle } from './notice-lifecycle';
import { messagingLimit, readAccountState, templateAnnouncement, templateBlock } from './whatsapp-account';
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
      .min(10, 'De tekst moet minimaal 10 tekens bevatten.')
      .max(MAX_STAFF_TEXT, `De tekst mag maximaal ${MAX_STAFF_TEXT} tekens bevatten.`),
    expectedResolution: z
      .string()
      .trim()
      .max(100, 'De verwachte oplossing mag maximaal 100 tekens bevatten.')
      .optional()
      .transform((v) => (v ? v : undefined)),
  })
  .superRefine((value, ctx) => {
    const unknown = value.regions.filter((r) => !(PROVINCES as readonly string[]).includes(r));
    if (unknown.length) ctx.addIssue({ code: 'custom', path: ['regions'], message: `${unknown.length === 1 ? 'Onbekende provincie' : 'Onbekende provincies'}: ${unknown.join(', ')}.` });
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
  /** A follow-up: how many of the recipients subscribed in the outage's area since the last notice went out (the rest got it). */
  newcomers?: number;
  /** null: goes out at once. */
  releaseAt: Date | null;
  warnings: string[];
  /** Why it cannot be sent now (the template is not approved); null when it can. */
  blocked: string | null;
}


export class Outages {
  private readonly calendar: BusinessCalendar;
  private readonly lifecycle: NoticeLifecycle;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: Config,
    private readonly clock: Clock,
  ) {
    this.calendar = new BusinessCalendar(config.businessHours);
    this.lifecycle = new NoticeLifecycle(config, clock);
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

  /** Notices by id, in one query. */
  async messages(ids: string[]): Promise<OutageMessage[]> {
    return ids.length === 0 ? [] : this.dataSource.getRepository(OutageMessage).findBy({ id: In(ids) });
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
    const audience = followUpOf ? await followUpAudience(this.dataSource.manager, followUpOf) : regionsAudience(draft);
    const recipients = await countAudience(this.dataSource.manager, audience);
    // A follow-up names both: who got the last notice and is still subscribed, and who joined in the area since.
    const newcomers = audience.joinedSince ? recipients - (await countAudience(this.dataSource.manager, { ...audience, joinedSince: undefined })) : undefined;
    const opening = this.calendar.nextOpening(now);
    const account = await readAccountState(this.dataSource, this.config);
    const limit = messagingLimit(account);
    const warnings: string[] = [];
    if (looksLikePlannedWork(draft.text)) {
      warnings.push('De tekst lijkt over gepland onderhoud of geplande werkzaamheden te gaan. Die worden niet via WhatsApp gemeld: alleen landelijke en regionale storingen.');
    }
    if (limit !== null && recipients > limit) {
      warnings.push(`Het aantal ontvangers (${recipients}) is groter dan de WhatsApp-berichtlimiet van ${limit} ontvangers per 24 uur${account.number?.messagingLimit ? '' : ' (aangenomen; Meta heeft nog geen limiet gemeld)'}: niet iedereen krijgt de melding binnen 24 uur.`);
    }
    if (recipients === 0) warnings.push('Er zijn geen aangemelde ontvangers voor deze selectie.');
    const announcement = templateAnnouncement(account, this.config, now);
    if (announcement) warnings.push(announcement);
    if (await this.nearDuplicate(parameters, now)) warnings.push('Een vrijwel gelijke melding is in het afgelopen uur al verstuurd.');
    return { parameters, text: renderNotice(parameters), recipients, newcomers, releaseAt: opening.getTime() === now.getTime() ? null : opening, warnings, blocked: templateBlock(account, this.config, templateRoleOfKind(draft.kind)) };
  }

  /**
   * Creates the notice (and, for an initial one, the outage). Idempotent on requestId: a double
   * click returns the first result. Its lifecycle (notice-lifecycle.ts) decides whether it goes
   * out now, is held until the window opens, or waits for approval (REQUIRE_APPROVAL).
   */
  async send(input: { draft: Draft; outageId?: string; createdBy: string; requestId: string; conversationReference?: Record<string, unknown>; now?: Date }): Promise<OutageMessage> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`outage-request:${input.requestId}`]);
      const existing = await manager.getRepository(OutageMessage).findOneBy({ requestId: input.requestId });
      if (existing) return existing;
      const outage = input.outageId ? await this.openOutage(manager, input.outageId) : await this.newOutage(manager, input.draft, input.createdBy);
      return this.lifecycle.create(
        manager,
        {
          outageId: outage.id,
          kind: input.draft.kind,
          text: input.draft.text,
          expectedResolution: input.draft.expectedResolution ?? null,
          templateParameters: this.parametersOf(input.draft),
          createdBy: input.createdBy,
          requestId: input.requestId,
          conversationReference: input.conversationReference ?? null,
        },
        input.now ?? this.clock(),
      );
    });
  }

  approve(messageId: string, approver: string, now = this.clock()): Promise<OutageMessage> {
    return this.dataSource.transaction((manager) => this.lifecycle.approve(manager, messageId, approver, now));
  }

  cancel(messageId: string, actor: string): Promise<OutageMessage> {
    return this.dataSource.transaction((manager) => this.lifecycle.cancel(manager, messageId, actor));
  }

  resume(messageId: string, actor: string): Promise<OutageMessage> {
    return this.dataSource.transaction((manager) => this.lifecycle.resume(manager, messageId, actor));
  }

  retryFailed(messageId: string, actor: string, now = this.clock()): Promise<{ message: OutageMessage; requeued: number }> {
    return this.dataSource.transaction((manager) => this.lifecycle.retryFailed(manager, messageId, actor, now));
  }

  /** A later notice of the same outage that is (or will be) sent: an old one must not follow it. */
  hasNewerNotice(db: EntityManager | DataSource, message: OutageMessage): Promise<boolean> {
    return hasNewerNotice(db, message);
  }

  /** Releases held notices whose window has opened (run every minute and at the opening). */
  releaseDue(now = this.clock()): Promise<number> {
    return this.lifecycle.releaseDue(this.dataSource, now);
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
    const outage = await lockedOutage(manager, outageId);
    if (outage.status !== OutageStatus.Open) throw new ValidationError('outage closed', 'Deze storing is al opgelost; maak een nieuwe melding.');
    return outage;
  }

  private async nearDuplicate(parameters: string[], now: Date): Promise<boolean> {
    const recent: { template_parameters: string[] }[] = await this.dataSource.query(
      `SELECT template_parameters FROM outage_message WHERE created_at > $1::timestamptz - interval '1 hour' AND status NOT IN ('cancelled', 'superseded')`,
      [now.toISOString()],
    );
    // The same template's other parameters, and a staff text (always the last) that differs by a few letters.
    const head = (p: string[]) => p.slice(0, -1).join('|');
    const text = normalise(parameters.at(-1) ?? '');
    return recent.some((r) => r.template_parameters.length === parameters.length && head(r.template_parameters) === head(parameters) && distance(normalise(r.template_parameters.at(-1) ?? ''), text) <= Math.max(3, text.length / 5));
  }
}

function regionsAudience(draft: Draft): Audience {
  return { regions: draft.scope === OutageScope.Landelijk ? null : draft.regions };
}
