/**
 * After a flood of refused bodies, give the memory back. The flood's buffers and connections
 * are garbage as soon as they are refused, but V8 collects the old generation only under
 * pressure, and an idle service has none: its RSS stayed 100 MB above idle for minutes. So once
 * the refusals have stopped for a few seconds, a full collection runs, and again 5, 15 and 35 s
 * later for what the flood's connections still held at the first (on a loaded machine their
 * sockets close over tens of seconds). A flood that comes back during a series is collected by
 * the series' later runs, and after it by a new series once the last one has run out (a series
 * locked for a minute once ended before a slow flood did, and RSS stayed high). A collection
 * blocks for about 100 ms: at most four a series, one series at a time. Only bodies refused for
 * the budget count (body.ts), not webhooks refused because the ledger is behind.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

const QUIET_MS = 3000;
const AFTER_QUIET_MS = [0, 5000, 15_000, 35_000];
/** Two collections closer than this are one (timers of two series meeting). */
const AT_LEAST_APART_MS = 4000;

type Gc = (options: { type: 'major'; execution: 'sync'; flavor: 'last-resort' }) => void;

/**
 * V8's own collection, reachable without starting Node with --expose-gc. The last-resort flavour
 * also shrinks the heap and gives its free pages back at once; after a plain gc() that is left to
 * V8's memory reducer, which waits until 8 s without a collection (measured on Node 24: RSS
 * stayed 56 MB above idle for a minute with a plain gc() every 5 s, and fell within 1 s with
 * this one).
 */
function fullCollection(): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as Gc;
  return () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

let collect: (() => void) | undefined;
let lastCollection = 0;
let quiet: NodeJS.Timeout | undefined;
/** When the running series' last collection is due; a new series waits until then. */
let seriesEnds = 0;

function collectNow(): void {
  if (Date.now() - lastCollection < AT_LEAST_APART_MS) return;
  lastCollection = Date.now();
  collect ??= fullCollection();
  collect();
}

function planCollections(): void {
  // A series is running: the new one starts when it has run out.
  if (Date.now() < seriesEnds) {
    quiet = setTimeout(planCollections, seriesEnds - Date.now() + 1).unref();
    return;
  }
  seriesEnds = Date.now() + AFTER_QUIET_MS[AFTER_QUIET_MS.length - 1];
  for (const delay of AFTER_QUIET_MS) setTimeout(collectNow, delay).unref();
}

/** Called for every body refused for the budget; collects once they have stopped. */
export function noteRefusedBody(): void {
  clearTimeout(quiet);
  quiet = setTimeout(planCollections, QUIET_MS).unref();
}
