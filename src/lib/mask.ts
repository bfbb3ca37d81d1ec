/**
 * Masking of personal data for logs, audit records and error texts. Phone numbers keep the
 * country code and the last four digits (+31 6 ****5678); WhatsApp user ids the country and
 * the last four characters (NL.****1918); e-mail addresses keep the first letter and the
 * domain (j***@example.nl).
 */

// 9 to 15 digits, optionally with a leading + or 00, single spaces, dots or dashes between
// digits and brackets around some ("06.12.34.56.78", "(06) 1234 5678", "+31 (0)6 12345678").
// Not preceded or followed by a word character, so ids such as wamid.HBgL... or uuids are left alone.
const PHONE = /(?<![\w.\-/:])(?:\+|00)?\(?\d\)?(?:[ .-]?\(?\d\)?){8,14}(?![\w])/g;
// A business-scoped user id: two capitals, a dot (and ENT for a parent id), ten or more alphanumerics.
const USER_ID = /(?<![\w.])[A-Z]{2}(?:\.ENT)?\.[A-Za-z0-9]{10,128}(?![\w.])/g;
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;

/** Masks one phone number given in any common notation (E.164, wa_id digits, 06...). */
export function maskPhone(phone: string): string {
  let digits = phone.replace(/\D/g, '');
  if (phone.trim().startsWith('00')) digits = digits.slice(2);
  // "+31 (0)6 ...": the trunk 0 written after the country code.
  if (digits.startsWith('310') && digits.length === 12) digits = `31${digits.slice(3)}`;
  if (digits.startsWith('0') && digits.length === 10) digits = `31${digits.slice(1)}`;
  const last4 = digits.slice(-4);
  if (digits.startsWith('31') && digits.length === 11) return `+31 ${digits[2]} ****${last4}`;
  return `+${digits.slice(0, 2)} ****${last4}`;
}

/**
 * Masks a WhatsApp business-scoped user id (a username user's pseudonymous id, personal data
 * all the same): the country code and the last four characters (NL.****1918).
 */
export function maskUserId(userId: string): string {
  return `${userId.slice(0, 2)}.****${userId.slice(-4)}`;
}

/** Masks where a WhatsApp message goes: a number, or a business-scoped user id (letters first). */
export function maskAddress(address: string): string {
  return /^[A-Z]{2}\./.test(address) ? maskUserId(address) : maskPhone(address);
}

/** Masks a contact known by number and/or user id: the number when there is one. */
export function maskContact(contact: { phone: string | null; userId: string | null }): string {
  if (contact.phone) return maskPhone(contact.phone);
  return contact.userId ? maskUserId(contact.userId) : 'onbekend';
}

export function maskEmail(email: string): string {
  return email.replace(EMAIL, (_all, first: string, domain: string) => `${first}***@${domain}`);
}

/** Masks every phone number, WhatsApp user id and e-mail address inside a free text. */
export function maskPersonalData(text: string): string {
  return text
    .replace(EMAIL, (_all, first: string, domain: string) => `${first}***@${domain}`)
    .replace(USER_ID, (match) => maskUserId(match))
    .replace(PHONE, (match) => maskPhone(match));
}

/** Deep copy of a JSON-like value with every string masked; numbers and keys are kept. */
export function maskDeep(value: unknown): unknown {
  if (typeof value === 'string') return maskPersonalData(value);
  if (Array.isArray(value)) return value.map(maskDeep);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = maskDeep(inner);
    return out;
  }
  return value;
}
