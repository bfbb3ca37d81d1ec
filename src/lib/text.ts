/**
 * Comparing what people type: a normal form (case, accents, punctuation and spacing removed)
 * and the edit distance between two short texts. Shared by the sign-up conversation (the
 * opt-in sentence, customer names) and the notices (near-duplicate warning).
 */

/** Lower case, accents off, punctuation to spaces, single spaces. */
export function normalise(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Levenshtein distance, for short texts only. */
export function distance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_v, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}
