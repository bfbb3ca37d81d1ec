/**
 * The pseudonymisation key: what keys the hashes that stand in for a person where the number
 * itself may not be kept (the erasure log's tombstones, the sign-up counters, the hashed message
 * ids of forgotten deliveries). It is our own secret (PSEUDONYM_KEYS), never a credential of Meta,
 * Microsoft or the mail server: rotating one of those (Meta advises it after a leak) must not
 * change a single hash, and whoever learns a credential must not be able to turn the erasure log
 * back into numbers (all Dutch mobile numbers are hashed in seconds).
 *
 * Versioned: `PSEUDONYM_KEYS=2:<secret>,1:<older secret>`. New hashes are made with the highest
 * version; every version still matches, so a rotation loses nothing. Each key has an id (its
 * version and a fingerprint that reveals nothing of the secret), which every erasure-log line
 * records: a line is only ever matched with the very key that made it.
 *
 * Version 0 is the legacy key: before this key existed the hashes were keyed with the WhatsApp app
 * secret, and lines of that time carry no key id. Listing `0:<the app secret of that time>` keeps
 * them matchable (docs/deploy.md, Pseudonymisation key).
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface PseudonymKey {
  version: number;
  secret: string;
  /** `<version>:<fingerprint>`, written beside each hash that must be matched later. */
  id: string;
}

export interface PseudonymKeys {
  /** The key new hashes are made with (the highest version). */
  current: PseudonymKey;
  /** Every version, newest first: a hash made with any of them is recognised. */
  all: PseudonymKey[];
  /** The development key built into the code (npm start, tests): never in production. */
  builtIn: boolean;
}

export const LEGACY_VERSION = 0;
const MIN_SECRET_LENGTH = 32;

function fingerprint(secret: string): string {
  return createHmac('sha256', secret).update('storingsmelder pseudonym key id').digest('hex').slice(0, 8);
}

function makeKey(version: number, secret: string): PseudonymKey {
  return { version, secret, id: `${version}:${fingerprint(secret)}` };
}

/**
 * Reads `version:secret` pairs, comma-separated. Throws one sentence on bad input (config.ts
 * names the variable). Secrets of version 1 and up are at least 32 characters (a generated one is
 * 43); the legacy version 0 holds whatever the app secret was.
 */
export function parsePseudonymKeys(text: string): PseudonymKeys {
  const keys: PseudonymKey[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const match = /^(\d{1,6}):(\S+)$/.exec(part);
    if (!match) throw new Error('expected version:secret pairs separated by commas, e.g. 2:<new secret>,1:<old secret> (npm run pseudonym-key makes one)');
    const version = Number(match[1]);
    if (keys.some((k) => k.version === version)) throw new Error(`version ${version} is listed twice`);
    if (version !== LEGACY_VERSION && match[2].length < MIN_SECRET_LENGTH) throw new Error(`the secret of version ${version} is shorter than ${MIN_SECRET_LENGTH} characters (npm run pseudonym-key makes one)`);
    keys.push(makeKey(version, match[2]));
  }
  if (keys.length === 0) throw new Error('expected at least one version:secret pair (npm run pseudonym-key makes one)');
  keys.sort((a, b) => b.version - a.version);
  if (keys[0].version === LEGACY_VERSION) throw new Error('version 0 is only the old app secret, for matching: add a key of version 1 or higher for new hashes (npm run pseudonym-key)');
  return { current: keys[0], all: keys, builtIn: false };
}

/**
 * The development key, for npm start and the tests only (config.ts decides where it may be used).
 * Its version 0 is the development app secret the hashes were keyed with before.
 */
export function builtInPseudonymKeys(): PseudonymKeys {
  const keys = [makeKey(1, 'local-pseudonym-key-for-development-only'), makeKey(LEGACY_VERSION, 'local-app-secret')];
  return { current: keys[0], all: keys, builtIn: true };
}

/** A fresh secret for a new version (npm run pseudonym-key). */
export function newPseudonymSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The key that made a hash, by the id written beside it (absent in lines from before key ids: the legacy version). */
export function keyById(keys: PseudonymKeys, id: string | undefined): PseudonymKey | undefined {
  if (id === undefined) return keys.all.find((k) => k.version === LEGACY_VERSION);
  return keys.all.find((k) => k.id === id);
}
