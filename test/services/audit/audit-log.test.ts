/** The audit trail (services/audit/audit-log.ts): what staff did, in the action's own transaction, never a full number (R14). */
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { AuditEvent } from '../../../src/entities';
import { recordAudit } from '../../../src/services/audit/audit-log';
import { freshDataSource } from '../../helpers/postgres';

describe('the audit trail', () => {
  let db: DataSource;
  before(async () => (db = await freshDataSource()));
  after(async () => db.destroy());
  beforeEach(async () => db.query('DELETE FROM audit_event'));

  it('records who did what to which target, with the outcome ok unless said otherwise', async () => {
    await recordAudit(db, { actor: 'aad-staff-1', action: 'outage.initial', target: '3fa85f64-5717-4562-b3fc-2c963f66afa6', detail: { status: 'sending' } });
    await recordAudit(db, { actor: 'aad-guest', action: 'outage.send', outcome: 'refused' });
    const rows = await db.getRepository(AuditEvent).find({ order: { createdAt: 'ASC' } });
    expect(rows.map((r) => [r.actor, r.action, r.target, r.outcome, r.detail])).to.deep.equal([
      ['aad-staff-1', 'outage.initial', '3fa85f64-5717-4562-b3fc-2c963f66afa6', 'ok', { status: 'sending' }],
      ['aad-guest', 'outage.send', null, 'refused', null],
    ]);
  });

  it('R14: masks a number, a WhatsApp user id or an e-mail address that reaches a target or a detail', async () => {
    await recordAudit(db, { actor: 'aad-staff-1', action: 'subscriber.export', target: '31612345678', detail: { asked: '+31 (0)6 1234 5678', user: 'NL.13491208655302741918', mail: 'anna@korenschoof.nl' } });
    const [row] = await db.getRepository(AuditEvent).find();
    expect(row.target).to.equal('+31 6 ****5678');
    expect(row.detail).to.deep.equal({ asked: '+31 6 ****5678', user: 'NL.****1918', mail: 'a***@korenschoof.nl' });
  });

  it("is written in the action's transaction: an action rolled back leaves no record", async () => {
    await db
      .transaction(async (manager) => {
        await recordAudit(manager, { actor: 'aad-staff-1', action: 'subscriber.erase', target: '+31 6 ****5678' });
        throw new Error('the erasure failed');
      })
      .catch(() => undefined);
    expect(await db.getRepository(AuditEvent).count()).to.equal(0);
  });
});
