import { expect } from 'chai';
import { parseBusinessHours } from '../../../src/config';
import { BusinessCalendar, formatDutch } from '../../../src/services/notices/business-hours';

const calendar = new BusinessCalendar(parseBusinessHours('mon-fri 08:30-17:00 Europe/Amsterdam'));
/** An Amsterdam wall-clock time with its UTC offset spelled out, so each case is unambiguous. */
const at = (iso: string) => new Date(iso);

describe('business hours (R12)', () => {
  it('sends on Friday at 16:59', () => {
    const now = at('2026-11-27T16:59:00+01:00');
    expect(calendar.isOpen(now)).to.equal(true);
    expect(calendar.nextOpening(now)).to.deep.equal(now);
  });

  it('holds a notice from Friday 17:00 until Monday 08:30', () => {
    expect(calendar.nextOpening(at('2026-11-27T17:00:00+01:00')).toISOString()).to.equal(at('2026-11-30T08:30:00+01:00').toISOString());
    expect(formatDutch(at('2026-11-30T08:30:00+01:00'))).to.equal('maandag 30 november om 08:30');
  });

  it('holds a notice composed early in the morning until 08:30 the same day', () => {
    expect(calendar.nextOpening(at('2026-11-24T07:15:00+01:00')).toISOString()).to.equal(at('2026-11-24T08:30:00+01:00').toISOString());
  });

  it('skips Koningsdag (27 April 2026, a Monday)', () => {
    expect(calendar.nextOpening(at('2026-04-24T17:30:00+02:00')).toISOString()).to.equal(at('2026-04-28T08:30:00+02:00').toISOString());
    expect(calendar.isOpen(at('2026-04-27T10:00:00+02:00'))).to.equal(false);
  });

  it('skips Christmas: Thursday 24 December 17:00 -> Monday 28 December 08:30', () => {
    expect(calendar.nextOpening(at('2026-12-24T17:00:00+01:00')).toISOString()).to.equal(at('2026-12-28T08:30:00+01:00').toISOString());
  });

  it('opens at 08:30 local time on the days the clocks change', () => {
    // Summer time starts Sunday 29 March 2026; Monday 30 March opens at 08:30 CEST (06:30 UTC).
    expect(calendar.nextOpening(at('2026-03-27T18:00:00+01:00')).toISOString()).to.equal('2026-03-30T06:30:00.000Z');
    // Winter time starts Sunday 25 October 2026; Monday 26 October opens at 08:30 CET (07:30 UTC).
    expect(calendar.nextOpening(at('2026-10-23T18:00:00+02:00')).toISOString()).to.equal('2026-10-26T07:30:00.000Z');
  });

  it('is always open with BUSINESS_HOURS=always', () => {
    const always = new BusinessCalendar(parseBusinessHours('always'));
    const sunday = at('2026-12-27T03:00:00+01:00');
    expect(always.nextOpening(sunday)).to.deep.equal(sunday);
  });
});
