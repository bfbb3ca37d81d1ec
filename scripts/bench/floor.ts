/**
 * The raw floor of this machine: a minimal keep-alive HTTP client posting the same template
 * body with the dispatcher's concurrency to a minimal server (in a process of its own, as the
 * Graph API stand-in is) that answers like the Graph API. No database, no pacing, no ledger:
 * what Node and loopback HTTP can do here, so every throughput figure can be read against it.
 */
import { fork } from 'node:child_process';
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

/** Requests per second over `requests` posts with `concurrency` in flight. */
export async function measureFloor(requests = 50_000, concurrency = 256): Promise<number> {
  const child = fork(__filename, ['--serve'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const body = Buffer.from(TEMPLATE_BODY);
    const post = () =>
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
      while (next++ < requests) await post();
    }));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    agent.destroy();
    return requests / seconds;
  } finally {
    child.kill();
  }
}

if (require.main === module && process.argv.includes('--serve')) serve();
