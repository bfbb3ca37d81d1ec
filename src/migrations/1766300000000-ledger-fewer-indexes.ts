import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One index fewer on the ledger (issue 28). Every status of a broadcast updates a delivery row,
 * and since the status is indexed, PostgreSQL writes a new entry into every index of the row at
 * each update (a message's claim, send and statuses are four updates). The index by subscriber
 * (erasure, and the subscriber key's ON DELETE SET NULL) and the unique index by notice and
 * subscriber (one delivery per recipient per notice) become one: unique on (subscriber, notice),
 * which serves both; what reads a notice's rows goes through ix_delivery_message_status, which
 * leads with the notice. Each update writes one index entry fewer (4 instead of 5, 5 instead of 6
 * once the row is delivered), and the snapshot 4 per row instead of 5.
 *
 * Built inside the migration's transaction, not CONCURRENTLY, and the old indexes dropped first:
 * the table is locked exclusively from the first statement (no lock upgrade halfway that could
 * deadlock with a running instance), so on a large ledger the start that migrates holds reads
 * and writes of delivery for as long as the build takes (seconds at millions of rows).
 */
export class LedgerFewerIndexes1766300000000 implements MigrationInterface {
  name = 'LedgerFewerIndexes1766300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_delivery_message_subscriber"`);
    await queryRunner.query(`DROP INDEX "public"."ix_delivery_subscriber"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_delivery_subscriber_message" ON "delivery" ("subscriber_id", "outage_message_id") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_delivery_subscriber_message"`);
    await queryRunner.query(`CREATE INDEX "ix_delivery_subscriber" ON "delivery" ("subscriber_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_delivery_message_subscriber" ON "delivery" ("outage_message_id", "subscriber_id") `);
  }
}
