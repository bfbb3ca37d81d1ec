/**
 * R13: notices are about outages, never planned works. The preview warns when a text looks like
 * planned work: the stems of Dutch compounds ("onderhoudswerkzaamheden", "netwerkonderhoud",
 * "geplande werkzaamheden", "onderhoudsvenster"), upgrades and migrations, and the English words;
 * not "ongepland"/"unplanned", which describe an outage.
 */
const PLANNED_WORKS = [/onderhoud/, /werkzaamhe[di]/, /(?<!on)gepland/, /(?<!un)planned/, /maintenance/, /\bupgrade/, /\bmigr(atie|eer|eren|eert)/, /\bvernieuw/];

export function looksLikePlannedWork(text: string): boolean {
  const clean = text.toLowerCase();
  return PLANNED_WORKS.some((stem) => stem.test(clean));
}
