/**
 * R11 on what people really type: the labelled corpora in test/fixtures/words/ (written from
 * what subscribers of a Dutch ISP send, not from the reader) run through readIntent. The test
 * prints precision and recall per intent, and holds the two promises of the design: no message
 * that is not an opt-out erases anyone, and every plain opt-out is honoured.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readIntent, type Intent } from '../../../src/services/signup/opt-out-text';

type Label = 'opt_out' | 'confirm' | 'status_question' | 'other';
interface Entry {
  text: string;
  label: Label;
  why: string;
}

const INTENT_OF: Record<Label, Intent> = { opt_out: 'optOut', confirm: 'confirm', status_question: 'status', other: 'other' };
const WORDS = path.resolve(__dirname, '../../../../test/fixtures/words');
const corpus = (name: string) => JSON.parse(readFileSync(path.join(WORDS, name), 'utf8')) as Entry[];

/** Precision and recall of one intent, and the messages it got wrong. */
function score(entries: Entry[], intent: Intent): { precision: number; recall: number; missed: string[]; wrong: string[] } {
  const read = entries.map((e) => ({ ...e, got: readIntent(e.text), want: INTENT_OF[e.label] }));
  const predicted = read.filter((e) => e.got === intent);
  const actual = read.filter((e) => e.want === intent);
  const hits = predicted.filter((e) => e.want === intent).length;
  return {
    precision: predicted.length ? hits / predicted.length : 1,
    recall: actual.length ? hits / actual.length : 1,
    missed: actual.filter((e) => e.got !== intent).map((e) => `${e.text} (read as ${e.got})`),
    wrong: predicted.filter((e) => e.want !== intent).map((e) => `${e.text} (labelled ${e.label})`),
  };
}

function report(name: string, entries: Entry[]): void {
  const counts = Object.fromEntries((['opt_out', 'confirm', 'status_question', 'other'] as Label[]).map((l) => [l, entries.filter((e) => e.label === l).length]));
  process.stdout.write(`      ${name}: ${entries.length} messages ${JSON.stringify(counts)}\n`);
  for (const intent of ['optOut', 'confirm', 'status', 'other'] as Intent[]) {
    const s = score(entries, intent);
    process.stdout.write(`        ${intent.padEnd(8)} precision ${s.precision.toFixed(3)} recall ${s.recall.toFixed(3)}\n`);
  }
}

// Four corpora, each written by a different hand that saw neither the reader nor the others;
// B, C and D were first read blind (their first-read figures: test/fixtures/words/README.md).
for (const [name, file] of [
  ['corpus A', 'opt-out-corpus.json'],
  ['corpus B', 'opt-out-heldout.json'],
  ['corpus C', 'opt-out-blind.json'],
  ['corpus D', 'opt-out-d.json'],
] as const) {
  describe(`reading opt-outs: ${name}`, () => {
    const entries = corpus(file);

    it('is a corpus of realistic size and every label', () => {
      expect(entries.length).to.be.at.least(100);
      for (const label of Object.keys(INTENT_OF)) expect(entries.filter((e) => e.label === label).length, label).to.be.at.least(15);
      report(name, entries);
    });

    it('erases nobody who did not ask to leave: no question, complaint or negation is read as an opt-out', () => {
      expect(score(entries, 'optOut').wrong).to.deep.equal([]);
    });

    it('honours every plain opt-out', () => {
      expect(score(entries, 'optOut').missed).to.deep.equal([]);
    });

    it('asks for a confirmation, rather than erasing or ignoring, when a wish to leave is not plain', () => {
      // Not a promise to the letter (a soft class): most of them, and none erased (the test above).
      expect(score(entries, 'confirm').recall).to.be.at.least(0.8);
    });
  });
}

describe('reading opt-outs: the review probes (adversarial phrasings a reviewer tried against the reader)', () => {
  const entries = corpus('opt-out-probes.json');
  it('erases nobody they do not ask to leave, and honours the plain ones among them', () => {
    report('the probes', entries);
    expect(score(entries, 'optOut').wrong).to.deep.equal([]);
    expect(score(entries, 'optOut').missed).to.deep.equal([]);
  });
});
