/**
 * Reading what a subscriber typed: the opt-in sentence with its code (R4, tolerant of case,
 * accents, punctuation, spacing and small typos) and an opt-out (R11). The first name (R6) is
 * read by registry/first-name.ts, which staff corrections use too.
 */
import { OPT_IN_SENTENCE } from '../email/templates';
import { distance, normalise } from '../../lib/text';

const SENTENCE = normalise(OPT_IN_SENTENCE);
/** Up to about one typo per seven letters still counts as the sentence. */
const MAX_SENTENCE_EDITS = Math.floor(SENTENCE.length / 7);

// "Code: K7P2-QX", "code k7p2qx", or a lone K7P2-QX token.
const CODE_AFTER_WORD = /\bcode\b\s*[:=.-]?\s*([a-z0-9]{4})[\s-]?([a-z0-9]{2})\b/i;
const LONE_CODE = /(?:^|\s)([a-z0-9]{4})-([a-z0-9]{2})(?=$|[\s.,!])/i;

export interface OptInParts {
  /** The sentence (or something close to it) is there. */
  hasSentence: boolean;
  /** The code as typed, normalised to XXXX-XX, if any. */
  code: string | null;
}

export function readOptIn(text: string): OptInParts {
  const match = CODE_AFTER_WORD.exec(text) ?? LONE_CODE.exec(text);
  const code = match ? `${match[1]}-${match[2]}`.toUpperCase() : null;
  const rest = normalise(match ? text.replace(match[0], ' ') : text);
  // A text further from the sentence's length than the edits allowed cannot be it: the edit
  // distance (length × sentence) is computed only for texts of about the sentence's length.
  const nearLength = Math.abs(rest.length - SENTENCE.length) <= MAX_SENTENCE_EDITS;
  return { hasSentence: rest.length > 0 && nearLength && distance(rest, SENTENCE) <= MAX_SENTENCE_EDITS, code };
}

const OPT_OUT_WORDS = new Set(['afmelden', 'afmelding', 'uitschrijven', 'uitschrijving', 'stop', 'stoppen', 'opzeggen', 'unsubscribe']);
/** The words long enough that one typo still counts ("afmeldn"). */
const LONG_OPT_OUT_WORDS = [...OPT_OUT_WORDS].filter((k) => k.length >= 6);
const OPT_OUT_PHRASES = [/\bmeld (me|mij|ons) af\b/, /\bschrijf (me|mij|ons) uit\b/, /\bgeen (storings)?(berichten|meldingen) meer\b/, /\bniet meer ontvangen\b/];

/**
 * A negation of the opt-out verb itself: "ik wil me niet afmelden", "hoef me niet af te melden".
 * Only the verb negated counts: "afmelden, dit is niet voor mij" and "ik wil dit niet meer
 * ontvangen" are opt-outs. A negated opt-out is not taken as one (erasing someone who wants to
 * stay is worse than asking again): its sender gets the one-way reply (R10).
 */
const NEGATED_OPT_OUT = /\b(niet|nooit)\s+(af|afmelden|afmelding|uitschrijven|stoppen|stop|opzeggen)\b/;

/** "afmelden", "uitschrijven", "stop", "stoppen", or a sentence saying so; not when negated. */
export function isOptOut(text: string): boolean {
  const clean = normalise(text);
  if (clean === '' || NEGATED_OPT_OUT.test(clean)) return false;
  const words = clean.split(' ');
  // A long message that merely mentions "stop" somewhere is a question, not an opt-out.
  if (words.length <= 3 && words.some((w) => OPT_OUT_WORDS.has(w) || (w.length >= 6 && LONG_OPT_OUT_WORDS.some((k) => Math.abs(w.length - k.length) <= 1 && distance(w, k) <= 1)))) return true;
  if (words.some((w) => w === 'afmelden' || w === 'uitschrijven')) return true;
  if (OPT_OUT_PHRASES.some((phrase) => phrase.test(clean))) return true;
  // "ik wil (me graag) afmelden": "wil" and, somewhere after it, the verb. Found with two linear
  // searches; the regex /wil .*(afmelden|...)/ takes quadratic time on a text of many "wil"s.
  const want = clean.search(/\bwil /);
  return want >= 0 && /\b(afmelden|uitschrijven|stoppen)\b/.test(clean.slice(want));
}
