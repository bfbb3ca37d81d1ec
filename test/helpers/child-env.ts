/**
 * What every child process a test starts inherits besides the variables the test names: the
 * PATH, and the clock of a shifted run (CI runs the suite once more under Debian's faketime,
 * whose preload and offset live in LD_PRELOAD and FAKETIME*), so that the service, the CLIs and
 * the test's own PostgreSQL all share one clock.
 */
export function baseEnv(): Record<string, string> {
  const inherited: Record<string, string> = { PATH: process.env.PATH ?? '' };
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && (name === 'LD_PRELOAD' || name.startsWith('FAKETIME'))) inherited[name] = value;
  }
  return inherited;
}
