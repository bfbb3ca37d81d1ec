/**
 * After a flood of refused bodies, give the memory back. The flood's buffers and connections
 * are garbage as soon as they are refused, but V8 collects the old generation only under
 * pressure, and an idle service has none: its RSS stayed 100 MB above idle for minutes. So once
 * the refusals have stopped for a few seconds, a full collection runs, and again 5, 15 and 35 s
 * later for what the flood's connections still held at the first (on a loaded machine the
 * memory came back only after the second, or not within a minute); a new series starts at most
 * once a minute. The freed pages go back to the operating system.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

const QUIET_MS = 3000;
/** After the first collection of a series: the later ones. */
const AGAIN_AFTER_MS = [5000, 15_000, 35_000];
const AT_MOST_EVERY_MS = 60_000;

/** V8's own full collection, reachable without starting Node with --expose-gc. */
function fullCollection(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

let collect: (() => void) | undefined;
let timer: NodeJS.Timeout | undefined;
let lastRun = 0;

/** Called for every body refused for the budget; collects once they have stopped. */
export function noteRefusedBody(): void {
  clearTimeout(timer);
  timer = setTimeout(() => {
    if (Date.now() - lastRun < AT_MOST_EVERY_MS) return;
    lastRun = Date.now();
    collect ??= fullCollection();
    collect();
    for (const delay of AGAIN_AFTER_MS) setTimeout(() => collect?.(), delay).unref();
  }, QUIET_MS);
  timer.unref();
}
