/**
 * Loaded before restify (server.ts). restify 11 requires spdy (HTTP/2 through restify) as it
 * loads, and spdy's http-deceiver calls process.binding('http_parser'), which Node 24 removed:
 * restify itself would fail to load. We never pass `spdy` to createServer, so spdy is placed in
 * require's cache as a stub that refuses to be used, on every Node version alike. (npm's
 * `overrides` cannot do this: a file: override breaks `npm ci`, npm 11.) restify 12 drops spdy
 * but needs Node 22+; moving to it makes this file unnecessary (it then finds no spdy and does
 * nothing).
 */
import Module, { createRequire } from 'node:module';

const requireHere = createRequire(__filename);

function spdyAsRestifyLoadsIt(): string | undefined {
  try {
    const restifyServer = requireHere.resolve('restify/lib/server.js');
    return createRequire(restifyServer).resolve('spdy');
  } catch {
    return undefined;
  }
}

const spdyPath = spdyAsRestifyLoadsIt();
if (spdyPath && !requireHere.cache[spdyPath]) {
  const refuse = () => {
    throw new Error('HTTP/2 through restify (createServer({ spdy })) is not used by Storingsmelder');
  };
  const stub = new Module(spdyPath);
  stub.filename = spdyPath;
  stub.loaded = true;
  stub.exports = { createServer: refuse, createAgent: refuse };
  requireHere.cache[spdyPath] = stub;
}
