import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger';

/** A logger that keeps its (masked) JSON lines in memory, for assertions and quiet test runs. */
export function memoryLogger(level = 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      callback();
    },
  });
  return { logger: createLogger({ level, pretty: false, destination }), lines };
}
