import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Which notice replaced a superseded one (services/notices/notice-lifecycle.ts): its card says so. */
export class NoticeSupersededBy1765900000000 implements MigrationInterface {
  name = 'NoticeSupersededBy1765900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outage_message" ADD "superseded_by" uuid`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outage_message" DROP COLUMN "superseded_by"`);
  }
}
