/**
 * stats/: the management figures (who may see them, R16, is checked in management/).
 *
 * The management figures behind GET /api/stats (docs/architecture.md (Public contract)): subscribers now, per company,
 * opt-ins and opt-outs per ISO week (from subscription_event, so erased subscribers still
 * count in the history), and the delivery funnel of the last 20 notices. Funnel counts are
 * cumulative: "sent" includes delivered and read, "delivered" includes read.
 */
import type { DataSource } from 'typeorm';
import type { Config } from '../../config';
import type { Clock } from '../../lib/clock';
import { messagingLimit, readAccountState, templateAnnouncement, templateBlock } from '../notices/whatsapp-account';
import { reachedSql } from '../ledger/status-order';
import { groupByReason } from '../ledger/failure-reasons';
import { outageTitle, severityOfParameters } from '../notices/notice-template';
import type { OutageScope, OutageService, OutageSeverity } from '../../entities';
import type { MonthlyBill, Stats, WhatsAppFigures } from './stats-view';

export type { MonthlyBill, Stats, WhatsAppFigures } from './stats-view';

/** The last `months` months of message_count, with the estimate. */
async function monthlyBill(db: DataSource, config: Config, months = 6): Promise<MonthlyBill[]> {
  const rows: { month: string; kind: string; count: number }[] = await db.query(
    `SELECT to_char(month, 'YYYY-MM') AS month, kind, count FROM message_count
      WHERE month >= date_trunc('month', now() AT TIME ZONE 'Europe/Amsterdam') - (($1::int - 1) * interval '1 month')
      ORDER BY month DESC`,
    [months],
  );
  const { utility, service } = config.whatsapp.prices;
  const byMonth = new Map<string, MonthlyBill>();
  for (const row of rows) {
    const bill = byMonth.get(row.month) ?? { month: row.month, notices: 0, serviceMessages: { signUp: 0, optOut: 0, oneWay: 0 }, estimateEur: null };
    if (row.kind === 'notice') bill.notices = row.count;
    else if (row.kind === 'sign_up') bill.serviceMessages.signUp = row.count;
    else if (row.kind === 'opt_out') bill.serviceMessages.optOut = row.count;
    else if (row.kind === 'one_way') bill.serviceMessages.oneWay = row.count;
    byMonth.set(row.month, bill);
  }
  for (const bill of byMonth.values()) {
    const serviceCount = bill.serviceMessages.signUp + bill.serviceMessages.optOut + bill.serviceMessages.oneWay;
    bill.estimateEur = utility !== undefined && service !== undefined ? Math.round((bill.notices * utility + serviceCount * service) * 100) / 100 : null;
  }
  return [...byMonth.values()];
}

/** The account's state for the tab: the number's quality and limit, and whether the template may be sent. */
export async function whatsappFigures(db: DataSource, config: Config, clock: Clock): Promise<WhatsAppFigures> {
  const state = await readAccountState(db, config);
  const blocked = templateBlock(state, config);
  const dates = [state.template?.updatedAt, state.number?.updatedAt].filter((d): d is string => d !== undefined).sort();
  return {
    qualityRating: state.number?.qualityRating ?? null,
    messagingLimitTier: state.number?.messagingLimit ?? null,
    messagingLimit: messagingLimit(state),
    template: { name: config.whatsapp.templateName, status: state.template?.status ?? null, category: state.template?.category ?? null, reason: state.template?.reason ?? null, sendable: blocked === null, blocked, announcement: templateAnnouncement(state, config, clock()) },
    updatedAt: dates.at(-1) ?? null,
    bill: { months: await monthlyBill(db, config), prices: { utility: config.whatsapp.prices.utility ?? null, service: config.whatsapp.prices.service ?? null } },
  };
}

