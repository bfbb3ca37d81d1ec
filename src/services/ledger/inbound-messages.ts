/**
 * Meta delivers a webhook at least once: each inbound message (or identity change) is handled
 * once, by its id. The id is kept as a keyed hash (lib/message-id-hash.ts: Meta's ids encode the
 * sender's number), made with the current pseudonymisation key; an id seen under an earlier key
 * version is recognised too, so a redelivery across a key rotation is still a duplicate.
 */
import type { EntityManager } from 'typeorm';
import type { PseudonymKeys } from '../../lib/pseudonym-keys';
import { everyMessageIdHash } from '../../lib/message-id-hash';

/**
 * True the first time an id is seen; inside the handling's transaction, so that an id whose
 * handling failed is not kept and Meta's redelivery is handled afresh. Returns the stored hash.
 */
export async function firstSighting(manager: EntityManager, keys: PseudonymKeys, id: string): Promise<{ fresh: boolean; hashedId: string }> {
  const [hashedId, ...earlier] = everyMessageIdHash(keys, id);
  const rows: unknown[] = await manager.query(
    `INSERT INTO inbound_message (wa_message_id)
     SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM inbound_message WHERE wa_message_id = ANY($2::text[]))
     ON CONFLICT DO NOTHING RETURNING 1`,
    [hashedId, earlier],
  );
  return { fresh: rows.length > 0, hashedId };
}
