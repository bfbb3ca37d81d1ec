/**
 * The bot's one door into the domain: what staff do, as intents (compose and preview, send,
 * approve, resume, cancel, look at a notice, invite, export, erase), with plain data in and
 * out. The bot gets this interface and nothing else of services/: no domain object, no entity,
 * no database (test/architecture.test.ts checks the imports and this file's types). The
 * implementation is staff-desk.ts, wired by the composition root.
 *
 * This file imports nothing at run time, so a move from botbuilder to another Teams SDK
 * touches bots/ only.
 */

/** Staff compose and send, managers see the tab, administrators also grant roles (/rechten). */
export type StaffRoleName = 'staff' | 'manager' | 'admin';

export interface RolesHeld {
  staff: boolean;
  manager: boolean;
  admin: boolean;
}

export interface RoleHolder {
  aadObjectId: string;
  role: StaffRoleName;
  displayName: string | null;
  /** 'settings' for the settings' lists, else who granted it and when. */
  source: 'settings' | { grantedBy: string; grantedAt: string };
}

/** What a grant or revocation did, and whether the role is still held (and why: the settings give it, or an administrator is staff). */
export interface RoleChange {
  changed: boolean;
  holds: boolean;
  because?: 'settings' | 'admin';
}

/** The kind of notice: the first one of an outage, an update, or "opgelost". */
export type NoticeKind = 'initial' | 'update' | 'resolved';

/** A card's `kind` as a notice kind; anything unknown is a first notice. */
export function noticeKind(value: unknown): NoticeKind {
  return value === 'update' || value === 'resolved' ? value : 'initial';
}

/** The compose card's inputs as typed (validated by the domain, with a Dutch message per field). */
export interface ComposeFields {
  service?: string;
  scope?: string;
  regions?: string;
  severity?: string;
  text?: string;
  expectedResolution?: string;
}

export interface ComposeRequest {
  fields: ComposeFields;
  kind: NoticeKind;
  /** Set for an update or resolution: it keeps the outage's service and area. */
  outageId?: string;
}

/** Field -> Dutch message, for the compose card. */
export interface FieldErrors {
  errors: Record<string, string>;
}

export interface NoticePreview {
  /** Exactly what a subscriber reads. */
  text: string;
  recipients: number;
  /** The recipients in Dutch; a follow-up names who got the last notice and who subscribed in the area since. */
  recipientsText: string;
  /** When it goes out, in Dutch. */
  releaseText: string;
  warnings: string[];
  /** Why it cannot be sent now (the template is not approved); null when it can. */
  blocked: string | null;
}

export interface SendRequest extends ComposeRequest {
  actor: string;
  /** One per preview: a double click sends once. */
  requestId: string;
  /** Where the status card lives, for later refreshes (a Bot Framework conversation reference). */
  conversationReference: Record<string, unknown>;
  /** The card's activity id, when the client told it. */
  cardActivityId?: string;
}

export interface NoticeFigures {
  total: number;
  queued: number;
  sending: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  cancelled: number;
  /** Messages Meta reported as billable, and the category they were billed in (utility, or what Meta chose). */
  billable: number;
  billedAs: string | null;
}

export interface NoticeStatus {
  outageId: string;
  messageId: string;
  kind: string;
  status: string;
  statusText: string;
  text: string;
  progress: NoticeFigures;
  outageOpen: boolean;
  /** When the last recipient was handed to WhatsApp (ISO), null while it has not finished. */
  finishedAt: string | null;
  /** When these figures were read (ISO): the card's week of refreshes counts from finishedAt to here. */
  asOf: string;
  /** Why recipients failed, grouped and in Dutch, largest first; masked: up to 10 masked numbers, for personal chats only. */
  failures: { reason: string; count: number; canPass: boolean; masked: string[] }[];
  /** How many failures *Opnieuw proberen (mislukt)* would send again now (0 once it was used). */
  retryable: number;
  /** Whether the failures were already retried (once per notice). */
  retried: boolean;
}

export type InviteResult =
  | { sent: true; customerName: string }
  | { sent: false; customerName: string; customerNumber: string; domains: string[]; matching: { name: string; customerNumber: string }[] }
  /** The customer typed is not in the registry: the ones it may have meant, to pick with a click. */
  | { sent: false; unknownCustomer: string; suggestions: { name: string; customerNumber: string }[] };

