/**
 * The data folder (DATA_DIR: the e-mail outbox's .eml files, the embedded database) for the
 * apps the tests start: a temporary folder of this test run, never the checkout's .data/
 * (which belongs to `npm start`). Removed by the root hook at the end of the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let dir: string | undefined;

export function testDataDir(): string {
  dir ??= mkdtempSync(path.join(os.tmpdir(), 'storingsmelder-data-'));
  return dir;
}

export function removeTestDataDir(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

let logs = 0;

/**
 * An erasure log of its own (ERASURE_LOG) for each test database: a log shared by tests with
 * different databases would look like a restored backup to all but one of them.
 */
export function testErasureLog(): string {
  logs += 1;
  return path.join(testDataDir(), `erasures-${process.pid}-${logs}.log`);
}
