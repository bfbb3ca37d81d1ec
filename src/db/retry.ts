/**
 * PostgreSQL cancels one of two transactions that wait on each other (a deadlock, 40P01) or
 * conflict under serializable isolation (40001) and asks the client to try again. The ledger's
 * writers lock rows in id order to avoid it; this covers what still meets another order (an
 * opt-out, the dispatcher's housekeeping).
 */
export async function withDeadlockRetry<T>(work: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= attempts || (code !== '40P01' && code !== '40001')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt * Math.random()));
    }
  }
}
