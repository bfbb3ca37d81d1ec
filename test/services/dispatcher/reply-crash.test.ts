/**
 * Durable replies (ledger/reply-outbox.ts): the opt-out confirmation is committed with the
 * opt-out itself. The process that would send it is killed (SIGKILL) after that commit, while
 * its send hangs unanswered; after a restart the confirmation goes out exactly once.
 */
import { expect } from 'chai';
import { baseEnv } from '../../helpers/child-env';
import { fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../../src/config';
import { createDataSource } from '../../../src/db/data-source';
import { GraphStandIn } from '../../../src/local/graph-standin';
import { handleInbound } from '../../../src/services/signup/conversation';
import { seedSubscribers, until } from '../../helpers/broadcast';
import { freshDatabase } from '../../helpers/postgres';
import { testErasureLog } from '../../helpers/data-dir';

const CHILD = path.resolve(__dirname, '../../helpers/dispatcher-process.js');

describe('durable replies (kill -9 between the commit and the send)', function () {
  this.timeout(60_000);
  let db: DataSource;
  let graph: GraphStandIn;
  let blackHole: net.Server;
  const children: ChildProcess[] = [];

  before(async () => {
    graph = new GraphStandIn({ accessToken: 'tok', phoneNumberId: 'PN' });
    await graph.start();
    // Accepts connections and never answers: a send that is on its way when the process dies.
    blackHole = net.createServer(() => undefined);
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await graph.stop();
    blackHole.close();
    await db?.destroy();
  });

  function startChild(url: string, graphUrl: string, staleMs: number): Promise<ChildProcess> {
    const child = fork(CHILD, [], { env: { ...baseEnv(), DATABASE_URL: url, GRAPH_URL: graphUrl, STALE_MS: String(staleMs) }, stdio: 'ignore' });
    children.push(child);
    return new Promise((resolve, reject) => {
      child.once('message', () => resolve(child));
      child.once('error', reject);
    });
  }

  const outbox = async () => db.query<{ status: string; attempts: number }[]>('SELECT status, attempts FROM reply_outbox');

  it('sends the opt-out confirmation exactly once after a restart', async () => {
    const url = await freshDatabase();
    db = await createDataSource({ url, poolSize: 4 }).initialize();
    await seedSubscribers(db, 1, 31698000000);
    const config = loadConfig({ ERASURE_LOG: testErasureLog(), BUSINESS_HOURS: 'always' }, { purpose: 'local' });
    // The webhook's transaction: the opt-out and its confirmation, committed together.
    const outcome = await handleInbound(db, config, { messageId: 'wamid.crash-1', contact: { phone: '31698000000', userId: null }, text: 'afmelden', receivedAt: new Date() });
    expect(outcome.replies.map((r) => r.kind)).to.deep.equal(['opt_out']);
    expect(await outbox()).to.deep.equal([{ status: 'queued', attempts: 0 }]);

    const first = await startChild(url, `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}`, 60_000);
    await until(async () => (await outbox())[0]?.status === 'sending', 20_000, 'the reply claimed and on its way');
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect(graph.messagesTo('31698000000')).to.have.length(0);

    // The successor treats claims older than 1 s as left behind by the dead process.
    await startChild(url, graph.url, 1000);
    await until(async () => (await outbox()).length === 0, 20_000, 'the reply sent after the restart');
    const sent = graph.messagesTo('31698000000');
    expect(sent).to.have.length(1);
    expect(sent[0]).to.have.nested.property('text.body').that.match(/^Je bent afgemeld/);
    // A redelivery of the same webhook queues nothing again.
    await handleInbound(db, config, { messageId: 'wamid.crash-1', contact: { phone: '31698000000', userId: null }, text: 'afmelden', receivedAt: new Date() });
    expect(await outbox()).to.deep.equal([]);
    const [{ count }]: { count: number }[] = await db.query(`SELECT count FROM message_count WHERE kind = 'opt_out'`);
    expect(count).to.equal(1);
    expect(graph.messagesTo('31698000000')).to.have.length(1);
  });
});
