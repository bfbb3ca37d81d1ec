import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An opt-out finds the recipient's rows in the ledger by subscriber, and the rows a merge left
 * without a subscriber by number or user id (ledger/delivery-ledger.ts, unlinkSubscriber);
 * retention finds the rows older than the period that still name someone (forgetOldRecipients).
 * Without these indexes both read the whole ledger: an opt-out took 229 ms at 3 million rows
 * inside the webhook's transaction. All three are partial. The first two hold only rows without
 * a subscriber that still carry a number or user id (a merge's duplicates: next to none), so
 * the millions of status updates of a broadcast never write to them; retention's holds the rows
 * that still name someone, and a row leaves it once forgotten.
 *
 * Built inside the migration's transaction, not CONCURRENTLY: on a large ledger the start that
 * migrates holds writes to delivery for as long as the build takes (seconds at millions of rows).
 */
export class DeliveryErasureIndexes1766100000000 implements MigrationInterface {
  name = 'DeliveryErasureIndexes1766100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_delivery_orphan_phone" ON "delivery" ("phone") WHERE subscriber_id IS NULL AND phone IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "ix_delivery_orphan_user_id" ON "delivery" ("user_id") WHERE subscriber_id IS NULL AND user_id IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "ix_delivery_linked_created" ON "delivery" ("created_at") WHERE ${LINKED_SQL}`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_delivery_linked_created"`);
    await queryRunner.query(`DROP INDEX "ix_delivery_orphan_user_id"`);
    await queryRunner.query(`DROP INDEX "ix_delivery_orphan_phone"`);
  }
}

/** As of this migration; the ledger's retention statement uses the same words (LINKED_SQL there). */
const LINKED_SQL = `subscriber_id IS NOT NULL OR phone IS NOT NULL OR user_id IS NOT NULL OR (wa_message_id IS NOT NULL AND NOT wa_message_id LIKE 'h:%')`;
