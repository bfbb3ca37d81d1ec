/** Seeds subscribers and a notice that is sending, for dispatcher tests and the bench. */
import type { DataSource } from 'typeorm';
import { Customer, Outage, OutageMessage, OutageMessageKind, OutageMessageStatus, OutageScope, OutageService, OutageSeverity } from '../../src/entities';
import { snapshotAudience } from '../../src/services/ledger/delivery-ledger';
import { waitFor } from './wait';

export const PARAMETERS = ['Storing', 'internet', 'Landelijk', 'Hoog', 'Landelijke storing op het KPN-netwerk.'];

/** count active subscribers with numbers 3169000000 + i (generate_series: fast at 100k). */
export async function seedSubscribers(db: DataSource, count: number, firstNumber = 31690000000): Promise<void> {
  const customer = await db.getRepository(Customer).save({ customerNumber: `B-${firstNumber}`, name: 'Bench BV', regions: ['UT'] });
  await db.query(
    `INSERT INTO subscriber (phone, first_name, customer_id, status, activated_at)
     SELECT ($2::bigint + g)::text, 'Test', $1, 'active', now() FROM generate_series(0, $3 - 1) AS g`,
    [customer.id, firstNumber, count],
  );
}

/** A notice in 'sending' with its audience snapshotted; returns its id. */
export async function startBroadcast(db: DataSource): Promise<string> {
  return db.transaction(async (manager) => {
    const outage = await manager.getRepository(Outage).save({ service: OutageService.Internet, scope: OutageScope.Landelijk, severity: OutageSeverity.Hoog, createdBy: 'staff' });
    const message = await manager.getRepository(OutageMessage).save({
      outageId: outage.id,
      kind: OutageMessageKind.Initial,
      text: PARAMETERS[4],
      templateParameters: PARAMETERS,
      status: OutageMessageStatus.Sending,
      createdBy: 'staff',
      releasedAt: new Date(),
    });
    await snapshotAudience(manager, message.id, { regions: null });
    await manager.query(`SELECT pg_notify('delivery_ready', '')`);
    return message.id;
  });
}

export async function statusCounts(db: DataSource, messageId: string): Promise<Record<string, number>> {
  const rows: { status: string; n: number }[] = await db.query('SELECT status::text, count(*)::int AS n FROM delivery WHERE outage_message_id = $1 GROUP BY status', [messageId]);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Polls check until it holds (see wait.ts); the dispatcher tests' shorthand. */
export async function until(check: () => Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  await waitFor(check, { timeoutMs, intervalMs: 50, what });
}