export async function loadStats(db: DataSource, weeks = 26): Promise<Stats> {
  // Independent queries run side by side on the pool.
  const outagesQuery = recentNotices(db);
  outagesQuery.catch(() => undefined); // observed below; this only keeps an early failure from being unhandled
  const [counts]: { active: number; pending: number }[] = await db.query(
    `SELECT count(*) FILTER (WHERE status = 'active')::int AS active, count(*) FILTER (WHERE status = 'pending_name')::int AS pending FROM subscriber`,
  );
  const byCompany: { customer: string; customerNumber: string; active: number }[] = await db.query(
    `SELECT c.name AS customer, c.customer_number AS "customerNumber", count(*)::int AS active
       FROM subscriber s JOIN customer c ON c.id = s.customer_id
      WHERE s.status = 'active'
      GROUP BY c.id ORDER BY active DESC, c.name`,
  );
  const weekly: { week: string; weekStart: Date; optIns: number; optOuts: number }[] = await db.query(
    `WITH weeks AS (
       SELECT generate_series(date_trunc('week', now() AT TIME ZONE 'Europe/Amsterdam') - (($1::int - 1) * interval '1 week'),
                              date_trunc('week', now() AT TIME ZONE 'Europe/Amsterdam'), interval '1 week') AS start
     ), counted AS (
       -- Events grouped by their week first (an index range scan), then laid on the calendar.
       SELECT date_trunc('week', occurred_at AT TIME ZONE 'Europe/Amsterdam') AS start,
              count(*) FILTER (WHERE kind = 'opt_in')::int AS opt_ins,
              count(*) FILTER (WHERE kind IN ('opt_out', 'erasure'))::int AS opt_outs
         FROM subscription_event
        WHERE occurred_at >= now() - (($1::int + 1) * interval '1 week')
        GROUP BY 1
     )
     SELECT to_char(w.start, 'IYYY-"W"IW') AS week, w.start AS "weekStart",
            coalesce(c.opt_ins, 0) AS "optIns", coalesce(c.opt_outs, 0) AS "optOuts"
       FROM weeks w LEFT JOIN counted c ON c.start = w.start
      ORDER BY w.start`,
    [weeks],
  );
  // Active at the end of each week: today's count minus the net changes after that week.
  let active = counts.active;
  const history: Stats['history'] = [];
  for (let i = weekly.length - 1; i >= 0; i--) {
    history.unshift({ week: weekly[i].week, weekStart: toDate(weekly[i].weekStart), optIns: weekly[i].optIns, optOuts: weekly[i].optOuts, active: Math.max(0, active) });
    active -= weekly[i].optIns - weekly[i].optOuts;
  }
  const missing: { customerNumber: string; name: string; emailDomains: string[] }[] = await db.query(
    `SELECT c.customer_number AS "customerNumber", c.name, c.email_domains AS "emailDomains" FROM customer c
      WHERE NOT EXISTS (SELECT 1 FROM subscriber s WHERE s.customer_id = c.id AND s.status = 'active')
      ORDER BY c.name, c.customer_number`,
  );
  const [{ customers }]: { customers: number }[] = await db.query('SELECT count(*)::int AS customers FROM customer');
  const outages = await outagesQuery;
  return {
    generatedAt: new Date().toISOString(),
    subscribers: { active: counts.active, pending: counts.pending },
    byCompany,
    coverage: { customers, reached: customers - missing.length, missing },
    history,
    outages: outages.map((o) => ({
      id: o.id,
      outageId: o.outage_id,
      kind: o.kind,
      // The severity it went out with (an update may have changed the outage's since; a resolution has none of its own).
      about: outageTitle({ ...o, severity: severityOfParameters(o.template_parameters) ?? o.severity }),
      superseded: o.status === 'superseded',
      failures: groupByReason(o.failure_codes ?? []).map((g) => ({ reason: g.label, count: g.count })),
      createdAt: new Date(o.created_at).toISOString(),
      releasedAt: o.released_at ? new Date(o.released_at).toISOString() : null,
      recipients: o.recipients,
      sent: o.sent,
      delivered: o.delivered,
      read: o.read,
      failed: o.failed,
      cancelled: o.cancelled,
      billable: o.billable,
      billedAs: o.billed_as,
      secondsTo95Delivered: o.recipients > 0 && o.delivered >= Math.ceil(0.95 * o.recipients) ? o.t95 : null,
    })),
  };
}

interface NoticeRow {
  id: string;
  outage_id: string;
  kind: string;
  service: OutageService;
  scope: OutageScope;
  regions: string[];
  severity: OutageSeverity;
  status: string;
  template_parameters: string[];
  failure_codes: { code: number | null; count: number }[] | null;
  created_at: Date;
  released_at: Date | null;
  recipients: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  cancelled: number;
  billable: number;
  billed_as: string | null;
  t95: number | null;
}

/** The last 20 released notices with their funnel (the heaviest query: started first). */
function recentNotices(db: DataSource): Promise<NoticeRow[]> {
  return db.query(
    `SELECT m.id, m.outage_id, m.kind, m.status::text AS status, m.template_parameters, m.created_at, m.released_at, o.service, o.scope, o.regions, o.severity, f.*,
            (SELECT json_agg(json_build_object('code', e.error_code, 'count', e.n))
               FROM (SELECT error_code, count(*)::int AS n FROM delivery WHERE outage_message_id = m.id AND status = 'failed' GROUP BY error_code) e) AS failure_codes,
            CASE WHEN f.recipients > 0 AND f.delivered >= ceil(0.95 * f.recipients) THEN
              (SELECT extract(epoch FROM d.delivered_at - m.released_at)::int
                 FROM delivery d
                WHERE d.outage_message_id = m.id AND d.delivered_at IS NOT NULL
                ORDER BY d.delivered_at
                OFFSET greatest(ceil(0.95 * f.recipients)::int - 1, 0) LIMIT 1)
            END AS t95
       FROM (SELECT * FROM outage_message WHERE released_at IS NOT NULL ORDER BY released_at DESC LIMIT 20) m
       JOIN outage o ON o.id = m.outage_id
       CROSS JOIN LATERAL (
         SELECT count(*)::int AS recipients,
                count(*) FILTER (WHERE status IN ${reachedSql('sent')})::int AS sent,
                count(*) FILTER (WHERE status IN ${reachedSql('delivered')})::int AS delivered,
                count(*) FILTER (WHERE status IN ${reachedSql('read')})::int AS read,
                count(*) FILTER (WHERE status = 'failed')::int AS failed,
                count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
                count(*) FILTER (WHERE billable)::int AS billable,
                mode() WITHIN GROUP (ORDER BY pricing_category) FILTER (WHERE billable) AS billed_as
           FROM delivery WHERE outage_message_id = m.id) f
      ORDER BY m.released_at DESC`,
  );
}

function toDate(value: Date | string): string {
  const d = new Date(value);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
