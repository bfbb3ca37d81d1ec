/**
 * Waiting in tests: poll a condition until it holds or a deadline passes, instead of sleeping
 * a fixed time and hoping. A fixed sleep either wastes time or, on a slow machine, checks too
 * early; a deadline fails loudly and says what it was waiting for.
 */

export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between checks (default 25 ms). */
  intervalMs?: number;
  /** What is being waited for, for the error message. */
  what?: string;
}

/** Resolves with the first truthy value `probe` returns; throws when the deadline passes first. A probe that throws fails the wait at once. */
export async function waitFor<T>(probe: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 25, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
