import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An erasure's log line, kept in the database only until the erasure log has it
 * (services/privacy/erasure-log.ts): a log that could not be written gets it later.
 */
export class TombstonePendingLine1765800000000 implements MigrationInterface {
  name = 'TombstonePendingLine1765800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "erasure_tombstone" ADD "pending_line" text`);
    await queryRunner.query(`CREATE INDEX "ix_erasure_tombstone_pending" ON "erasure_tombstone" ("created_at") WHERE "pending_line" IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "ix_erasure_tombstone_pending"`);
    await queryRunner.query(`ALTER TABLE "erasure_tombstone" DROP COLUMN "pending_line"`);
  }
}
