import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Meta announces a template's recategorisation a day before it happens (template_category_update
 * with correct_category and category_update_timestamp): the announced category and its date.
 */
export class TemplateCategoryAnnouncement1765000000000 implements MigrationInterface {
  name = 'TemplateCategoryAnnouncement1765000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "whatsapp_state" ADD "announced_category" character varying(40)`);
    await queryRunner.query(`ALTER TABLE "whatsapp_state" ADD "announced_category_at" TIMESTAMP WITH TIME ZONE`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "whatsapp_state" DROP COLUMN "announced_category_at"`);
    await queryRunner.query(`ALTER TABLE "whatsapp_state" DROP COLUMN "announced_category"`);
  }
}
