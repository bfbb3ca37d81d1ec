import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A faster audience snapshot: no foreign-key check per delivery on its notice, and the unique
 * index on the WhatsApp message id only over rows that have one (see delivery.entity.ts).
 */
export class DeliverySnapshotFaster1764800000000 implements MigrationInterface {
  name = 'DeliverySnapshotFaster1764800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // During a rolling upgrade the old instances still write deliveries: rather than queue every
    // write behind a lock we wait for, fail the start (and be restarted) after 30 s. The index is
    // rebuilt inside this transaction, so writes to delivery wait while it builds (the table holds
    // RETENTION_DAYS of deliveries; 0.64 s for a million rows on PostgreSQL 15 here).
    await queryRunner.query(`SET LOCAL lock_timeout = '30s'`);
    await queryRunner.query(`ALTER TABLE "delivery" DROP CONSTRAINT "fk_delivery_outage_message"`);
    await queryRunner.query(`DROP INDEX "public"."uq_delivery_wa_message"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_delivery_wa_message" ON "delivery" ("wa_message_id") WHERE wa_message_id IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_delivery_wa_message"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_delivery_wa_message" ON "delivery" ("wa_message_id")`);
    await queryRunner.query(`ALTER TABLE "delivery" ADD CONSTRAINT "fk_delivery_outage_message" FOREIGN KEY ("outage_message_id") REFERENCES "outage_message"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }
}
