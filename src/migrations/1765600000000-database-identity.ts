import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The database's own identity (services/privacy/erasure-log.ts): the erasure log records which
 * database each line belongs to, so a database created afresh beside an old log is not taken
 * for a restore. One row, made when the service first starts on the database (not here, so a
 * database copied from a template before it was used gets one of its own); `adopted` when the
 * database already held data then (it may be a restored backup from before identities).
 */
export class DatabaseIdentity1765600000000 implements MigrationInterface {
  name = 'DatabaseIdentity1765600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "database_identity" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "one_row" boolean NOT NULL DEFAULT true, "adopted" boolean NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
        CONSTRAINT "pk_database_identity" PRIMARY KEY ("id"), CONSTRAINT "uq_database_identity_one_row" UNIQUE ("one_row"), CONSTRAINT "ck_database_identity_one_row" CHECK ("one_row"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "database_identity"`);
  }
}
