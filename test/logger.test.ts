import { expect } from 'chai';
import { maskEmail, maskPersonalData, maskPhone } from '../src/lib/mask';
import { memoryLogger } from './helpers/logger';

describe('masking personal data', () => {
  it('masks phone numbers in every common notation', () => {
    expect(maskPhone('31612345678')).to.equal('+31 6 ****5678');
    expect(maskPhone('+31 6 1234 5678')).to.equal('+31 6 ****5678');
    expect(maskPhone('0612345678')).to.equal('+31 6 ****5678');
    expect(maskPhone('0031612345678')).to.equal('+31 6 ****5678');
    expect(maskPhone('+32471123456')).to.equal('+32 ****3456');
  });

  it('masks e-mail addresses', () => {
    expect(maskEmail('jan.jansen@bakkerij.nl')).to.equal('j***@bakkerij.nl');
  });

  it('masks numbers and addresses inside free text but leaves ids and times alone', () => {
    const text = 'from 31612345678 (jan@firma.nl) wamid.HBgLMzE2MTIzNDU2NzgVAgA id 3f1e2d4c-0000-4000-8000-123456789012 at 2026-11-23T10:00:00Z';
    expect(maskPersonalData(text)).to.equal(
      'from +31 6 ****5678 (j***@firma.nl) wamid.HBgLMzE2MTIzNDU2NzgVAgA id 3f1e2d4c-0000-4000-8000-123456789012 at 2026-11-23T10:00:00Z',
    );
  });

  it('masks numbers and addresses anywhere in a log line, including nested fields and the message', () => {
    const { logger, lines } = memoryLogger();
    logger.info({ from: '31612345678', nested: { to: ['+31 6 87654321'], email: 'piet@firma.nl' } }, 'reply to 0612345678 sent');
    expect(lines).to.have.length(1);
    const line = lines[0];
    expect(line).not.to.match(/612345678|87654321|piet@/);
    const parsed = JSON.parse(line) as { from: string; nested: { to: string[]; email: string }; msg: string; time: number };
    expect(parsed.from).to.equal('+31 6 ****5678');
    expect(parsed.nested.to[0]).to.equal('+31 6 ****4321');
    expect(parsed.nested.email).to.equal('p***@firma.nl');
    expect(parsed.msg).to.equal('reply to +31 6 ****5678 sent');
    expect(parsed.time).to.be.a('number');
  });

  it('logs errors without their stack', () => {
    const { logger, lines } = memoryLogger();
    const error = new Error('send to 31612345678 failed');
    logger.error({ err: error }, 'oops');
    const parsed = JSON.parse(lines[0]) as { err: unknown };
    expect(parsed.err).to.deep.equal({ type: 'Error', message: 'send to +31 6 ****5678 failed' });
    expect(lines[0]).not.to.include('at ');
  });
});
