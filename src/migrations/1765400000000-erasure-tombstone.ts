import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The database's half of each erasure's tombstone (services/privacy/erasure-log.ts): an id, nothing personal. */
export class ErasureTombstone1765400000000 implements MigrationInterface {
  name = 'ErasureTombstone1765400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "erasure_tombstone" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_erasure_tombstone" PRIMARY KEY ("id"))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "erasure_tombstone"`);
  }
}
