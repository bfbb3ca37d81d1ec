/**
 * The statements a broadcast runs thousands of times (the claim, recording sends, applying
 * statuses), as named prepared statements: PostgreSQL plans each for its first five runs on a
 * connection and then keeps a generic plan, instead of planning on every call. Planning the status
 * statement took 0.6 ms of its 1.8 ms for 25 statuses, at 10,000 calls per 100,000 messages; in a
 * storm it is planned 45-70 times in about 10,200 calls (npm run bench -- --storm shows how often
 * each statement was planned). The claim is planned for each call on purpose (delivery-ledger.ts).
 *
 * The name is derived from the text, so two texts never share one. Through the pool's own
 * clients (TypeORM's), so the pool's size and its timeouts hold. PgBouncer in transaction mode
 * must keep prepared statements (1.21 or later, max_prepared_statements; docs/deploy.md).
 */
import { createHash } from 'node:crypto';
import type { PoolClient, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

const names = new Map<string, string>();

function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `sm_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Whether the connection can serve the next caller after `error`. Not after a connection error
 * (SQLSTATE class 08, or one without a server answer), the server going away (57P01-57P03), a
 * FATAL or PANIC, nor after an error about the prepared statement itself: 26000 (gone) and
 * 0A000 (a migration changed its result type) would fail every later call on this connection,
 * which pg still believes has the statement.
 */
function connectionUsableAfter(error: unknown): boolean {
  const { severity, code } = error as { severity?: string; code?: string };
  if (severity !== 'ERROR' || !code) return false;
  return !code.startsWith('08') && !code.startsWith('57P0') && code !== '26000' && code !== '0A000';
}

/** A client of the pool for `work`, given back afterwards (and discarded when it is no longer sound). */
async function withClient<T>(dataSource: DataSource, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const [client, release] = (await (dataSource.driver as PostgresDriver).obtainMasterConnection()) as [PoolClient, (error?: unknown) => void];
  // A checked-out client has no listener for a lost connection (the pool's idle one is removed
  // while it is out); without one, pg's 'error' event would end the process.
  let lost: Error | undefined;
  const onError = (error: Error) => (lost = error);
  client.on('error', onError);
  const giveBack = (error?: unknown) => {
    client.off('error', onError);
    release(lost ?? error);
  };
  try {
    const result = await work(client);
    giveBack();
    return result;
  } catch (error) {
    giveBack(connectionUsableAfter(error) ? undefined : error);
    throw error;
  }
}

export async function queryPrepared<R extends QueryResultRow>(dataSource: DataSource, text: string, values: unknown[]): Promise<R[]> {
  return withClient(dataSource, async (client) => (await client.query<R>({ name: nameOf(text), text, values })).rows);
}

/** `setup` (e.g. SET LOCAL) then the prepared statement, in one transaction. */
export async function queryPreparedIn<R extends QueryResultRow>(dataSource: DataSource, setup: string, text: string, values: unknown[]): Promise<R[]> {
  return withClient(dataSource, async (client) => {
    await client.query('BEGIN');
    try {
      await client.query(setup);
      const { rows } = await client.query<R>({ name: nameOf(text), text, values });
      await client.query('COMMIT');
      return rows;
    } catch (error) {
      // A ROLLBACK that fails throws its own error instead: the connection is then discarded.
      await client.query('ROLLBACK');
      throw error;
    }
  });
}
