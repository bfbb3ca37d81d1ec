/**
 * Status callbacks as Meta delivers them under load: before the dispatcher has written the
 * send's outcome (found by the delivery id the send carried), twice, and out of order. Each
 * delivery ends in the highest status it was given, and the late outcome changes nothing.
 */
import { expect } from 'chai';
import { messageIdHash } from '../../../src/lib/message-id-hash';
import type { DataSource } from 'typeorm';
import { applyArrivingStatuses, type StatusUpdate } from '../../../src/services/ledger/delivery-ledger';
import { claimDeliveries, recordSent, requeueStale } from '../../../src/services/ledger/delivery-ledger';
import { seedSubscribers, startBroadcast } from '../../helpers/broadcast';
import { freshDataSource } from '../../helpers/postgres';

describe('delivery statuses under load', () => {
  let db: DataSource;
  let claimed: { id: string; address: string }[];
  const recipientOf = (deliveryId: string | null) => claimed.find((d) => d.id === deliveryId)?.address ?? null;
  const status = (waMessageId: string, s: StatusUpdate['status'], deliveryId: string | null, secondsAgo = 0, recipientId = recipientOf(deliveryId)): StatusUpdate => ({
    waMessageId,
    deliveryId,
    recipientId,
    status: s,
    timestamp: new Date(Date.now() - secondsAgo * 1000),
  });
  /** Statuses as the webhook applies them; `hashes` gives an id's keyed hashes (none unless a test stores one). */
  const apply = (updates: StatusUpdate[], hashes: (id: string) => string[] = () => []) => applyArrivingStatuses(db, updates, hashes);
  const row = async (id: string) => (await db.query<{ status: string; wa_message_id: string | null }[]>('SELECT status::text, wa_message_id FROM delivery WHERE id = $1', [id]))[0];

  beforeEach(async () => {
    db = await freshDataSource();
    await seedSubscribers(db, 4, 31694000000);
    await startBroadcast(db);
    claimed = (await claimDeliveries(db, 3, '00000000-0000-4000-8000-000000000001')).deliveries;
  });
  afterEach(async () => db.destroy());

  it('applies a batch of linked, forgotten, unknown and repeated statuses as they arrive, hashing only the ids it did not find', async () => {
    const [a, b] = claimed;
    await recordSent(db, [{ id: a.id, waMessageId: 'wamid.LINKED' }, { id: b.id, waMessageId: 'wamid.FORGOTTEN' }]);
    // b's recipient is forgotten: the row keeps only the keyed hash of its message id.
    await db.query('UPDATE delivery SET subscriber_id = NULL, phone = NULL, user_id = NULL, wa_message_id = $2 WHERE id = $1', [b.id, messageIdHash('the-key', 'wamid.FORGOTTEN')]);
    const hashed: string[] = [];
    const hashIds = (id: string) => {
      hashed.push(id);
      return [messageIdHash('the-key', id)];
    };
    const at = new Date();
    const result = await applyArrivingStatuses(
      db,
      [
        { waMessageId: 'wamid.LINKED', status: 'delivered', timestamp: at },
        { waMessageId: 'wamid.LINKED', status: 'read', timestamp: at },
        { waMessageId: 'wamid.FORGOTTEN', status: 'read', timestamp: at },
        { waMessageId: 'wamid.NOT-OURS', status: 'delivered', timestamp: at },
      ],
      hashIds,
    );
    expect(result).to.deep.equal({ applied: 2, unknown: 1 });
    expect(hashed.sort(), 'only the ids not found as they are').to.deep.equal(['wamid.FORGOTTEN', 'wamid.NOT-OURS']);
    expect((await row(a.id)).status).to.equal('read');
    expect((await row(b.id)).status).to.equal('read');
  });

  it('keeps only the keyed hash of the message id of a recipient erased while the send was on its way', async () => {
    const [d] = claimed;
    // What erasure does to the row (unlinkSubscriber) while it is 'sending'.
    await db.query('UPDATE delivery SET subscriber_id = NULL, phone = NULL, user_id = NULL WHERE id = $1', [d.id]);
    await recordSent(db, [{ id: d.id, waMessageId: 'wamid.HBgLMzE2OTQwMDAwMDA' }], 'the-key');
    expect((await row(d.id)).wa_message_id).to.equal(messageIdHash('the-key', 'wamid.HBgLMzE2OTQwMDAwMDA'));
    // Meta's status still finds it, by the hash.
    expect(await apply([{ waMessageId: 'wamid.HBgLMzE2OTQwMDAwMDA', status: 'delivered', timestamp: new Date() }], (id) => [messageIdHash('the-key', id)])).to.deep.equal({ applied: 1, unknown: 0 });
    expect((await row(d.id)).wa_message_id).to.equal(messageIdHash('the-key', 'wamid.HBgLMzE2OTQwMDAwMDA'));
  });

  it('finds a hashed message id made with an earlier key version after a rotation', async () => {
    const [d] = claimed;
    await db.query('UPDATE delivery SET subscriber_id = NULL, phone = NULL, user_id = NULL WHERE id = $1', [d.id]);
    await recordSent(db, [{ id: d.id, waMessageId: 'wamid.HBgLMzE2OTQwMDAwMDE' }], 'key-version-1');
    // Rotated: the webhook hashes with version 2 first, version 1 still listed.
    const hashedIds = ['key-version-2', 'key-version-1'].map((key) => messageIdHash(key, 'wamid.HBgLMzE2OTQwMDAwMDE'));
    expect(await apply([{ waMessageId: 'wamid.HBgLMzE2OTQwMDAwMDE', status: 'read', timestamp: new Date() }], () => hashedIds)).to.deep.equal({ applied: 1, unknown: 0 });
    // Without the older version it is not found.
    expect(await apply([{ waMessageId: 'wamid.HBgLMzE2OTQwMDAwMDE', status: 'failed', timestamp: new Date() }], () => hashedIds.slice(0, 1))).to.deep.equal({ applied: 0, unknown: 1 });
  });

  it('applies a status that comes before the send is recorded, and the late record changes nothing', async () => {
    const [d] = claimed;
    expect(await apply([status('wamid.A', 'delivered', d.id)])).to.deep.equal({ applied: 1, unknown: 0 });
    expect(await row(d.id)).to.deep.equal({ status: 'delivered', wa_message_id: 'wamid.A' });
    await recordSent(db, [{ id: d.id, waMessageId: 'wamid.A' }]);
    expect(await row(d.id)).to.deep.equal({ status: 'delivered', wa_message_id: 'wamid.A' });
    // Not 'sending' any more: crash recovery leaves it alone (it went out).
    expect(await requeueStale(db, '00000000-0000-4000-8000-000000000002', 0, 0)).to.equal(2);
    expect((await row(d.id)).status).to.equal('delivered');
  });

  it('keeps the highest status whatever the order and however often a status comes', async () => {
    const [a, b] = claimed;
    await recordSent(db, [{ id: a.id, waMessageId: 'wamid.A' }]);
    // One webhook with three statuses of one message, the newest first; then the same again, and an older one.
    await apply([status('wamid.B', 'read', b.id), status('wamid.B', 'sent', b.id, 20), status('wamid.B', 'delivered', b.id, 10)]);
    await apply([status('wamid.B', 'read', b.id), status('wamid.B', 'delivered', b.id, 10)]);
    await apply([status('wamid.A', 'read', null), status('wamid.A', 'read', null)]);
    await apply([status('wamid.A', 'delivered', null, 5), status('wamid.A', 'sent', null, 30)]);
    expect(await row(a.id)).to.deep.equal({ status: 'read', wa_message_id: 'wamid.A' });
    expect(await row(b.id)).to.deep.equal({ status: 'read', wa_message_id: 'wamid.B' });
  });

  it('does not let a status move another message: a delivery id whose delivery has another message id is not trusted', async () => {
    const [a] = claimed;
    await recordSent(db, [{ id: a.id, waMessageId: 'wamid.A' }]);
    expect(await apply([status('wamid.X', 'failed', a.id)])).to.deep.equal({ applied: 0, unknown: 1 });
    expect(await row(a.id)).to.deep.equal({ status: 'sent', wa_message_id: 'wamid.A' });
  });

  it('trusts a delivery id only for a claimed delivery to the recipient of the status', async () => {
    const [a] = claimed;
    const unclaimed = (await db.query<{ id: string }[]>(`SELECT id::text FROM delivery WHERE attempts = 0`))[0].id;
    // Another install on the same number (staging) has its own delivery ids.
    expect(await apply([status('wamid.S1', 'delivered', unclaimed, 0, '31694000099')])).to.deep.equal({ applied: 0, unknown: 1 });
    expect(await apply([status('wamid.S2', 'delivered', a.id, 0, '31694000099')])).to.deep.equal({ applied: 0, unknown: 1 });
    expect(await row(unclaimed)).to.deep.equal({ status: 'queued', wa_message_id: null });
    expect(await row(a.id)).to.deep.equal({ status: 'sending', wa_message_id: null });
  });
});
