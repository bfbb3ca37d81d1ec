/**
 * The Graph API stand-in in a process of its own (for `npm run bench`, so it does not share the
 * dispatcher's event loop), over IPC with its parent:
 *   -> { url } when listening;
 *   'stats'            -> { arrivals, recipients (to per accepted message) };
 *   'count'            -> { arrivals, unique }: cheap to poll (serialising the full stats every
 *                      100 ms stalled this loop, which then stamped arrivals late, in a bunch);
 *   'reset'            clears them;
 *   { storm: {...} }   from now on, every accepted message is handed to a process of its own
 *                      (callbacks-process.ts) that plays Meta's status callbacks: the stand-in
 *                      keeps its own loop free, so its arrival times stay true;
 *   'storm-stats'      -> what the storm posted and what the ledger should now say.
 */
import type { ChildProcess } from 'node:child_process';
import { forkHelper } from './harness';
import path from 'node:path';
import { templateDefinition } from '../../src/services/notices/notice-template';
import { GraphStandIn } from '../../src/local/graph-standin';

async function main(): Promise<void> {
  let arrivals: number[] = [];
  let recipients: string[] = [];
  let unique = new Set<string>();
  let callbacks: ChildProcess | undefined;
  let accepted: [string, string, string | undefined, number][] = [];
  const graph = new GraphStandIn({
    accessToken: 'bench-token',
    phoneNumberId: 'bench-number',
    keep: 0,
    account: { templates: [{ id: '1', status: 'APPROVED', ...templateDefinition('storing_melding', 'nl') }] },
    onMessage: (r) => {
      const body = r.body as { to: string; biz_opaque_callback_data?: string };
      arrivals.push(r.at);
      recipients.push(body.to);
      unique.add(body.to);
      if (callbacks) accepted.push([r.answeredId!, body.to, body.biz_opaque_callback_data, r.at]);
    },
  });
  setInterval(() => {
    if (callbacks && accepted.length > 0) callbacks.send({ accepted });
    accepted = [];
  }, 20).unref();
  const url = await graph.start();
  process.on('message', (message: string | { storm: unknown }) => {
    if (message === 'stats') process.send?.({ arrivals, recipients });
    if (message === 'count') process.send?.({ arrivals: arrivals.length, unique: unique.size });
    if (message === 'reset') {
      arrivals = [];
      recipients = [];
      unique = new Set();
    }
    if (typeof message === 'object' && message.storm) {
      callbacks = forkHelper(path.join(__dirname, 'callbacks-process.js'), []);
      callbacks.send(message);
    }
    if (message === 'storm-stats' && callbacks) {
      callbacks.once('message', (m) => process.send?.(m));
      callbacks.send('storm-stats');
    }
  });
  process.on('disconnect', () => callbacks?.kill());
  process.on('SIGTERM', () => {
    callbacks?.kill();
    process.exit(0);
  });
  process.send?.({ url });
}

void main();
