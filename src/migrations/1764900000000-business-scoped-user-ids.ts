import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * WhatsApp usernames (docs/platform.md A3): a subscriber is known by the phone number, the
 * business-scoped user id (BSUID) or both, each unique; a delivery keeps the BSUID it was
 * addressed to beside the number, and both are cleared with the recipient link.
 */
export class BusinessScopedUserIds1764900000000 implements MigrationInterface {
  name = 'BusinessScopedUserIds1764900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`SET LOCAL lock_timeout = '30s'`);
    await queryRunner.query(`ALTER TABLE "subscriber" ADD "user_id" character varying(140)`);
    await queryRunner.query(`ALTER TABLE "subscriber" ALTER COLUMN "phone" DROP NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_subscriber_user_id" ON "subscriber" ("user_id")`);
    await queryRunner.query(`ALTER TABLE "subscriber" ADD CONSTRAINT "ck_subscriber_identity" CHECK (phone IS NOT NULL OR user_id IS NOT NULL)`);
    await queryRunner.query(`ALTER TABLE "delivery" ADD "user_id" character varying(140)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "delivery" DROP COLUMN "user_id"`);
    await queryRunner.query(`ALTER TABLE "subscriber" DROP CONSTRAINT "ck_subscriber_identity"`);
    await queryRunner.query(`DROP INDEX "public"."uq_subscriber_user_id"`);
    // Subscribers known only by their BSUID cannot be kept without a number.
    await queryRunner.query(`DELETE FROM "subscriber" WHERE phone IS NULL`);
    await queryRunner.query(`ALTER TABLE "subscriber" ALTER COLUMN "phone" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "subscriber" DROP COLUMN "user_id"`);
  }
}
