/**
 * Reading the opt-in sentence with its code (R4, tolerant of case, accents, punctuation, spacing
 * and small typos). An opt-out (R11) is read by opt-out-text.ts; the first name (R6) by
 * registry/first-name.ts, which staff corrections use too.
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
