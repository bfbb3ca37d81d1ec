/**
 * HTTP from another process, as a stranger on the network would send it: the security tests
 * run this file as a child and read its JSON answer. Jobs: a list of requests (with the headers
 * a proxy would add), or a flood of concurrent unsigned bodies.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';

export interface RemoteRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export type RemoteJob = { kind: 'requests'; requests: RemoteRequest[] } | { kind: 'flood'; url: string; count: number; bytes: number };

export interface FloodResult {
  statuses: Record<string, number>;
  ms: number;
}

/** Runs the job in a child process; resolves with its answer (statuses, or the flood's counts). */
export async function remote<T = number[]>(job: RemoteJob): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [__filename, JSON.stringify(job)], { maxBuffer: 1024 * 1024, timeout: 120_000 });
  return JSON.parse(stdout) as T;
}

function send(request: RemoteRequest): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(request.url, { method: request.method ?? 'GET', headers: request.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(request.body);
  });
}

async function flood(url: string, count: number, bytes: number): Promise<FloodResult> {
  const body = Buffer.alloc(bytes, 'x');
  const statuses: Record<string, number> = {};
  const started = Date.now();
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  await Promise.all(
    Array.from({ length: count }, () =>
      new Promise<void>((resolve) => {
        const note = (key: string) => {
          statuses[key] = (statuses[key] ?? 0) + 1;
          resolve();
        };
        const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': bytes, 'X-Hub-Signature-256': `sha256=${'0'.repeat(64)}` } }, (res) => {
          res.resume();
          res.on('end', () => note(String(res.statusCode)));
        });
        // A server that refuses a body closes the connection while it is still being sent.
        req.on('error', () => note('closed'));
        req.end(body);
      }),
    ),
  );
  return { statuses, ms: Date.now() - started };
}

if (require.main === module) {
  const job = JSON.parse(process.argv[2]) as RemoteJob;
  const work = job.kind === 'requests' ? Promise.all(job.requests.map(send)) : flood(job.url, job.count, job.bytes);
  void work.then((answer) => process.stdout.write(JSON.stringify(answer)));
}
