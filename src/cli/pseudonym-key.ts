/**
 * `npm run pseudonym-key`: makes a new version of the pseudonymisation key (lib/pseudonym-keys.ts)
 * and prints the whole new value of PSEUDONYM_KEYS: the new version first, every version of the
 * current PSEUDONYM_KEYS after it (they keep matching what they made). Changes nothing itself: the
 * operator puts the line in the service's environment and its password vault (docs/deploy.md,
 * Pseudonymisation key).
 */
import { loadDotEnv } from '../config';
import { newPseudonymSecret, parsePseudonymKeys, type PseudonymKey } from '../lib/pseudonym-keys';

loadDotEnv();
let existing: PseudonymKey[] = [];
const current = process.env.PSEUDONYM_KEYS?.trim();
if (current) {
  try {
    existing = parsePseudonymKeys(current).all;
  } catch (error) {
    process.stderr.write(`PSEUDONYM_KEYS: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
const version = Math.max(0, ...existing.map((key) => key.version)) + 1;
const value = [`${version}:${newPseudonymSecret()}`, ...existing.map((key) => `${key.version}:${key.secret}`)].join(',');
process.stdout.write(`PSEUDONYM_KEYS=${value}\n`);
process.stderr.write(
  existing.length === 0
    ? `version ${version}: put this line in the service's environment (every instance and the tools) and in the password vault, then restart\n`
    : `version ${version} added before ${existing.map((key) => key.version).join(', ')}: replace PSEUDONYM_KEYS on every instance and in the password vault, then restart; keep the older versions (docs/deploy.md, Pseudonymisation key)\n`,
);
