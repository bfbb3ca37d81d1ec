import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When staff retried a notice's failed recipients (Opnieuw proberen (mislukt)): once per notice. */
export class FailuresRetried1765500000000 implements MigrationInterface {
  name = 'FailuresRetried1765500000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outage_message" ADD "failures_retried_at" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outage_message" DROP COLUMN "failures_retried_at"`);
  }
}