/** An open outage as /storingen lists it: what it is about, and its latest notice. */
export interface OpenOutage {
  outageId: string;
  /** "KPN internet · Utrecht, Noord-Holland · Hoog" */
  title: string;
  openedAt: string;
  latest: NoticeStatus | null;
}

export interface CardToRefresh {
  messageId: string;
  activityId: string;
  reference: Record<string, unknown>;
  /** The digest of the card as last written (null before the first rewrite): unchanged means no rewrite. */
  digest: string | null;
}

/** Everything stored about a number (right of access, R15). */
export interface SubscriberExport {
  /** id: the opaque reference staff cards carry instead of the number. */
  subscriber: { id: string; phone: string | null; userId: string | null; firstName: string | null; company: string; customerNumber: string; email: string | null; status: string; signedUpAt: string; activatedAt: string | null; lastMessageAt: string | null } | null;
  deliveries: { notice: string; status: string; sentAt: string | null; deliveredAt: string | null; readAt: string | null }[];
  emails: { kind: string; subject: string; status: string; createdAt: string; sha256: string }[];
}

export interface StaffServices {
  /** The outage's own fields, which an update or resolution starts from. */
  outageFields(outageId: string | undefined): Promise<ComposeFields>;
  /** The outage in one line ("KPN internet · Utrecht · Hoog"), for the cards of its follow-ups. */
  outageTitle(outageId: string): Promise<string>;
  /** Validates the card and shows exactly what subscribers would get, to whom and when. */
  preview(request: ComposeRequest): Promise<NoticePreview | FieldErrors>;
  /** Sends the notice now, holds it until business hours, or puts it up for approval. */
  send(request: SendRequest): Promise<NoticeStatus | FieldErrors>;
  /** Four-eyes: a second staff member approves. */
  approve(messageId: string, actor: string): Promise<NoticeStatus>;
  /** Carries on with a notice WhatsApp paused, once the account is fine again. */
  resume(messageId: string, actor: string): Promise<NoticeStatus>;
  /** Sends again, once, to the failed recipients whose cause can pass and who are still subscribed. */
  retryFailed(messageId: string, actor: string): Promise<NoticeStatus>;
  /** Cancels a notice that has not gone out. */
  cancel(messageId: string, actor: string): Promise<NoticeStatus>;
  statusOf(messageId: string): Promise<NoticeStatus>;
  /** The outages not yet resolved, newest first, each with its latest notice (/storingen). */
  openOutages(): Promise<OpenOutage[]>;
  /**
   * The status cards that show a notice still moving, for the instance that holds the
   * refresher's lease (renewed by asking; none for the others).
   */
  cardsToRefresh(holder: string, refreshForMs: number): Promise<CardToRefresh[]>;
  /** The card of this notice was rewritten as `digest`. */
  cardShown(messageId: string, digest: string): Promise<void>;
  /**
   * Sends the stappenplan with a personal sign-up code (R2). An address outside the customer's
   * e-mail domains is not sent unless staff confirmed it (audited): the answer says why, and
   * which registry customers the address does belong to.
   */
  invite(email: string, customer: string, actor: string, options?: { outsideDomainsConfirmed?: boolean }): Promise<InviteResult>;
  exportSubscriber(phone: string, actor: string): Promise<SubscriberExport>;
  /** Erasure on written request (R15), of the subscriber with this (opaque) id. */
  erase(subscriberId: string, actor: string, reason: string): Promise<{ emailQueued: boolean }>;
  /** Audits a staff action, or its refusal (R16). */
  recordAccess(actor: string, action: string, refused: boolean): Promise<void>;
  /** The roles of an Entra object id: the settings' lists and the grants of /rechten; the name keeps the list readable. */
  rolesOf(aadObjectId: string, displayName?: string): Promise<RolesHeld>;
  /** Everyone with a role, for /rechten. */
  roleHolders(): Promise<RoleHolder[]>;
  /** Grants (true) or revokes (false) a role, audited when something changed. */
  setRole(aadObjectId: string, role: StaffRoleName, granted: boolean, actor: string): Promise<RoleChange>;
}
