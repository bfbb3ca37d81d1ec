import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An audience snapshot without a foreign-key check per delivery (issue 28). The check on
 * delivery.subscriber_id locked each subscriber row of the audience (FOR KEY SHARE: a write to
 * every row and the WAL): 0.45 of 1.1 s for 100,000 recipients on PostgreSQL 15 here. What the key
 * did for an opt-out during a snapshot (its lock made the one wait for the other) an advisory
 * lock does now (ledger/delivery-ledger.ts, snapshotAudience and the removals that share it);
 * every path that deletes an audience's subscriber unlinks their deliveries itself (privacy/).
 * An older instance still running during a rolling upgrade takes no turns: the nightly retention
 * forgets any delivery such a race left linked to a subscriber who is gone (and says so, as an
 * ERROR with a metric). A rollback to such a version runs this migration's down first.
 */
export class SnapshotWithoutSubscriberKeyCheck1766400000000 implements MigrationInterface {
  name = 'SnapshotWithoutSubscriberKeyCheck1766400000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // As 1764800000000: during a rolling upgrade, fail the start after 30 s rather than queue every write behind this lock.
    await queryRunner.query(`SET LOCAL lock_timeout = '30s'`);
    await queryRunner.query(`ALTER TABLE "delivery" DROP CONSTRAINT "fk_delivery_subscriber"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`SET LOCAL lock_timeout = '30s'`);
    // A link to a subscriber who is gone would fail the key: the row forgets its recipient (the
    // number and user id too, and what was queued is cancelled, as an erasure does; its message id
    // is hashed when retention reaches the row: the key is not the migration's to read).
    await queryRunner.query(
      `UPDATE "delivery" d SET subscriber_id = NULL, phone = NULL, user_id = NULL,
              status = CASE WHEN status = 'queued' THEN 'cancelled'::delivery_status ELSE status END
        WHERE subscriber_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "subscriber" s WHERE s.id = d.subscriber_id)`,
    );
    await queryRunner.query(`ALTER TABLE "delivery" ADD CONSTRAINT "fk_delivery_subscriber" FOREIGN KEY ("subscriber_id") REFERENCES "subscriber"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
  }
}
