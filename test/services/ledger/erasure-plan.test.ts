/**
 * An opt-out and retention read the rows they change, not the ledger, and the dispatcher's claim
 * reads the next rows of the queue, not all of it (issue 28): their
 * statements, exactly as production runs them, planned by PostgreSQL on a ledger of 200,000 rows
 * (most of them already anonymous, as a ledger years old is), with custom and with generic plans
 * (a prepared statement switches to the generic one after five runs). Without the indexes of
 * migration 1766100000000 both plans are a sequential scan of delivery. At 5 million rows the
 * bench measures the opt-out itself (npm run bench, optOutMs).
 */
import { expect } from 'chai';
import { Client } from 'pg';
import { CLAIM_DELIVERIES_SQL, CLAIM_PLANNER_SETTINGS, FORGET_DANGLING_RECIPIENTS_SQL, FORGET_NOTICE_RECIPIENTS_SQL, MARK_RECIPIENTS_FORGOTTEN_SQL, UNLINK_SUBSCRIBER_SQL } from '../../../src/services/ledger/delivery-ledger';
import { freshDatabase } from '../../helpers/postgres';
import { seedLedger } from '../../../scripts/bench/ledger-seed';

const ROWS = 200_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

type PlanCacheMode = 'force_custom_plan' | 'force_generic_plan';
const MODES: PlanCacheMode[] = ['force_custom_plan', 'force_generic_plan'];

/** The plan PostgreSQL makes for a prepared statement, under a plan cache mode. */
async function planOfStatement(client: Client, sql: string, types: string, parameters: string, mode: PlanCacheMode, settings?: string, analyze = false): Promise<PlanNode[]> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL plan_cache_mode = ${mode}`);
    if (settings) await client.query(settings);
    await client.query(`PREPARE statement_under_test (${types}) AS ${sql}`);
    // ANALYZE runs the statement: the transaction is rolled back.
    const { rows } = await client.query<{ 'QUERY PLAN': { Plan: PlanNode; JIT?: unknown }[] }>(`EXPLAIN (FORMAT JSON${analyze ? ', ANALYZE' : ''}) EXECUTE statement_under_test (${parameters})`);
    // JIT compilation is reported beside the plan; it is marked on the top node here.
    const [explained] = rows[0]['QUERY PLAN'];
    return nodes({ ...explained.Plan, ...(explained.JIT ? { 'Node Type': `JIT ${explained.Plan['Node Type']}` } : {}) });
  } finally {
    await client.query('ROLLBACK');
    await client.query('DEALLOCATE ALL');
  }
}

describe('ledger: the plans of an opt-out and of retention', function () {
  this.timeout(120_000);
  let client: Client;

  before(async () => {
    client = new Client({ connectionString: await freshDatabase() });
    await client.connect();
    await seedLedger(client, ROWS);
  });
  after(async () => client.end());

  const planOf = (sql: string, types: string, parameters: string, mode: PlanCacheMode) => planOfStatement(client, sql, types, parameters, mode);

  /** How the plan reads delivery (the update itself left out). */
  async function scansOfDelivery(sql: string, types: string, parameters: string, mode: PlanCacheMode): Promise<string[]> {
    return (await planOf(sql, types, parameters, mode)).filter((node) => node['Relation Name'] === 'delivery' && node['Node Type'] !== 'ModifyTable').map((node) => node['Node Type']);
  }

  for (const mode of MODES) {
    it(`an opt-out finds the recipient's rows through indexes (${mode})`, async () => {
      const { rows } = await client.query<{ subscriber_id: string; phone: string }>(`SELECT subscriber_id, phone FROM delivery WHERE subscriber_id IS NOT NULL LIMIT 1`);
      const scans = await scansOfDelivery(UNLINK_SUBSCRIBER_SQL, 'uuid, text, text, text', `'${rows[0].subscriber_id}', '${rows[0].phone}', 'user-id-0', 'pseudonym-key'`, mode);
      expect(scans).to.have.length.above(0);
      expect(scans).to.not.include('Seq Scan');
    });

    it(`an opt-out by number and user id only (a merge's) does too (${mode})`, async () => {
      const scans = await scansOfDelivery(UNLINK_SUBSCRIBER_SQL, 'uuid, text, text, text', `'00000000-0000-4000-8000-000000000000', '31612345678', 'user-id-7', 'pseudonym-key'`, mode);
      expect(scans).to.have.length.above(0);
      expect(scans).to.not.include('Seq Scan');
    });

    it(`retention reads a notice's rows, not the ledger (${mode})`, async () => {
      // A notice of the last weeks, its rows still naming their recipients.
      const { rows } = await client.query<{ id: string }>(`SELECT id FROM outage_message WHERE recipients_forgotten_at IS NULL LIMIT 1`);
      for (const [sql, types, parameters] of [
        [FORGET_NOTICE_RECIPIENTS_SQL, 'uuid, int, text', `'${rows[0].id}', 30, 'pseudonym-key'`],
        [MARK_RECIPIENTS_FORGOTTEN_SQL, 'uuid', `'${rows[0].id}'`],
        // The nightly safety net for deliveries of subscribers who are gone, per recent notice.
        [FORGET_DANGLING_RECIPIENTS_SQL, 'uuid, text', `'${rows[0].id}', 'pseudonym-key'`],
      ]) {
        const scans = await scansOfDelivery(sql, types, parameters, mode);
        expect(scans).to.have.length.above(0);
        expect(scans).to.not.include('Seq Scan');
      }
    });
  }
});

