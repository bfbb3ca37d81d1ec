/**
 * When notices may go out (R12): working days in BUSINESS_HOURS (default Monday to Friday
 * 08:30-17:00 Europe/Amsterdam), never on Dutch public holidays (date-holidays, type "public":
 * Nieuwjaar, Pasen, Koningsdag, Hemelvaart, Pinksteren, Kerstmis ...). Times are computed in
 * the configured zone, so the daylight-saving switches are handled by the zone rules.
 */
import Holidays from 'date-holidays';
import type { BusinessHours } from '../../config';

const holidays = new Holidays('NL');

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

function partsIn(timeZone: string, instant: Date): LocalDate & { hour: number; minute: number; weekday: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short', hourCycle: 'h23' })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday) + 1,
  };
}

/** The instant at which the wall clock in timeZone shows date + minutes. */
function instantAt(timeZone: string, date: LocalDate, minutes: number): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, Math.floor(minutes / 60), minutes % 60);
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const p = partsIn(timeZone, new Date(guess));
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    guess += wall - shown;
  }
  return new Date(guess);
}

function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function isPublicHoliday(date: LocalDate): boolean {
  const found = holidays.isHoliday(new Date(Date.UTC(date.year, date.month - 1, date.day, 12)));
  return Array.isArray(found) && found.some((h) => h.type === 'public');
}

export class BusinessCalendar {
  constructor(private readonly hours: BusinessHours) {}

  isOpen(now: Date): boolean {
    return this.nextOpening(now).getTime() === now.getTime();
  }

  /** `now` when the window is open, else the moment it next opens. */
  nextOpening(now: Date): Date {
    if (this.hours.always) return now;
    const today = partsIn(this.hours.timeZone, now);
    for (let offset = 0; offset < 30; offset++) {
      const date = addDays(today, offset);
      const weekday = ((today.weekday - 1 + offset) % 7) + 1;
      if (!this.hours.days.includes(weekday) || isPublicHoliday(date)) continue;
      const opens = instantAt(this.hours.timeZone, date, this.hours.openMinute);
      const closes = instantAt(this.hours.timeZone, date, this.hours.closeMinute);
      if (now < opens) return opens;
      if (now < closes) return now;
    }
    throw new Error('no business hours in the next 30 days');
  }
}

/** "maandag 27 april om 08:30" in Dutch, in the window's time zone, for staff. */
export function formatDutch(instant: Date, timeZone = 'Europe/Amsterdam'): string {
  const date = new Intl.DateTimeFormat('nl-NL', { timeZone, weekday: 'long', day: 'numeric', month: 'long' }).format(instant);
  const time = new Intl.DateTimeFormat('nl-NL', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
  return `${date} om ${time}`;
}
