/**
 * An opt-out and retention read the rows they change, not the ledger (issue 28): their
 * statements, exactly as production runs them, planned by PostgreSQL on a ledger of 200,000 rows
 * (most of them already anonymous, as a ledger years old is), with custom and with generic plans
 * (a prepared statement switches to the generic one after five runs). Without the indexes of
 * migration 1766100000000 both plans are a sequential scan of delivery. At 5 million rows the
 * bench measures the opt-out itself (npm run bench, optOutMs).
 */
import { expect } from 'chai';
import { Client } from 'pg';
import { FORGET_OLD_RECIPIENTS_SQL, UNLINK_SUBSCRIBER_SQL } from '../../../src/services/ledger/delivery-ledger';
import { freshDatabase } from '../../helpers/postgres';
import { seedLedger } from '../../../scripts/bench/ledger-seed';

const ROWS = 200_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
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

  /** How PostgreSQL reads delivery for a prepared statement, under a plan cache mode. */
  async function scansOfDelivery(sql: string, types: string, parameters: string, mode: 'force_custom_plan' | 'force_generic_plan'): Promise<string[]> {
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL plan_cache_mode = ${mode}`);
      await client.query(`PREPARE statement_under_test (${types}) AS ${sql}`);
      const { rows } = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) EXECUTE statement_under_test (${parameters})`);
      return nodes(rows[0]['QUERY PLAN'][0].Plan)
        .filter((node) => node['Relation Name'] === 'delivery' && node['Node Type'] !== 'ModifyTable')
        .map((node) => node['Node Type']);
    } finally {
      await client.query('ROLLBACK');
      await client.query('DEALLOCATE ALL');
    }
  }

  for (const mode of ['force_custom_plan', 'force_generic_plan'] as const) {
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

    it(`retention reads only the rows that still name someone (${mode})`, async () => {
      const scans = await scansOfDelivery(FORGET_OLD_RECIPIENTS_SQL, 'int, text', `30, 'pseudonym-key'`, mode);
      expect(scans).to.have.length.above(0);
      expect(scans).to.not.include('Seq Scan');
    });
  }
});
