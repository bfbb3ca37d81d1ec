/**
 * The one source of "now" for product code that compares with the calendar: R12's window,
 * Meta's announced dates, invitation expiry, the status card's week of refreshes, the Graph API
 * version's end date. The composition root passes the system clock; tests pass a fixed one, so
 * no test depends on the day it runs (CI also runs the suite a year ahead under faketime).
 *
 * Durations (rate limits, time-outs, "at most every 10 s") measure intervals, not the calendar,
 * and keep reading Date.now() where they are. The database's own now() stamps what it stores.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** A clock that always says the same instant: for tests and for a replay of a given moment. */
export function fixedClock(at: Date | string): Clock {
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime())) throw new Error(`fixedClock: not a time: ${String(at)}`);
  return () => new Date(instant);
}
