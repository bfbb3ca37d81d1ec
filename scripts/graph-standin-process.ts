/**
 * The Graph API stand-in in a process of its own (for `npm run bench`, so it does not share the
 * dispatcher's event loop). Talks to its parent over IPC: sends {url} when listening; answers
 * 'stats' with the arrival times and the message ids it handed out; 'reset' clears them.
 */
import { GraphStandIn } from '../src/services/whatsapp/graph-standin';

async function main(): Promise<void> {
  let arrivals: number[] = [];
  let ids: string[] = [];
  const graph = new GraphStandIn({ accessToken: 'bench-token', phoneNumberId: 'bench-number', keep: 0, onMessage: (r) => ids.push(r.answeredId!) });
  graph.decide = () => {
    arrivals.push(Date.now());
    return undefined;
  };
  const url = await graph.start();
  process.on('message', (message: string) => {
    if (message === 'stats') process.send?.({ arrivals, ids });
    if (message === 'reset') {
      arrivals = [];
      ids = [];
    }
  });
  process.send?.({ url });
}

void main();
