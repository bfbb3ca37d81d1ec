/**
 * pino logger whose every line passes through the personal-data mask before it is written,
 * so a phone number or e-mail address can never reach a log, whoever logs it and however.
 * JSON in production, readable lines locally.
 */
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { maskDeep } from './lib/mask';

export type { Logger };

export interface LoggerOptions {
  level: string;
  pretty: boolean;
  /** Where lines go; stdout by default. */
  destination?: NodeJS.WritableStream;
}

/** A stream that masks each JSON log line, then hands it on. */
export function maskingStream(next: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      next.write(maskLine(chunk.toString('utf8')));
      callback();
    },
  });
}

export function maskLine(line: string): string {
  const trimmed = line.trimEnd();
  try {
    return `${JSON.stringify(maskDeep(JSON.parse(trimmed)))}\n`;
  } catch {
    // Not JSON (should not happen with pino): mask it as plain text.
    return `${String(maskDeep(trimmed))}\n`;
  }
}

export function createLogger(options: LoggerOptions): Logger {
  const out = options.destination ?? process.stdout;
  const target = options.pretty ? pretty({ destination: out, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }) : out;
  return pino(
    {
      level: options.level,
      base: undefined,
      // Errors are logged by message and type only: stack traces can carry request data.
      serializers: { err: (err: Error) => ({ type: err?.name, message: err?.message, code: (err as { code?: unknown })?.code }) },
    },
    maskingStream(target),
  );
}

/** A library's console line, as one short line: the first line of what it printed, cut at 200 characters. */
function consoleLine(args: unknown[]): string {
  const text = args.map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : typeof arg === 'string' ? arg : inspect(arg, { depth: 1, breakLength: Infinity }))).join(' ');
  const first = text.split('\n')[0].trim();
  return first.length > 200 ? `${first.slice(0, 200)}…` : first;
}

/**
 * Libraries that print to the console (botbuilder prints "Error finding key for token.
 * Available keys: -----BEGIN RSA PUBLIC KEY…" for a token with an unknown key id, and the token
 * error itself) would write outside the JSON log and its mask: their console goes through the
 * logger instead, as one short line with where it came from. Set once by the composition root.
 */
export function routeConsoleTo(logger: Logger): void {
  const to = (level: 'debug' | 'info' | 'warn' | 'error') => (...args: unknown[]) => logger[level]({ source: 'console' }, consoleLine(args));
  console.log = to('info');
  console.info = to('info');
  console.debug = to('debug');
  console.trace = to('debug');
  console.warn = to('warn');
  console.error = to('warn');
}
