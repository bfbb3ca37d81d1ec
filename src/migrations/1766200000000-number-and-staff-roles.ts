import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The WhatsApp number's display form as Meta reports it (no longer a setting), and the staff
 * roles administrators grant with /rechten in Teams (each grant and revocation is an audit_event).
 */
export class NumberAndStaffRoles1766200000000 implements MigrationInterface {
  name = 'NumberAndStaffRoles1766200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "whatsapp_state" ADD "display_number" varchar(40)`);
    await queryRunner.query(
      `CREATE TABLE "staff_role" ("aad_object_id" varchar(64) NOT NULL, "role" varchar(16) NOT NULL, "display_name" varchar(200), "granted_by" varchar(64) NOT NULL, "granted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_staff_role" PRIMARY KEY ("aad_object_id", "role"), CONSTRAINT "ck_staff_role_role" CHECK ("role" IN ('staff', 'manager', 'admin')))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "staff_role"`);
    await queryRunner.query(`ALTER TABLE "whatsapp_state" DROP COLUMN "display_number"`);
  }
}
