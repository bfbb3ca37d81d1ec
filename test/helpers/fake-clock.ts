/**
 * A fake clock for unit tests of code that waits with setTimeout and reads the time (the
 * dispatcher's rate limiters): while installed, setTimeout/clearTimeout (and, if asked,
 * Date.now) are the clock's, and time moves only when the test advances it. Timers fire in
 * due order with the clock set to their due time, and the promise callbacks they cause run
 * before the next one fires. Delays are rounded as Node rounds them (truncated, at least 1 ms).
 *
 * Mocha keeps its own references to the real timers, so its timeouts still work. Timers that
 * other code sets while the clock is installed and that have not fired are handed to the real
 * setTimeout on uninstall, with the delay they had left.
 */

interface FakeTimer {
  id: number;
  at: number;
  callback: () => void;
}

/** What the fake setTimeout returns: enough of Node's Timeout for callers that unref() it. */
class FakeTimeout {
  constructor(readonly id: number) {}
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

export class FakeClock {
  private time: number;
  private timers: FakeTimer[] = [];
  private nextId = 1;
  private real: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout; dateNow: typeof Date.now } | undefined;

  constructor(start = Date.UTC(2025, 10, 24, 9, 0, 0)) {
    this.time = start;
  }

  /** The clock's time in ms, as Date.now() would say; pass it where code takes a clock. */
  readonly now = (): number => this.time;

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  install(options: { dateNow?: boolean } = {}): this {
    if (this.real) throw new Error('the fake clock is already installed');
    this.real = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout, dateNow: Date.now };
    const fakeSetTimeout = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): FakeTimeout => {
      // Node: a delay that is not a number >= 1 (or is over 2^31 - 1) is 1; fractions are cut off.
      let delay = Math.trunc(Number(ms));
      if (!(delay >= 1) || delay > 2_147_483_647) delay = 1;
      const id = this.nextId++;
      this.timers.push({ id, at: this.time + delay, callback: () => callback(...args) });
      return new FakeTimeout(id);
    };
    const realClearTimeout = this.real.clearTimeout;
    const fakeClearTimeout = (handle: Parameters<typeof clearTimeout>[0] | FakeTimeout): void => {
      if (handle instanceof FakeTimeout) this.timers = this.timers.filter((t) => t.id !== handle.id);
      else realClearTimeout(handle);
    };
    globalThis.setTimeout = fakeSetTimeout as unknown as typeof setTimeout;
    globalThis.clearTimeout = fakeClearTimeout;
    if (options.dateNow) Date.now = this.now;
    return this;
  }

  uninstall(): void {
    if (!this.real) return;
    globalThis.setTimeout = this.real.setTimeout;
    globalThis.clearTimeout = this.real.clearTimeout;
    Date.now = this.real.dateNow;
    for (const timer of this.timers) globalThis.setTimeout(timer.callback, Math.max(0, timer.at - this.time));
    this.timers = [];
    this.real = undefined;
  }

  /** Lets every promise callback that is ready run (the microtask queue drains before setImmediate). */
  async settle(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Moves the clock ms forward, firing each timer that falls due on the way at its due time. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.time + ms);
  }

  async advanceTo(target: number): Promise<void> {
    await this.settle();
    for (;;) {
      const next = this.nextDue();
      if (!next || next.at > target) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = Math.max(this.time, next.at);
      next.callback();
      await this.settle();
    }
    this.time = Math.max(this.time, target);
  }

  /**
   * The event loop was busy for ms (a garbage collection, a burst of responses): time moves on
   * without firing anything, then the timers that fell due meanwhile fire, late, in due order.
   */
  async stall(ms: number): Promise<void> {
    await this.settle();
    this.time += ms;
    await this.advanceTo(this.time);
  }

  /** Fires timers in due order until `done()` holds; throws if it does not by the clock's `limitMs` from now. */
  async runUntil(done: () => boolean, limitMs: number): Promise<void> {
    const limit = this.time + limitMs;
    await this.settle();
    while (!done()) {
      const next = this.nextDue();
      if (!next || next.at > limit) throw new Error(`still not done after ${limitMs} ms of fake time (${this.timers.length} timers pending)`);
      await this.advanceTo(next.at);
    }
  }

  private nextDue(): FakeTimer | undefined {
    let first: FakeTimer | undefined;
    // Equal due times fire in the order they were set, as Node's do.
    for (const timer of this.timers) if (!first || timer.at < first.at) first = timer;
    return first;
  }
}
