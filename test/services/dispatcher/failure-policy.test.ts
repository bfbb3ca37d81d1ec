/** What the dispatcher does with each kind of refused send (docs/platform.md (Error codes)). */
import { expect } from 'chai';
import { asSendFailure, decideOnFailure } from '../../../src/services/dispatcher/failure-policy';
import { classifyCloudApiError } from '../../../src/channels/whatsapp/cloud-api-errors';

describe('dispatcher failure policy', () => {
  const half = () => 0.5;

  it('pauses the notice on a stop-everything error and fails permanent ones at once', () => {
    expect(decideOnFailure(classifyCloudApiError(400, 131048, 'Spam rate limit hit'), 1, 8, half)).to.deep.equal({ action: 'pause' });
    expect(decideOnFailure(classifyCloudApiError(400, 131026, 'Message undeliverable'), 1, 8, half)).to.deep.equal({ action: 'fail', title: 'Message undeliverable' });
  });

  it('backs off exponentially and gives up after the last attempt', () => {
    const e = classifyCloudApiError(503, undefined, 'Service unavailable');
    expect(decideOnFailure(e, 1, 8, half)).to.deep.equal({ action: 'retry', delayMs: 1000, pauseAllMs: undefined });
    expect(decideOnFailure(e, 4, 8, half)).to.deep.equal({ action: 'retry', delayMs: 8000, pauseAllMs: undefined });
    expect(decideOnFailure(e, 8, 8, half)).to.deep.equal({ action: 'fail', title: 'gave up after 8 attempts: Service unavailable' });
  });

  it('slows every send on a throughput error, for Retry-After but at most a minute at a time', () => {
    expect(decideOnFailure(classifyCloudApiError(429, 130429, 'Rate limit hit', 2000), 1, 8, half)).to.deep.equal({ action: 'retry', delayMs: 2000, pauseAllMs: 2000 });
    expect(decideOnFailure(classifyCloudApiError(429, 130429, 'Rate limit hit', 3_600_000), 1, 8, half)).to.deep.include({ pauseAllMs: 60_000 });
  });

  it('holds only that recipient on the pair rate limit, and treats network errors as passing', () => {
    expect(decideOnFailure(classifyCloudApiError(400, 131056, 'Pair rate limit hit'), 1, 8, half)).to.deep.equal({ action: 'retry', delayMs: 6000, pauseAllMs: undefined });
    const network = asSendFailure(new Error('socket hang up'));
    expect(network).to.include({ kind: 'retryable', scope: 'message', title: 'socket hang up' });
  });
});
