/**
 * What a card sends back (Action.Execute's data, or Action.Submit's value), validated in one
 * place: ids must be ids, texts have an upper bound, and anything else is refused with a Dutch
 * line before the domain sees it. Extra keys a Teams client adds are ignored.
 */
import { z } from 'zod';
import { noticeKind, type ComposeFields, type NoticeKind } from '../services/staff-services';

const optionalText = (max: number) => z.string().max(max).optional();

const cardDataSchema = z.object({
  verb: z.string().max(32),
  kind: z.string().max(16).optional(),
  outageId: z.uuid().optional(),
  messageId: z.uuid().optional(),
  requestId: z.string().min(1).max(100).optional(),
  subscriberId: z.uuid().optional(),
  /** The masked number shown on the erasure card (+31 6 ****5678), for its answer. */
  masked: z.string().max(20).regex(/^[+\d *]*$/).optional(),
  reason: optionalText(500),
  // The compose card's inputs; the domain validates their content with Dutch messages per field.
  service: optionalText(40),
  scope: optionalText(40),
  regions: optionalText(200),
  severity: optionalText(20),
  text: optionalText(5000),
  expectedResolution: optionalText(200),
  // /stappenplan's confirmation card: the address, the customer, and whether staff confirmed an address outside its domains.
  email: z.email().max(254).optional(),
  customer: optionalText(200),
  outsideDomains: z.boolean().optional(),
});

export interface CardAction {
  verb: string;
  kind: NoticeKind;
  outageId?: string;
  messageId?: string;
  requestId?: string;
  subscriberId?: string;
  masked?: string;
  reason?: string;
  invite?: { email: string; customer: string; outsideDomains: boolean };
  fields: ComposeFields;
}

/** The card's data as a CardAction, or the names of the fields that are not what a card sends. */
export function parseCardAction(data: unknown): { action: CardAction } | { invalid: string[] } {
  const parsed = cardDataSchema.safeParse(data);
  if (!parsed.success) return { invalid: [...new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? 'data')))] };
  const { verb, kind, outageId, messageId, requestId, subscriberId, masked, reason, service, scope, regions, severity, text, expectedResolution, email, customer, outsideDomains } = parsed.data;
  const invite = email && customer ? { email, customer, outsideDomains: outsideDomains === true } : undefined;
  return { action: { verb, kind: noticeKind(kind), outageId, messageId, requestId, subscriberId, masked, reason, invite, fields: { service, scope, regions, severity, text, expectedResolution } } };
}