describe("ledger: the dispatcher's claim walks the queue in order, whatever the statistics say", function () {
  this.timeout(60_000);
  let client: Client;
  let notice: string;

  // A large notice queued on a ledger PostgreSQL has not analysed since (a new installation's
  // first notice; on a large ledger, the statistics of the last analysis saw next to nothing
  // queued). Autovacuum is kept from analysing it meanwhile.
  before(async () => {
    client = new Client({ connectionString: await freshDatabase() });
    await client.connect();
    await client.query('ALTER TABLE delivery SET (autovacuum_enabled = off)');
    const { rows: customer } = await client.query<{ id: string }>(`INSERT INTO customer (customer_number, name, regions) VALUES ('CLAIM-1', 'Claim BV', '{UT}') RETURNING id`);
    await client.query(`INSERT INTO subscriber (phone, first_name, customer_id, status) SELECT (31620000000 + g)::text, 'Claim', $1, 'active' FROM generate_series(1, 20000) g`, [customer[0].id]);
    const { rows: outage } = await client.query<{ id: string }>(`INSERT INTO outage (service, scope, severity, created_by) VALUES ('internet', 'landelijk', 'hoog', 'test') RETURNING id`);
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO outage_message (outage_id, kind, text, template_parameters, status, created_by, released_at) VALUES ($1, 'initial', 'Storing', '["Internet", "Landelijk", "Storing", "Hoog"]', 'sending', 'test', now()) RETURNING id`,
      [outage[0].id],
    );
    notice = rows[0].id;
    await client.query(`INSERT INTO delivery (outage_message_id, subscriber_id, phone) SELECT $1, id, phone FROM subscriber`, [notice]);
  });
  after(async () => client.end());

  /** The claim as the dispatcher runs it (its settings), planned or run; from the front, or after a cursor. */
  async function claimPlan(cursor: boolean, analyze = false): Promise<PlanNode[]> {
    const after = cursor ? `now() - interval '1 minute', 1` : 'NULL, NULL';
    return planOfStatement(client, CLAIM_DELIVERIES_SQL, 'int, uuid, timestamptz, bigint', `200, '00000000-0000-4000-8000-000000000001', ${after}`, 'force_generic_plan', CLAIM_PLANNER_SETTINGS, analyze);
  }

  const walk = (plan: PlanNode[]) => plan.find((node) => node['Index Name'] === 'ix_delivery_queued');

  for (const cursor of [false, true]) {
    it(`walks ix_delivery_queued in order from ${cursor ? 'a cursor (a range of the index)' : 'the front'}, without a sort under the limit`, async () => {
      const plan = await claimPlan(cursor);
      expect(walk(plan)?.['Node Type']).to.equal('Index Scan');
      if (cursor) expect(walk(plan)?.['Index Cond'] ?? '').to.match(/ROW\(next_attempt_at, id\) >/);
      // Not compiled by JIT on every claim (PostgreSQL 15 prices the disabled sort at 1e10).
      expect(plan[0]['Node Type']).to.not.match(/^JIT/);
      // The statement's own last ORDER BY sorts only the rows claimed.
      const limit = plan.find((node) => node['Node Type'] === 'Limit');
      expect(limit, 'a limit').to.not.equal(undefined);
      expect(nodes(limit!).map((node) => node['Node Type'])).to.not.include('Sort');
    });
  }

  it('reads no delivery while no notice is sending (all paused)', async () => {
    await client.query(`UPDATE outage_message SET status = 'paused' WHERE id = $1`, [notice]);
    try {
      const plan = await claimPlan(false, true);
      expect(walk(plan)?.['Actual Loops']).to.equal(0);
    } finally {
      await client.query(`UPDATE outage_message SET status = 'sending' WHERE id = $1`, [notice]);
    }
    expect(walk(await claimPlan(false, true))?.['Actual Loops']).to.equal(1);
  });
});
