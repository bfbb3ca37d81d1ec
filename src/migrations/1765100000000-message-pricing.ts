import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What Meta bills (docs/platform.md A3): each delivery keeps the pricing of its statuses
 * (billable, category, model), and billable notices and the conversation's replies (service
 * messages, billed since 1 October 2026) are counted per month and kind.
 */
export class MessagePricing1765100000000 implements MigrationInterface {
  name = 'MessagePricing1765100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`SET LOCAL lock_timeout = '30s'`);
    await queryRunner.query(`ALTER TABLE "delivery" ADD "billable" boolean`);
    await queryRunner.query(`ALTER TABLE "delivery" ADD "pricing_category" character varying(40)`);
    await queryRunner.query(`ALTER TABLE "delivery" ADD "pricing_model" character varying(40)`);
    await queryRunner.query(
      `CREATE TABLE "message_count" ("month" date NOT NULL, "kind" character varying(20) NOT NULL, "count" integer NOT NULL DEFAULT 0, CONSTRAINT "pk_message_count" PRIMARY KEY ("month", "kind"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "message_count"`);
    await queryRunner.query(`ALTER TABLE "delivery" DROP COLUMN "pricing_model"`);
    await queryRunner.query(`ALTER TABLE "delivery" DROP COLUMN "pricing_category"`);
    await queryRunner.query(`ALTER TABLE "delivery" DROP COLUMN "billable"`);
  }
}
