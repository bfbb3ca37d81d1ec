import { expect } from 'chai';
import net from 'node:net';
import { closeServer, createServer } from '../src/server';
import { createMetrics } from '../src/metrics';
import { memoryLogger } from './helpers/logger';
import { freshDataSource } from './helpers/postgres';

describe('stopping the HTTP server', () => {
  it('lets a request in flight finish, and does not wait for connections that carry none', async () => {
    const dataSource = await freshDataSource();
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const server = createServer({
      logger: memoryLogger().logger,
      metrics: createMetrics(),
      dataSource,
      routes: [
        {
          method: 'get',
          path: '/slow',
          handler: async (_req, res) => {
            arrived();
            // Slow on purpose: the request is still being handled when the server is told to stop.
            await new Promise((r) => setTimeout(r, 300));
            res.send(200, { done: true });
          },
        },
      ],
    });
    await new Promise<void>((resolve) => void server.listen(0, '127.0.0.1', resolve));
    const port = server.address().port;
    // A browser's spare connection: open, never a request.
    const spare = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => spare.once('connect', resolve));
    const inFlight = fetch(`http://127.0.0.1:${port}/slow`);
    await requestArrived;
    const started = Date.now();
    await closeServer(server, 5000);
    const took = Date.now() - started;
    expect((await (await inFlight).json()) as unknown).to.deep.equal({ done: true });
    expect(took).to.be.below(2000);
    expect(spare.destroyed || spare.readyState === 'closed').to.equal(true);
    await dataSource.destroy();
  });
});
