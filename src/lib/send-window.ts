/**
 * When notices go out, in the words of the replies and the AVG mail, from BUSINESS_HOURS (so the
 * texts never promise a window the service does not keep): "op werkdagen tussen 8:30 en 17:00
 * uur" for the default, "op elk moment van de dag" for `always`.
 */
import type { BusinessHours } from '../config';

const DAY_NAMES = ['maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag', 'zondag'];

function clock(minute: number): string {
  return `${Math.floor(minute / 60)}:${String(minute % 60).padStart(2, '0')}`;
}

function days(list: number[]): string {
  const sorted = [...new Set(list)].sort((a, b) => a - b);
  if (sorted.join() === '1,2,3,4,5') return 'op werkdagen';
  if (sorted.length === 7) return 'elke dag';
  if (sorted.join() === '6,7') return 'in het weekend';
  const names = sorted.map((d) => DAY_NAMES[d - 1]);
  return `op ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} en ${names.at(-1)}`}`;
}

export function sendWindowDutch(hours: BusinessHours): string {
  if (hours.always) return 'op elk moment van de dag';
  return `${days(hours.days)} tussen ${clock(hours.openMinute)} en ${clock(hours.closeMinute)} uur`;
}
