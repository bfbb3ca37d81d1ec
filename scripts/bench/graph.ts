/** The bench's handle on the Graph API stand-in process (graph-process.ts). */
import type { ChildProcess } from 'node:child_process';
import { forkHelper } from './harness';
import path from 'node:path';

export interface GraphStats {
  arrivals: number[];
  /** `to` of every accepted message, in order. */
  recipients: string[];
}

export interface StormStats {
  pending: number;
  callbacks: number;
  webhooks: { at: number; ms: number; status: number; statuses: number }[];
  /** [recipient, the highest status reported for it]. */
  final: [string, string][];
  rssMb: number;
}

export interface GraphProcess {
  child: ChildProcess;
  url: string;
  stats(): Promise<GraphStats>;
  /** How many messages arrived, and to how many different recipients (cheap to poll). */
  count(): Promise<{ arrivals: number; unique: number }>;
  reset(): void;
  storm(settings: { targets: string[]; appSecret: string; phoneNumberId: string }): void;
  stormStats(): Promise<StormStats>;
}

export async function startGraph(): Promise<GraphProcess> {
  const child = forkHelper(path.join(__dirname, 'graph-process.js'), []);
  const url = await new Promise<string>((resolve) => child.once('message', (m: { url: string }) => resolve(m.url)));
  const ask = <T>(question: string) =>
    new Promise<T>((resolve) => {
      child.once('message', (m: T) => resolve(m));
      child.send(question);
    });
  return {
    child,
    url,
    stats: () => ask<GraphStats>('stats'),
    count: () => ask<{ arrivals: number; unique: number }>('count'),
    reset: () => child.send('reset'),
    storm: (settings) => child.send({ storm: settings }),
    stormStats: () => ask<StormStats>('storm-stats'),
  };
}
