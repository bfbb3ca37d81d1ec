import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The status-card refresher runs on one instance and rewrites a card only when it changed
 * (services/notices/status-cards.ts): a lease that names the instance holding it, and the digest
 * of the card last written.
 */
export class CardRefresh1766000000000 implements MigrationInterface {
  name = 'CardRefresh1766000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outage_message" ADD "card_digest" varchar(64)`);
    await queryRunner.query(`CREATE TABLE "lease" ("name" varchar(64) NOT NULL, "holder" varchar(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "pk_lease" PRIMARY KEY ("name"))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "lease"`);
    await queryRunner.query(`ALTER TABLE "outage_message" DROP COLUMN "card_digest"`);
  }
}
