import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Partial indexes for the dispatcher: queued deliveries in due order (the claim) and rows being
 * sent (crash recovery). They replace the full (status, next_attempt_at) index, which every
 * audience snapshot had to maintain for nothing.
 */
export class DeliveryPartialIndexes1763900000000 implements MigrationInterface {
  name = 'DeliveryPartialIndexes1763900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_delivery_claim"`);
    await queryRunner.query(`CREATE INDEX "ix_delivery_queued" ON "delivery" ("next_attempt_at", "id") WHERE status = 'queued'`);
    await queryRunner.query(`CREATE INDEX "ix_delivery_sending" ON "delivery" ("claimed_at") WHERE status = 'sending'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_delivery_sending"`);
    await queryRunner.query(`DROP INDEX "public"."ix_delivery_queued"`);
    await queryRunner.query(`CREATE INDEX "ix_delivery_claim" ON "delivery" ("status", "next_attempt_at")`);
  }
}
