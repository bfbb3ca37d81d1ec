import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What Meta tells us about the account: template status and category, quality, messaging limit. */
export class WhatsAppState1764600000000 implements MigrationInterface {
  name = 'WhatsAppState1764600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "whatsapp_state" ("subject" character varying(16) NOT NULL, "key" character varying(200) NOT NULL, "status" character varying(40), "category" character varying(40), "messaging_limit" character varying(40), "reason" character varying(500), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_whatsapp_state" PRIMARY KEY ("subject", "key"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "whatsapp_state"`);
  }
}
