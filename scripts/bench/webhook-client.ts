/**
 * Meta's side of the classic status-webhook figure, in a process of its own (as Meta is not in
 * ours): posts one signed `delivered` webhook per message id, 64 at a time, as fast as the
 * service takes them, and reports the rate and the latencies.
 */
import { forkHelper } from './harness';
import http from 'node:http';
import { signBody } from '../../src/channels/whatsapp/webhook';
import { statusWebhook } from '../../src/local/webhook-payloads';
import { percentile } from './numbers';

interface Job {
  port: number;
  appSecret: string;
  phoneNumberId: string;
  ids: string[];
}

export function postStatusWebhooks(job: Job): Promise<{ perSecond: number; p99Ms: number }> {
  const child = forkHelper(__filename, ['--post']);
  return new Promise((resolve, reject) => {
    child.once('message', (result: { perSecond: number; p99Ms: number } | { error: string }) => {
      child.kill();
      if ('error' in result) reject(new Error(result.error));
      else resolve(result);
    });
    child.send(job);
  });
}

async function post(job: Job): Promise<{ perSecond: number; p99Ms: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const bodies = job.ids.map((id, i) => JSON.stringify(statusWebhook({ phoneNumberId: job.phoneNumberId, displayNumber: '31854869699' }, [{ id, status: 'delivered', at: new Date(), recipient: String(31600000001 + i) }])));
  const signatures = bodies.map((body) => signBody(job.appSecret, body));
  const one = (i: number) =>
    new Promise<number>((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = http.request({ host: '127.0.0.1', port: job.port, path: '/webhooks/whatsapp', method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signatures[i] } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(bodies[i]);
    });
  const latencies: number[] = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < bodies.length) latencies.push(await one(next++));
  }));
  agent.destroy();
  return { perSecond: bodies.length / ((Date.now() - started) / 1000), p99Ms: percentile(latencies, 99) };
}

if (require.main === module && process.argv.includes('--post')) {
  process.once('message', (job: Job) => {
    post(job).then(
      (result) => process.send?.(result),
      (error: Error) => process.send?.({ error: error.message }),
    );
  });
}
