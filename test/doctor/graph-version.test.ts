/** The doctor's Graph API version check against Meta's table of end dates. */
import { expect } from 'chai';
import { loadConfig } from '../../src/config';
import { checkGraphVersion, GRAPH_API_EXPIRY } from '../../src/doctor/graph-version-check';

const at = (version: string) => loadConfig({ WHATSAPP_API_VERSION: version }, { purpose: 'tool' });
const DAY = new Date('2026-12-01T12:00:00Z');

describe('doctor: the Graph API version', () => {
  it('passes a version with its end date far enough away, and one with none announced', () => {
    expect(checkGraphVersion(at('v25.0'), DAY)).to.include({ status: 'ok', detail: 'v25.0, supported until 2028-07-29' });
    expect(checkGraphVersion(at('v26.0'), DAY)).to.include({ status: 'ok', detail: "v26.0: no end date announced (Meta's table of 2026-12-07)" });
    expect(checkGraphVersion(at('v27.0'), DAY)).to.include({ status: 'ok', detail: "v27.0: no end date announced (Meta's table of 2026-12-07)" });
    expect(checkGraphVersion(at('v28.0'), DAY)).to.include({ status: 'ok', detail: "v28.0: newer than Meta's table of 2026-12-07" });
  });

  it('warns within 90 days of the end, with the day and what to do (v21.0 ends on 21 January 2027)', () => {
    const result = checkGraphVersion(at('v21.0'), DAY);
    expect(result).to.include({ status: 'warn', detail: 'v21.0 is switched off by Meta on 2027-01-21, in 50 days' });
    expect(result.fix).to.match(/^set WHATSAPP_API_VERSION to a current version/);
  });

  it('fails a version that was switched off, in the table or older than it', () => {
    expect(checkGraphVersion(at('v20.0'), DAY)).to.include({ status: 'fail', detail: 'v20.0 was switched off by Meta on 2026-09-24: every call fails' });
    expect(checkGraphVersion(at('v17.0'), DAY).status).to.equal('fail');
  });

  it('knows the default version', () => {
    expect(GRAPH_API_EXPIRY[loadConfig({}, { purpose: 'local' }).whatsapp.version]).to.equal('2028-07-29');
  });
});
