/**
 * What counts as a subscriber's first name (R5, R6): read from the subscriber's WhatsApp
 * answer at sign-up (signup/conversation.ts) and from a staff correction (privacy/).
 */
// A prefix counts only as a word of its own ("Mette" is a name, not "met" + "te").
const NAME_PREFIXES = /^(ik ben|mijn naam is|mijn voornaam is|naam|voornaam|dit is|met)(?:\s*[:,]\s*|\s+|$)/i;

/** A plausible first name (letters, at most three words), title-cased; null otherwise. */
export function readFirstName(text: string): string | null {
  const stripped = text.trim().replace(NAME_PREFIXES, '').replace(/[.!]+$/, '').trim();
  if (stripped.length < 2 || stripped.length > 50) return null;
  if (!/^[\p{L}][\p{L}'’ -]*$/u.test(stripped)) return null;
  const words = stripped.split(/\s+/);
  if (words.length > 3) return null;
  return words.map((w) => w.charAt(0).toLocaleUpperCase('nl-NL') + w.slice(1)).join(' ');
}
