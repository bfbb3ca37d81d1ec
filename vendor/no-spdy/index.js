'use strict';
// restify 11 requires spdy at load time but only uses it for createServer({ spdy }), which
// Storingsmelder never passes. The real spdy cannot load on Node 24 (see package.json).
function unsupported() {
  throw new Error('HTTP/2 through restify (options.spdy) is not supported in Storingsmelder');
}
module.exports = { createServer: unsupported, Agent: unsupported, createAgent: unsupported };
