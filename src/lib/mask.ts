/**
 * Masking of personal data for logs, audit records and error texts. Phone numbers keep the
 * country code and the last four digits (+31 6 ****5678); e-mail addresses keep the first
 * letter and the domain (j***@example.nl).
 */

// 9 to 15 digits, optionally with a leading + or 00, single spaces, dots or dashes between
// digits and brackets around some ("06.12.34.56.78", "(06) 1234 5678", "+31 (0)6 12345678").
// Not preceded or followed by a word character, so ids such as wamid.HBgL... or uuids are left alone.
const PHONE = /(?<![\w.\-/:])(?:\+|00)?\(?\d\)?(?:[ .-]?\(?\d\)?){8,14}(?![\w])/g;
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

export function maskEmail(email: string): string {
  return email.replace(EMAIL, (_all, first: string, domain: string) => `${first}***@${domain}`);
}

/** Masks every phone number and e-mail address inside a free text. */
export function maskPersonalData(text: string): string {
  return text.replace(EMAIL, (_all, first: string, domain: string) => `${first}***@${domain}`).replace(PHONE, (match) => maskPhone(match));
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
