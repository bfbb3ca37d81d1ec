import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Partial index for the dispatcher's claim: queued deliveries in due order. */
export class DeliveryQueuedIndex1763900000000 implements MigrationInterface {
  name = 'DeliveryQueuedIndex1763900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "ix_delivery_queued" ON "delivery" ("next_attempt_at", "id") WHERE status = 'queued'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."ix_delivery_queued"`);
  }
}
