/** One line of `npm run doctor`: what was checked, and for a failure the exact fix. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  /** What was checked and found (no secrets). */
  detail: string;
  /** For a failure or a warning: what to do about it. */
  fix?: string;
}

export const ok = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail });
/** Passes, but needs doing soon (a Graph API version close to its end). */
export const warn = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'warn', detail, fix });
export const fail = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'fail', detail, fix });
/** Not checked, and why (local mode, nothing configured, not reachable from here): not a failure. */
export const skip = (name: string, detail: string): CheckResult => ({ name, status: 'skip', detail });

/** The first line of an error's message, without a stack. */
export function reason(error: unknown): string {
  const e = error as { message?: string; cause?: { message?: string; code?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return `${String(e.message ?? error).split('\n')[0]}${cause && !String(e.message).includes(cause) ? ` (${cause})` : ''}`;
}
