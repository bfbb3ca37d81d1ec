/**
 * What counts as a first name (R5, R6), table by table: read from the subscriber's answer at
 * sign-up and from a staff correction (registry/first-name.ts).
 */
import { expect } from 'chai';
import { readFirstName } from '../../../src/services/registry/first-name';

describe('reading a first name (readFirstName, R6)', () => {
  const accepted: [label: string, text: string, name: string][] = [
    ['a plain name', 'Jan', 'Jan'],
    ['lower case is title-cased', 'jan', 'Jan'],
    ['"ik ben …"', 'ik ben jan', 'Jan'],
    ['"Ik ben …" with a full stop', 'Ik ben Jan.', 'Jan'],
    ['"Mijn naam is …", hyphenated: only the first letter of the word is raised', 'Mijn naam is anne-marie', 'Anne-marie'],
    ['"mijn voornaam is …"', 'mijn voornaam is Fatima', 'Fatima'],
    ['"Voornaam: …"', 'Voornaam: Pieter', 'Pieter'],
    ['"met …" (as on the phone)', 'met Sanne', 'Sanne'],
    ['"dit is …"', 'dit is Bram!', 'Bram'],
    ['three words: each word raised', 'jan de vries', 'Jan De Vries'],
    ['accented letters', 'renée', 'Renée'],
    ['an apostrophe', "d'Arcy", "D'Arcy"],
    ['spaces around it', '   Eva  ', 'Eva'],
    ['two letters', 'Bo', 'Bo'],
    ['one prefix is taken off, not two', 'ik ben Mette', 'Mette'],
  ];
  /**
   * Names that begin with one of the prefix words ("met", "naam"): the prefix is stripped even
   * without a space after it (first-name.ts, NAME_PREFIXES ends in \s*), so "Mette" is read as
   * "Te". These fail until the prefix must be followed by a space, ":" or ",". Do not weaken them.
   */
  const prefixBug: [label: string, text: string, name: string][] = [
    ['PREFIX BUG: a name starting with "met"', 'Mette', 'Mette'],
    ['PREFIX BUG: a name starting with "met", lower case', 'metin', 'Metin'],
    ['PREFIX BUG: a name starting with "naam"', 'Naamke', 'Naamke'],
  ];
  const refused: [label: string, text: string][] = [
    ['four words', 'jan willem de vries'],
    ['a sentence', 'Hallo ik heb een vraag over de storing'],
    ['digits', 'Jan2'],
    ['only digits', '0612345678'],
    ['one character', 'J'],
    ['one character after a prefix', 'ik ben J'],
    ['an emoji', '😀'],
    ['a name with an emoji', 'Jan 😀'],
    ['empty', ''],
    ['only spaces', '   '],
    ['an e-mail address', 'jan@bakkerij.nl'],
    ['a question mark', 'Jan?'],
    ['longer than 50 characters', 'a'.repeat(51)],
    ['only a prefix', 'ik ben'],
  ];

  for (const [label, text, name] of accepted) {
    it(`${label}: ${JSON.stringify(text)} -> ${JSON.stringify(name)}`, () => expect(readFirstName(text)).to.equal(name));
  }
  for (const [label, text, name] of prefixBug) {
    it(`${label}: ${JSON.stringify(text)} -> ${JSON.stringify(name)}`, () => expect(readFirstName(text)).to.equal(name));
  }
  for (const [label, text] of refused) {
    it(`refused, ${label}: ${JSON.stringify(text)} -> null`, () => expect(readFirstName(text)).to.equal(null));
  }

  it('takes exactly 50 characters, not 51', () => {
    expect(readFirstName('A'.repeat(50))).to.equal('A'.repeat(50));
    expect(readFirstName('A'.repeat(51))).to.equal(null);
  });
});
