import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole schema of docs/architecture.md (Data). Generated from the entities with scripts/schema-diff.ts,
 * then reviewed: primary keys use Postgres' default names, uuids come from gen_random_uuid()
 * (built in since PostgreSQL 13, no extension needed).
 */
export class Initial1763870000000 implements MigrationInterface {
  name = 'Initial1763870000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "audit_event" ("id" BIGSERIAL NOT NULL, "actor" character varying(64) NOT NULL, "action" character varying(64) NOT NULL, "outcome" character varying(16) NOT NULL DEFAULT 'ok', "target" character varying(100), "detail" jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_audit_event_created" ON "audit_event" ("created_at") `);
    await queryRunner.query(`CREATE TABLE "contact_throttle" ("phone_hash" character varying(64) NOT NULL, "last_auto_reply_at" TIMESTAMP WITH TIME ZONE, "failed_code_attempts" integer NOT NULL DEFAULT '0', "first_failed_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), PRIMARY KEY ("phone_hash"))`);
    await queryRunner.query(`CREATE TABLE "customer" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "customer_number" character varying(32) NOT NULL, "name" character varying(200) NOT NULL, "email_domains" text array NOT NULL DEFAULT '{}', "regions" text array NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_customer_number" ON "customer" ("customer_number") `);
    await queryRunner.query(`CREATE TYPE "public"."outage_service" AS ENUM('internet', 'voip', 'internet_voip')`);
    await queryRunner.query(`CREATE TYPE "public"."outage_scope" AS ENUM('landelijk', 'regionaal')`);
    await queryRunner.query(`CREATE TYPE "public"."outage_severity" AS ENUM('laag', 'middel', 'hoog')`);
    await queryRunner.query(`CREATE TYPE "public"."outage_status" AS ENUM('open', 'resolved', 'cancelled')`);
    await queryRunner.query(`CREATE TABLE "outage" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "service" "public"."outage_service" NOT NULL, "scope" "public"."outage_scope" NOT NULL, "regions" text array NOT NULL DEFAULT '{}', "severity" "public"."outage_severity" NOT NULL, "status" "public"."outage_status" NOT NULL DEFAULT 'open', "created_by" character varying(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "resolved_at" TIMESTAMP WITH TIME ZONE, PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_outage_created" ON "outage" ("created_at") `);
    await queryRunner.query(`CREATE TYPE "public"."outage_message_kind" AS ENUM('initial', 'update', 'resolved')`);
    await queryRunner.query(`CREATE TYPE "public"."outage_message_status" AS ENUM('awaiting_approval', 'held', 'sending', 'paused', 'done', 'cancelled', 'superseded')`);
    await queryRunner.query(`CREATE TABLE "outage_message" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "outage_id" uuid NOT NULL, "kind" "public"."outage_message_kind" NOT NULL, "text" text NOT NULL, "expected_resolution" character varying(100), "template_parameters" jsonb NOT NULL, "status" "public"."outage_message_status" NOT NULL, "release_at" TIMESTAMP WITH TIME ZONE, "created_by" character varying(64) NOT NULL, "approved_by" character varying(64), "request_id" character varying(64), "conversation_reference" jsonb, "card_activity_id" character varying(128), "recipient_count" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "released_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_outage_message_outage" ON "outage_message" ("outage_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_outage_message_request" ON "outage_message" ("request_id") `);
    await queryRunner.query(`CREATE INDEX "ix_outage_message_status_release" ON "outage_message" ("status", "release_at") `);
    await queryRunner.query(`CREATE TYPE "public"."subscriber_status" AS ENUM('pending_name', 'active')`);
    await queryRunner.query(`CREATE TABLE "subscriber" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "phone" character varying(20) NOT NULL, "first_name" character varying(100), "customer_id" uuid NOT NULL, "email" character varying(254), "status" "public"."subscriber_status" NOT NULL DEFAULT 'pending_name', "last_inbound_at" TIMESTAMP WITH TIME ZONE, "activated_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_subscriber_phone" ON "subscriber" ("phone") `);
    await queryRunner.query(`CREATE INDEX "ix_subscriber_status_customer" ON "subscriber" ("status", "customer_id") `);
    await queryRunner.query(`CREATE TYPE "public"."delivery_status" AS ENUM('queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'cancelled')`);
    await queryRunner.query(`CREATE TABLE "delivery" ("id" BIGSERIAL NOT NULL, "outage_message_id" uuid NOT NULL, "subscriber_id" uuid, "phone" character varying(20), "status" "public"."delivery_status" NOT NULL DEFAULT 'queued', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "claimed_at" TIMESTAMP WITH TIME ZONE, "wa_message_id" character varying(128), "status_at" TIMESTAMP WITH TIME ZONE, "sent_at" TIMESTAMP WITH TIME ZONE, "delivered_at" TIMESTAMP WITH TIME ZONE, "read_at" TIMESTAMP WITH TIME ZONE, "failed_at" TIMESTAMP WITH TIME ZONE, "error_code" integer, "error_title" character varying(200), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_delivery_subscriber" ON "delivery" ("subscriber_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_delivery_wa_message" ON "delivery" ("wa_message_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_delivery_message_subscriber" ON "delivery" ("outage_message_id", "subscriber_id") `);
    await queryRunner.query(`CREATE INDEX "ix_delivery_message_status" ON "delivery" ("outage_message_id", "status") `);
    await queryRunner.query(`CREATE INDEX "ix_delivery_claim" ON "delivery" ("status", "next_attempt_at") `);
    await queryRunner.query(`CREATE TYPE "public"."email_kind" AS ENUM('stappenplan', 'avg_opt_in', 'avg_opt_out')`);
    await queryRunner.query(`CREATE TYPE "public"."email_status" AS ENUM('pending', 'sent', 'failed')`);
    await queryRunner.query(`CREATE TABLE "email_notice" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" "public"."email_kind" NOT NULL, "recipient" character varying(254) NOT NULL, "bcc" character varying(254), "subject" character varying(300) NOT NULL, "text_body" text NOT NULL, "html_body" text NOT NULL, "sha256" character(64) NOT NULL, "status" "public"."email_status" NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_error" character varying(500), "smtp_message_id" character varying(300), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "sent_at" TIMESTAMP WITH TIME ZONE, PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_email_notice_status" ON "email_notice" ("status", "next_attempt_at") `);
    await queryRunner.query(`CREATE TABLE "inbound_message" ("wa_message_id" character varying(128) NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), PRIMARY KEY ("wa_message_id"))`);
    await queryRunner.query(`CREATE TYPE "public"."invitation_status" AS ENUM('open', 'used', 'revoked')`);
    await queryRunner.query(`CREATE TABLE "invitation" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "customer_id" uuid NOT NULL, "email" character varying(254), "code" character varying(16) NOT NULL, "status" "public"."invitation_status" NOT NULL DEFAULT 'open', "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, "created_by" character varying(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_invitation_customer" ON "invitation" ("customer_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_invitation_code" ON "invitation" ("code") `);
    await queryRunner.query(`CREATE TYPE "public"."subscription_event_kind" AS ENUM('opt_in', 'opt_out', 'erasure')`);
    await queryRunner.query(`CREATE TABLE "subscription_event" ("id" BIGSERIAL NOT NULL, "kind" "public"."subscription_event_kind" NOT NULL, "customer_id" uuid, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "ix_subscription_event_occurred" ON "subscription_event" ("occurred_at") `);
    await queryRunner.query(`ALTER TABLE "outage_message" ADD CONSTRAINT "fk_outage_message_outage" FOREIGN KEY ("outage_id") REFERENCES "outage"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "subscriber" ADD CONSTRAINT "fk_subscriber_customer" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "delivery" ADD CONSTRAINT "fk_delivery_outage_message" FOREIGN KEY ("outage_message_id") REFERENCES "outage_message"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "delivery" ADD CONSTRAINT "fk_delivery_subscriber" FOREIGN KEY ("subscriber_id") REFERENCES "subscriber"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "invitation" ADD CONSTRAINT "fk_invitation_customer" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "invitation" DROP CONSTRAINT "fk_invitation_customer"`);
    await queryRunner.query(`ALTER TABLE "delivery" DROP CONSTRAINT "fk_delivery_subscriber"`);
    await queryRunner.query(`ALTER TABLE "delivery" DROP CONSTRAINT "fk_delivery_outage_message"`);
    await queryRunner.query(`ALTER TABLE "subscriber" DROP CONSTRAINT "fk_subscriber_customer"`);
    await queryRunner.query(`ALTER TABLE "outage_message" DROP CONSTRAINT "fk_outage_message_outage"`);
    await queryRunner.query(`DROP INDEX "public"."ix_subscription_event_occurred"`);
    await queryRunner.query(`DROP TABLE "subscription_event"`);
    await queryRunner.query(`DROP TYPE "public"."subscription_event_kind"`);
    await queryRunner.query(`DROP INDEX "public"."uq_invitation_code"`);
    await queryRunner.query(`DROP INDEX "public"."ix_invitation_customer"`);
    await queryRunner.query(`DROP TABLE "invitation"`);
    await queryRunner.query(`DROP TYPE "public"."invitation_status"`);
    await queryRunner.query(`DROP TABLE "inbound_message"`);
    await queryRunner.query(`DROP INDEX "public"."ix_email_notice_status"`);
    await queryRunner.query(`DROP TABLE "email_notice"`);
    await queryRunner.query(`DROP TYPE "public"."email_status"`);
    await queryRunner.query(`DROP TYPE "public"."email_kind"`);
    await queryRunner.query(`DROP INDEX "public"."ix_delivery_claim"`);
    await queryRunner.query(`DROP INDEX "public"."ix_delivery_message_status"`);
    await queryRunner.query(`DROP INDEX "public"."uq_delivery_message_subscriber"`);
    await queryRunner.query(`DROP INDEX "public"."uq_delivery_wa_message"`);
    await queryRunner.query(`DROP INDEX "public"."ix_delivery_subscriber"`);
    await queryRunner.query(`DROP TABLE "delivery"`);
    await queryRunner.query(`DROP TYPE "public"."delivery_status"`);
    await queryRunner.query(`DROP INDEX "public"."ix_subscriber_status_customer"`);
    await queryRunner.query(`DROP INDEX "public"."uq_subscriber_phone"`);
    await queryRunner.query(`DROP TABLE "subscriber"`);
    await queryRunner.query(`DROP TYPE "public"."subscriber_status"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outage_message_status_release"`);
    await queryRunner.query(`DROP INDEX "public"."uq_outage_message_request"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outage_message_outage"`);
    await queryRunner.query(`DROP TABLE "outage_message"`);
    await queryRunner.query(`DROP TYPE "public"."outage_message_status"`);
    await queryRunner.query(`DROP TYPE "public"."outage_message_kind"`);
    await queryRunner.query(`DROP INDEX "public"."ix_outage_created"`);
    await queryRunner.query(`DROP TABLE "outage"`);
    await queryRunner.query(`DROP TYPE "public"."outage_status"`);
    await queryRunner.query(`DROP TYPE "public"."outage_severity"`);
    await queryRunner.query(`DROP TYPE "public"."outage_scope"`);
    await queryRunner.query(`DROP TYPE "public"."outage_service"`);
    await queryRunner.query(`DROP INDEX "public"."uq_customer_number"`);
    await queryRunner.query(`DROP TABLE "customer"`);
    await queryRunner.query(`DROP TABLE "contact_throttle"`);
    await queryRunner.query(`DROP INDEX "public"."ix_audit_event_created"`);
    await queryRunner.query(`DROP TABLE "audit_event"`);
  }
}
