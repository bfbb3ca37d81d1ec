import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Which dispatcher claimed a delivery: a successor re-queues a dead leader's claims after seconds, not a minute. */
export class DeliveryClaimedBy1764700000000 implements MigrationInterface {
  name = 'DeliveryClaimedBy1764700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "delivery" ADD "claimed_by" uuid`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "delivery" DROP COLUMN "claimed_by"`);
  }
}
