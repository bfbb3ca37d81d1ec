/**
 * The declarations the architecture test (architecture.test.ts) checks the source against, kept
 * apart so that docs/architecture.md's dependency rules are generated from them (scripts/docs.ts)
 * and cannot drift: a test (docs.test.ts) fails when the document differs.
 */

/**
 * Every folder under services/ and the folders it may import. The machinery (ledger, email,
 * audit) and the registry import no other folder; the domain folders import in one direction.
 */
export const SERVICE_FOLDERS: Record<string, string[]> = {
  // The door (types only) and its implementation, the top of services/: nothing may import the desk.
  'staff-services': [],
  'staff-desk': ['access', 'audit', 'email', 'ledger', 'notices', 'privacy', 'signup', 'staff-services'],
  access: ['audit', 'staff-services'],
  audit: [],
  email: [],
  ledger: [],
  registry: [],
  notices: ['audit', 'ledger', 'privacy'],
  dispatcher: ['ledger', 'notices', 'privacy'],
  privacy: ['audit', 'email', 'ledger', 'registry'],
  signup: ['email', 'ledger', 'privacy', 'registry'],
  stats: ['ledger', 'notices'],
};

/**
 * Where a domain folder may use another domain folder, file by file: opting out in the
 * conversation is an erasure (privacy); the dispatcher sends the notice's template and moves a
 * notice's sending state; the tab's figures include the WhatsApp account's state and name the outages.
 */
export const SEAMS: Record<string, string[]> = {
  // ... and one person's two rows become one when a message names both identities.
  'signup->privacy': ['services/privacy/erasure', 'services/privacy/erasure-log', 'services/privacy/contact-counters', 'services/privacy/person-merge'],
  // After a database restore nothing is sent until the opt-outs since the backup are applied again.
  'notices->privacy': ['services/privacy/erasure-log'],
  'dispatcher->privacy': ['services/privacy/erasure-log'],
  'dispatcher->notices': ['services/notices/notice-template', 'services/notices/notice-lifecycle'],
  // The tab names the outage of each notice as the staff cards do.
  'stats->notices': ['services/notices/whatsapp-account', 'services/notices/notice-template'],
};

