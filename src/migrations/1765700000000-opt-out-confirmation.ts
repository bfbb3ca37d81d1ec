import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When a subscriber was asked to confirm an unclear opt-out (signup/conversation.ts): a "JA" within a day erases them. */
export class OptOutConfirmation1765700000000 implements MigrationInterface {
  name = 'OptOutConfirmation1765700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "subscriber" ADD "opt_out_asked_at" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "subscriber" DROP COLUMN "opt_out_asked_at"`);
  }
}
