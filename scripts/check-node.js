// Runs first in npm start, npm test and npm run playground, before anything that needs a
// current Node.js: on an older one the build and the service would fail somewhere deep and
// obscure, so this says it in one line instead. Plain JavaScript that any Node.js can run
// (no syntax newer than ES2015). The supported lines come from package.json's engines.
'use strict';
var engines = require('../package.json').engines.node;

/** The majors the engines name ("^26 || ^24" -> [26, 24]). */
function supportedMajors(range) {
  return range.split('||').map(function (part) {
    return Number(part.trim().replace(/^\^/, '').split('.')[0]);
  });
}

/** null when this Node.js will do; otherwise the one line to print (and whether to stop). */
function verdict(version, range) {
  var major = Number(String(version).replace(/^v/, '').split('.')[0]);
  var majors = supportedMajors(range);
  if (majors.indexOf(major) >= 0) return null;
  var floor = Math.min.apply(null, majors);
  var names = majors.slice().sort(function (a, b) { return b - a; }).map(function (m) { return 'Node.js ' + m; });
  var wanted = names[0] + (names.length > 1 ? ' (or ' + names.slice(1).join(', ') + ')' : '');
  if (major < floor) return { stop: true, line: 'Storingsmelder needs ' + wanted + '; this is Node.js ' + version + ', which is too old: install Node.js ' + Math.max.apply(null, majors) + ' LTS and run the command again.' };
  return { stop: false, line: 'warning: Storingsmelder is tested on ' + wanted + ', not on Node.js ' + version + '.' };
}

module.exports = { verdict: verdict };

if (require.main === module) {
  var found = verdict(process.version, engines);
  if (found) {
    process.stderr.write(found.line + '\n');
    if (found.stop) process.exit(1);
  }
}
