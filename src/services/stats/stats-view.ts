/**
 * What GET /api/stats answers (docs/architecture.md, Public contract): types only, so the tab's
 * browser code (src/tab/main.ts) reads the same shape the server writes, and takes nothing else
 * from the server.
 */

export interface Stats {
  generatedAt: string;
  subscribers: { active: number; pending: number };
  byCompany: { customer: string; customerNumber: string; active: number }[];
  history: { week: string; weekStart: string; optIns: number; optOuts: number; active: number }[];
  /**
   * Whether the service reaches the customers in the registry: how many have at least one
   * active subscriber, and which have none (the stappenplan mailing list), by name.
   */
  coverage: { customers: number; reached: number; missing: { customerNumber: string; name: string; emailDomains: string[] }[] };
  outages: {
    id: string;
    outageId: string;
    kind: string;
    /** The outage in one line, with the severity this notice went out with: "KPN internet · Utrecht · Hoog". */
    about: string;
    /** Superseded by a newer notice of its outage before it reached everyone. */
    superseded: boolean;
    /** Why recipients failed, by reason in Dutch (no addresses: the tab shows no personal data). */
    failures: { reason: string; count: number }[];
    createdAt: string;
    releasedAt: string | null;
    recipients: number;
    sent: number;
    delivered: number;
    read: number;
    failed: number;
    /** Not sent because a newer notice replaced this one (not failures). */
    cancelled: number;
    /** How many Meta reported billable, and the category most were billed in (null before Meta said). */
    billable: number;
    billedAs: string | null;
    /** Seconds from release until 95% of the recipients had it delivered; null until then. */
    secondsTo95Delivered: number | null;
  }[];
  /** What Meta last reported about the account (with the configuration it was read for). */
  whatsapp?: WhatsAppFigures;
}

export interface WhatsAppFigures {
  qualityRating: string | null;
  messagingLimitTier: string | null;
  /** Unique recipients per 24 h (the live tier, else the assumed first tier); null: unlimited. */
  messagingLimit: number | null;
  template: { name: string; status: string | null; category: string | null; reason: string | null; sendable: boolean; blocked: string | null; announcement: string | null };
  updatedAt: string | null;
  /** What Meta bills, per month (newest first), with an estimate when the rate card prices are set. */
  bill: { months: MonthlyBill[]; prices: { utility: number | null; service: number | null } };
}

export interface MonthlyBill {
  /** YYYY-MM (Europe/Amsterdam). */
  month: string;
  /** Notices Meta reported billable. */
  notices: number;
  /** Service messages: the sign-up dialogue, opt-out confirmations, the one-way pointer. */
  serviceMessages: { signUp: number; optOut: number; oneWay: number };
  /** notices x WHATSAPP_PRICE_UTILITY_EUR + service messages x WHATSAPP_PRICE_SERVICE_EUR; null unless both are set. */
  estimateEur: number | null;
}
