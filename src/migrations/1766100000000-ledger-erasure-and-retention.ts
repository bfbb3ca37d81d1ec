import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An opt-out finds the recipient's rows in the ledger by subscriber, and the rows a merge left
 * without a subscriber by number or user id (ledger/delivery-ledger.ts, unlinkSubscriber).
 * Without these indexes it read the whole ledger: 229 ms at 3 million rows inside the webhook's
 * transaction. Both are partial: they hold only rows without a subscriber that still carry a
 * number or user id (a merge's duplicates: next to none), so the millions of status updates of a
 * broadcast never write to them.
 *
 * Retention (forgetOldRecipients) goes notice by notice instead of filtering the ledger on
 * created_at: a notice whose rows are all forgotten is marked, and each night reads only the rows
 * of notices that crossed the period since (through uq_delivery_message_subscriber). An index on
 * created_at would have cost every status update of every broadcast one more index entry.
 *
 * Built inside the migration's transaction, not CONCURRENTLY: on a large ledger the start that
 * migrates holds writes to delivery for as long as the build takes (seconds at millions of rows).
 * The first night after it reads every notice older than the period once.
 */
export class LedgerErasureAndRetention1766100000000 implements MigrationInterface {
  name = 'LedgerErasureAndRetention1766100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_delivery_orphan_phone" ON "delivery" ("phone") WHERE subscriber_id IS NULL AND phone IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "ix_delivery_orphan_user_id" ON "delivery" ("user_id") WHERE subscriber_id IS NULL AND user_id IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE "outage_message" ADD "recipients_forgotten_at" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outage_message" DROP COLUMN "recipients_forgotten_at"`);
    await queryRunner.query(`DROP INDEX "ix_delivery_orphan_user_id"`);
    await queryRunner.query(`DROP INDEX "ix_delivery_orphan_phone"`);
  }
}

