/**
 * The service as production runs it: `node dist/src/index.js <services>` in a process of its own,
 * with only the environment a test gives (plus PATH and a shifted run's clock), on a free port of
 * 127.0.0.1, its output kept for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/lib/free-port';
import { baseEnv } from './child-env';
import { waitFor } from './wait';

const ENTRY = path.resolve(__dirname, '../../src/index.js');

export interface ServiceProcess {
  base: string;
  port: number;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, and resolves with the exit code once it has stopped. */
  stop(): Promise<number | null>;
}

export async function startServiceProcess(args: string[], env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--disable-warning=DEP0111', ENTRY, ...args], {
    env: { ...baseEnv(), PORT: String(port), HOST: '127.0.0.1', ...env },
    cwd: os.tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`the service exited ${child.exitCode}: ${stderr.trim()}`);
        return (await fetch(`${base}/healthz`).catch(() => undefined))?.status === 200;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'the service answering /healthz' },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    base,
    port,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
