/**
 * Reading the opt-in sentence with its code (R4), table by table. Each row is one message as it
 * could arrive on WhatsApp. Opt-outs (R11) are read against the corpora: opt-out-corpus.test.ts.
 */
import { expect } from 'chai';
import { readOptIn, type OptInParts } from '../../../src/services/signup/opt-in-text';

const SENTENCE = 'Ja ik wil storingsberichten van CBG Connect ontvangen.';
const CODE = 'K7P2-QX';

describe('reading the opt-in sentence and code (readOptIn, R4)', () => {
  const cases: [label: string, text: string, expected: OptInParts][] = [
    // The line from the stappenplan, as copied.
    ['the sentence with the code, as in the stappenplan', `${SENTENCE} Code: ${CODE}`, { hasSentence: true, code: CODE }],
    // Case, accents, punctuation and spacing do not matter.
    ['all lower case, code in lower case', `${SENTENCE.toLowerCase()} code: ${CODE.toLowerCase()}`, { hasSentence: true, code: CODE }],
    ['all upper case', `${SENTENCE.toUpperCase()} CODE: ${CODE}`, { hasSentence: true, code: CODE }],
    ['accents on letters', 'Já ík wil storingsberichten van CBG Connect óntvangen. Code: K7P2-QX', { hasSentence: true, code: CODE }],
    ['extra punctuation and no final full stop', 'Ja, ik wil storingsberichten van CBG-Connect ontvangen!! Code: K7P2-QX', { hasSentence: true, code: CODE }],
    ['extra and missing spaces', '  Ja ik   wil storingsberichten van CBG Connect ontvangen.Code:K7P2-QX  ', { hasSentence: true, code: CODE }],
    ['a line break between sentence and code', `${SENTENCE}\nCode: ${CODE}`, { hasSentence: true, code: CODE }],
    // Small typos.
    ['"conect" and "storingsberichen"', 'Ja ik wil storingsberichen van CBG Conect ontvangen. Code: K7P2-QX', { hasSentence: true, code: CODE }],
    ['a missing word ("ik")', 'Ja wil storingsberichten van CBG Connect ontvangen. Code: K7P2-QX', { hasSentence: true, code: CODE }],
    // The code's notations.
    ['the code without its dash', `${SENTENCE} Code: K7P2QX`, { hasSentence: true, code: CODE }],
    ['the code after "code" with "=" and a space for the dash', `${SENTENCE} code = k7p2 qx`, { hasSentence: true, code: CODE }],
    ['the code before the sentence', `Code: ${CODE} ${SENTENCE}`, { hasSentence: true, code: CODE }],
    ['the code on its own after the sentence, without "Code:"', `${SENTENCE} ${CODE}`, { hasSentence: true, code: CODE }],
    // A lone code (R4: the sentence may have come in the message before).
    ['a lone code', CODE, { hasSentence: false, code: CODE }],
    ['a lone code in lower case with a full stop', 'k7p2-qx.', { hasSentence: false, code: CODE }],
    ['"Code: …" alone', `Code: ${CODE}`, { hasSentence: false, code: CODE }],
    // The sentence without a code.
    ['the sentence without a code', SENTENCE, { hasSentence: true, code: null }],
    ['the sentence with "Code:" but nothing after it', `${SENTENCE} Code:`, { hasSentence: true, code: null }],
    // Not the sentence.
    ['unrelated text', 'Hallo, wij hebben sinds vanochtend geen internet in Utrecht.', { hasSentence: false, code: null }],
    ['a greeting', 'Hoi', { hasSentence: false, code: null }],
    ['empty', '', { hasSentence: false, code: null }],
    ['only punctuation', '?!...', { hasSentence: false, code: null }],
    ['half the sentence', 'Ja ik wil storingsberichten. Code: K7P2-QX', { hasSentence: false, code: CODE }],
    ['the opposite wish, with the code', 'Nee ik wil geen storingsberichten van CBG Connect meer ontvangen, stop ermee. Code: K7P2-QX', { hasSentence: false, code: CODE }],
    ['too many typos', 'Ja ik wl strngsbrchtn vn CBG Cnnct ntvngn. Code: K7P2-QX', { hasSentence: false, code: CODE }],
  ];

  for (const [label, text, expected] of cases) {
    it(`${label}: ${JSON.stringify(text)}`, () => {
      expect(readOptIn(text)).to.deep.equal(expected);
    });
  }

  it('accepts about one typo per seven letters of the sentence, and no more', () => {
    // The normalised sentence "ja ik wil storingsberichten van cbg connect ontvangen" has 52
    // characters: up to 7 edits count as the sentence, 8 do not.
    const typos = (n: number) => {
      const letters = SENTENCE.split('');
      // Replace n letters of "storingsberichten" (positions 10..26) with an x, every other letter.
      for (let i = 0; i < n; i++) letters[11 + 2 * i] = 'x';
      return letters.join('');
    };
    expect(readOptIn(`${typos(7)} Code: ${CODE}`).hasSentence, '7 typos').to.equal(true);
    expect(readOptIn(`${typos(8)} Code: ${CODE}`).hasSentence, '8 typos').to.equal(false);
  });
});
