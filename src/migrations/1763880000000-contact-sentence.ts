import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Remembers (per hashed number) that the opt-in sentence came without its code. */
export class ContactSentence1763880000000 implements MigrationInterface {
  name = 'ContactSentence1763880000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contact_throttle" ADD "sentence_at" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contact_throttle" DROP COLUMN "sentence_at"`);
  }
}
