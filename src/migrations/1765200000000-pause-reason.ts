import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Why a notice is paused (an account, number or template error from Meta, and its code): the status card and the doctor say it. */
export class PauseReason1765200000000 implements MigrationInterface {
  name = 'PauseReason1765200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outage_message" ADD "pause_scope" character varying(16)`);
    await queryRunner.query(`ALTER TABLE "outage_message" ADD "pause_code" integer`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outage_message" DROP COLUMN "pause_code"`);
    await queryRunner.query(`ALTER TABLE "outage_message" DROP COLUMN "pause_scope"`);
  }
}
