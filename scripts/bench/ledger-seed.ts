/**
 * A ledger as years of use leave it, written straight in SQL (millions of rows in seconds):
 * one customer, `rows / NOTICES` active subscribers, NOTICES notices of one outage, a week apart,
 * each sent to all of them. Notices older than LINKED_WEEKS are anonymous, as retention leaves them (no
 * link, number or user id; a hashed message id; the notice marked), the recent ones still name their
 * recipients, and the oldest of those (five weeks) is due for retention. Shared by
 * the bench (opt-out at 5 million rows) and the plan test (test/services/ledger/erasure-plan.test.ts).
 */
import type { Client } from 'pg';

export const NOTICES = 50;
/** Notices whose rows still name their recipients: the last four weeks', and one of five weeks ago that retention has still to do. */
const LINKED_WEEKS = 5;

export async function seedLedger(client: Client, rows: number): Promise<{ subscribers: number }> {
  const subscribers = Math.max(1, Math.floor(rows / NOTICES));
  const { rows: customer } = await client.query<{ id: string }>(`INSERT INTO customer (customer_number, name, regions) VALUES ('LEDGER-1', 'Ledger BV', '{UT}') RETURNING id`);
  await client.query(
    `INSERT INTO subscriber (phone, first_name, customer_id, status, user_id)
     SELECT (31610000000 + g)::text, 'Ledger', $1, 'active', 'NL.' || g FROM generate_series(1, $2) g`,
    [customer[0].id, subscribers],
  );
  const { rows: outage } = await client.query<{ id: string }>(`INSERT INTO outage (service, scope, severity, status, created_by) VALUES ('internet', 'landelijk', 'hoog', 'resolved', 'ledger-seed') RETURNING id`);
  // The notices, sent and done, a week apart.
  await client.query(
    `INSERT INTO outage_message (outage_id, kind, text, template_parameters, status, created_by, created_at, released_at, finished_at, recipients_forgotten_at)
     SELECT $1, 'update', 'Storing', '["Internet", "Landelijk", "Storing", "Hoog"]', 'done', 'ledger-seed', at, at, at + interval '2 minutes',
            CASE WHEN at < now() - ($3 * interval '7 days') THEN at + interval '31 days' END
       FROM (SELECT now() - (($2 - k) * interval '7 days') AS at FROM generate_series(0, $2 - 1) k) n`,
    [outage[0].id, NOTICES, LINKED_WEEKS],
  );
  await client.query(
    `INSERT INTO delivery (outage_message_id, subscriber_id, phone, user_id, status, wa_message_id, created_at, sent_at, delivered_at)
     SELECT n.id,
            CASE WHEN n.recent THEN s.id END,
            CASE WHEN n.recent THEN s.phone END,
            CASE WHEN n.recent THEN s.user_id END,
            'delivered',
            CASE WHEN n.recent THEN 'wamid.' || md5(n.id::text || s.phone) ELSE 'h:' || encode(sha256(convert_to(n.id::text || s.phone, 'UTF8')), 'hex') END,
            n.at, n.at, n.at + interval '3 seconds'
       FROM (SELECT id, created_at AS at, recipients_forgotten_at IS NULL AS recent FROM outage_message) n
       CROSS JOIN (SELECT id, phone, user_id FROM subscriber) s`,
  );
  await client.query('VACUUM ANALYZE delivery');
  await client.query('ANALYZE subscriber');
  await client.query('ANALYZE outage_message');
  return { subscribers };
}
