import { expect } from 'chai';
import { baseEnv } from '../../helpers/child-env';
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../src/db/data-source';
import { GraphStandIn } from '../../../src/local/graph-standin';
import { seedSubscribers, startBroadcast, statusCounts, until } from '../../helpers/broadcast';
import { freshDatabase } from '../../helpers/postgres';

const CHILD = path.resolve(__dirname, '../../helpers/dispatcher-process.js');
const MAX_MPS = 200;

describe('dispatcher crash safety (kill -9 mid-broadcast)', function () {
  this.timeout(90_000);
  let db: DataSource;
  let graph: GraphStandIn;
  const children: ChildProcess[] = [];

  before(async () => {
    graph = new GraphStandIn({ accessToken: 'tok', phoneNumberId: 'PN', keep: 100_000 });
    await graph.start();
  });
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await graph.stop();
    await db?.destroy();
  });

  function startChild(url: string, staleMs: number): Promise<ChildProcess> {
    const child = fork(CHILD, [], { env: { ...baseEnv(), DATABASE_URL: url, GRAPH_URL: graph.url, MAX_MPS: String(MAX_MPS), STALE_MS: String(staleMs) }, stdio: 'ignore' });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.once('message', () => resolve(child));
      child.once('error', reject);
    });
  }

  it('loses no delivery; duplicates stay within two claimed batches', async () => {
    const url = await freshDatabase();
    db = await createDataSource({ url, poolSize: 4 }).initialize();
    await seedSubscribers(db, 800, 31692000000);
    const messageId = await startBroadcast(db);

    const first = await startChild(url, 60_000);
    await until(async () => graph.requests.length >= 250, 30_000, 'the first dispatcher to be sending');
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const beforeRestart = graph.requests.length;
    expect(beforeRestart).to.be.lessThan(800);

    // The successor treats claims older than 1 s as left behind by the dead dispatcher.
    await startChild(url, 1000);
    await until(async () => (await statusCounts(db, messageId)).sent === 800, 60_000, 'every delivery sent after the restart');

    const perRecipient = new Map<string, number>();
    for (const r of graph.requests) {
      const to = (r.body as { to: string }).to;
      perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    }
    expect(perRecipient.size, 'no recipient missed').to.equal(800);
    const duplicates = [...perRecipient.values()].filter((n) => n > 1).length;
    // The documented window: the batch being sent plus the one claimed ahead.
    expect(duplicates).to.be.at.most(2 * MAX_MPS);
    expect([...perRecipient.values()].every((n) => n <= 2)).to.equal(true);
  });
});
