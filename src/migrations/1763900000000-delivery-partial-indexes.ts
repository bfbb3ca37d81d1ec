import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partial indexes: queued deliveries in due order (the dispatcher's claim), rows being sent
 * (crash recovery) and delivery times per notice (the tab's 95% figure). They replace the full (status, next_attempt_at) index, which every
 * audience snapshot had to maintain for nothing.
 */
export class DeliveryPartialIndexes1763900000000 implements MigrationInterface {
  name = 'DeliveryPartialIndexes1763900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_delivery_claim"`);
    await queryRunner.query(`CREATE INDEX "ix_delivery_queued" ON "delivery" ("next_attempt_at", "id") WHERE status = 'queued'`);
    await queryRunner.query(`CREATE INDEX "ix_delivery_sending" ON "delivery" ("claimed_at") WHERE status = 'sending'`);
    await queryRunner.query(`CREATE INDEX "ix_delivery_message_delivered" ON "delivery" ("outage_message_id", "delivered_at") WHERE delivered_at IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_delivery_message_delivered"`);
    await queryRunner.query(`DROP INDEX "public"."ix_delivery_sending"`);
    await queryRunner.query(`DROP INDEX "public"."ix_delivery_queued"`);
    await queryRunner.query(`CREATE INDEX "ix_delivery_claim" ON "delivery" ("status", "next_attempt_at")`);
  }
}
