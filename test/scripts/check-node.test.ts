/** npm start, npm test and npm run playground say in one line when this Node.js is too old (scripts/check-node.js). */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const SCRIPT = path.resolve(__dirname, '../../../scripts/check-node.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JavaScript that any Node.js runs, not compiled
const { verdict } = require(SCRIPT) as { verdict: (version: string, range: string) => { stop: boolean; line: string } | null };

describe('the Node.js version check', () => {
  it('stops on a Node.js older than the floor, naming the versions to install, in one line', () => {
    expect(verdict('v20.20.2', '^26 || ^24')).to.deep.equal({
      stop: true,
      line: 'Storingsmelder needs Node.js 26 (or Node.js 24); this is Node.js v20.20.2, which is too old: install Node.js 26 LTS and run the command again.',
    });
    expect(verdict('v22.12.0', '^26 || ^24')?.stop).to.equal(true);
  });

  it('lets the supported lines pass, and only warns on a newer one', () => {
    expect(verdict('v26.12.1', '^26 || ^24')).to.equal(null);
    expect(verdict('v24.0.0', '^26 || ^24')).to.equal(null);
    expect(verdict('v27.0.0', '^26 || ^24')).to.deep.equal({ stop: false, line: 'warning: Storingsmelder is tested on Node.js 26 (or Node.js 24), not on Node.js v27.0.0.' });
  });

  it("passes this Node.js, which runs the suite, with package.json's engines", () => {
    expect(execFileSync(process.execPath, [SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).to.equal('');
  });
});
