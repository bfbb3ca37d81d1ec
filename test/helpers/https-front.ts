/**
 * An https front for a local http stand-in, with the test certificate (test/fixtures/tls): a
 * production configuration reaches every identity and API endpoint over https only, and the
 * doctor's child process trusts the certificate through NODE_EXTRA_CA_CERTS.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const TLS_DIR = path.resolve(__dirname, '../../../test/fixtures/tls');

export interface HttpsFront {
  /** The https URL that stands for the target URL (same path). */
  url: string;
  close(): Promise<void>;
}

export async function httpsFront(target: string): Promise<HttpsFront> {
  const origin = new URL(target);
  const server = https.createServer({ key: readFileSync(path.join(TLS_DIR, 'key.pem')), cert: readFileSync(path.join(TLS_DIR, 'cert.pem')) }, (req, res) => {
    const forward = http.request({ host: origin.hostname, port: origin.port, method: req.method, path: req.url, headers: { ...req.headers, host: origin.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const front = new URL(target);
  front.protocol = 'https:';
  front.port = String((server.address() as AddressInfo).port);
  return {
    url: front.toString().replace(/\/$/, target.endsWith('/') ? '/' : ''),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
