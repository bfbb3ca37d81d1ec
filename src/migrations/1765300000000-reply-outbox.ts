import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Durable conversation replies: queued with the state change they confirm, sent by the dispatcher. */
export class ReplyOutbox1765300000000 implements MigrationInterface {
  name = 'ReplyOutbox1765300000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "reply_outbox" ("id" BIGSERIAL NOT NULL, "inbound_message_id" character varying(128) NOT NULL, "seq" smallint NOT NULL DEFAULT '0', "address" character varying(140) NOT NULL, "kind" character varying(20) NOT NULL, "text" text NOT NULL, "status" character varying(10) NOT NULL DEFAULT 'queued', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "claimed_at" TIMESTAMP WITH TIME ZONE, "claimed_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_reply_outbox_message_seq" ON "reply_outbox" ("inbound_message_id", "seq")`);
    await queryRunner.query(`CREATE INDEX "ix_reply_outbox_due" ON "reply_outbox" ("next_attempt_at", "id") WHERE status = 'queued'`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "reply_outbox"`);
  }
}
