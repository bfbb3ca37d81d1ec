/**
 * The bench's own helper processes (the floor's server and client, the Graph API stand-in, the
 * callback player, the webhook client), forked with IPC. Not with the service's heap flags that
 * `npm run bench` gives the bench process (fork passes execArgv on): those are for the dispatcher
 * and the app in the bench process, and the helpers are not the service.
 */
import { fork, type ChildProcess } from 'node:child_process';

const HEAP_FLAG = /^--max-(old|semi)-space-size/;

export function forkHelper(modulePath: string, args: string[]): ChildProcess {
  return fork(modulePath, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: process.execArgv.filter((flag) => !HEAP_FLAG.test(flag)) });
}
