/**
 * CI step: validates every card the bot can build against the official Adaptive Cards 1.5 JSON
 * schema (microsoft/AdaptiveCards schemas/1.5.0/adaptive-card.json), given as an argument.
 * Usage: node dist/scripts/validate-cards.js <path to adaptive-card-1.5.json>
 */
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { allCards } from './card-catalog';

function main(): void {
  const schemaPath = process.argv[2];
  if (!schemaPath) throw new Error('usage: validate-cards <adaptive-card-1.5.json>');
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
  // The schema uses draft-06 and a top-level "id"; ajv 8 wants "$id".
  if (schema.id && !schema.$id) {
    schema.$id = schema.id;
    delete schema.id;
  }
  const ajv = new Ajv({ strict: false, allErrors: true });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a JSON file inside ajv's package, not exported for import
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
  addFormats(ajv);
  const validate = ajv.compile(schema);
  let failures = 0;
  for (const [name, card] of Object.entries(allCards())) {
    if (validate(card)) {
      process.stdout.write(`ok   ${name}\n`);
    } else {
      failures += 1;
      process.stdout.write(`FAIL ${name}: ${ajv.errorsText(validate.errors)}\n`);
    }
  }
  const broken = { ...allCards().help, body: [{ type: 'TextBlok', text: 'misspelt' }] };
  if (validate(broken)) throw new Error('the schema accepted a misspelt element: the check is not working');
  process.stdout.write(`${Object.keys(allCards()).length - failures} passed, ${failures} failed\n`);
  if (failures > 0) process.exit(1);
}

main();
