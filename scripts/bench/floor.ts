/**
 * The raw floor of this machine: a minimal keep-alive HTTP client posting the same template
 * body with the dispatcher's concurrency to a minimal server (in a process of its own, as the
 * Graph API stand-in is) that answers like the Graph API. No database, no pacing, no ledger:
 * what Node and loopback HTTP can do here, so every throughput figure can be read against it.
 */
import type { ChildProcess } from 'node:child_process';
import { forkHelper } from './harness';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const TEMPLATE_BODY = JSON.stringify({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: '31600000001',
  type: 'template',
  template: {
    name: 'storing_melding',
    language: { code: 'nl', policy: 'deterministic' },
    components: [{ type: 'body', parameters: ['Storing', 'internet', 'Landelijk', 'Hoog', 'Landelijke storing op het KPN-netwerk. Monteurs zijn onderweg.'].map((text) => ({ type: 'text', text })) }],
  },
  biz_opaque_callback_data: 'delivery:1',
});

function serve(): void {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const text = JSON.stringify({ messaging_product: 'whatsapp', contacts: [{ input: '31600000001', wa_id: '31600000001' }], messages: [{ id: `wamid.${randomBytes(24).toString('base64url')}` }] });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
}

/** Posts `requests` times with `concurrency` in flight to the server at `port`; requests per second. */
async function post(port: number, requests: number, concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const body = Buffer.from(TEMPLATE_BODY);
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/v21.0/bench-number/messages', method: 'POST', agent, headers: { Authorization: 'Bearer bench-token', 'Content-Type': 'application/json', 'Content-Length': body.length } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < requests) await one();
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return requests / seconds;
}

/** The child's one message; its error (or its stopping without one) rejects. */
function reply<T extends object>(child: ChildProcess): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    child.once('message', (m: T | { error: string }) => ('error' in m ? reject(new Error(`the floor's client failed: ${m.error}`)) : resolve(m)));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the floor's ${child.spawnargs.at(-1)} process stopped (${code})`)));
  });
}

/**
 * Requests per second over `requests` posts with `concurrency` in flight. The client runs in a
 * process of its own too: its 256 sockets and buffers (90 MB) are not the bench's, whose peak
 * RSS is the classic run's figure.
 */
export async function measureFloor(requests = 50_000, concurrency = 256): Promise<number> {
  const server = forkHelper(__filename, ['--serve']);
  let client: ChildProcess | undefined;
  try {
    const { port } = await reply<{ port: number }>(server);
    client = forkHelper(__filename, [String(port), String(requests), String(concurrency), '--client']);
    return (await reply<{ perSecond: number }>(client)).perSecond;
  } finally {
    client?.kill();
    server.kill();
  }
}

if (require.main === module && process.argv.includes('--serve')) serve();
if (require.main === module && process.argv.includes('--client')) {
  const [port, requests, concurrency] = process.argv.slice(2, 5).map(Number);
  void post(port, requests, concurrency).then(
    (perSecond) => process.send?.({ perSecond }),
    (error: Error) => process.send?.({ error: error.message }),
  );
}
