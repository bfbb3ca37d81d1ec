/**
 * A ledger as years of use leave it, written straight in SQL (millions of rows in seconds):
 * one customer, `rows / NOTICES` active subscribers, NOTICES notices a week apart each sent to
 * all of them. Rows older than RETAINED_WEEKS are anonymous, as retention leaves them (no link,
 * number or user id; a hashed message id); the recent ones still name their recipient. Shared by
 * the bench (opt-out at 5 million rows) and the plan test (test/services/ledger/erasure-plan.test.ts).
 */
import type { Client } from 'pg';

export const NOTICES = 50;
const RETAINED_WEEKS = 4;

export async function seedLedger(client: Client, rows: number): Promise<{ subscribers: number }> {
  const subscribers = Math.max(1, Math.floor(rows / NOTICES));
  const { rows: customer } = await client.query<{ id: string }>(`INSERT INTO customer (customer_number, name, regions) VALUES ('LEDGER-1', 'Ledger BV', '{UT}') RETURNING id`);
  await client.query(
    `INSERT INTO subscriber (phone, first_name, customer_id, status, user_id)
     SELECT (31610000000 + g)::text, 'Ledger', $1, 'active', 'NL.' || g FROM generate_series(1, $2) g`,
    [customer[0].id, subscribers],
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
       FROM (SELECT gen_random_uuid() AS id, now() - (($1 - k) * interval '7 days') AS at, $1 - k < $2 AS recent FROM generate_series(0, $1 - 1) k) n
       CROSS JOIN (SELECT id, phone, user_id FROM subscriber) s`,
    [NOTICES, RETAINED_WEEKS],
  );
  await client.query('VACUUM ANALYZE delivery');
  await client.query('ANALYZE subscriber');
  return { subscribers };
}
