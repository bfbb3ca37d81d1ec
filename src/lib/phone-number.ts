/**
 * A phone number as Dutch staff type it, as WhatsApp's id for it (digits, country code first):
 * 06-12345678, 06 1234 5678, 0612345678, +31 6 12 34 56 78, +31 (0)6 1234 5678, +31 06 12345678,
 * 0031 6 12345678, 31612345678, 6 12345678. Another country's number needs its + or 00.
 * null when the text cannot be a number.
 */
const SEPARATORS = /[\s\-./]/g;

export function readPhoneNumber(typed: string): string | null {
  // "(0)" after a country code is the trunk prefix written out of habit: it is not dialled.
  let text = typed.trim().replace(/^(\+|00)(\d{1,3})\s*\(0\)/, '$1$2');
  text = text.replace(/[()]/g, '').replace(SEPARATORS, '');
  let international: string;
  if (text.startsWith('+')) international = text.slice(1);
  else if (text.startsWith('00')) international = text.slice(2);
  else if (text.startsWith('0')) {
    // A national number: the trunk 0 and nine digits, nothing else.
    if (!/^0[1-9]\d{8}$/.test(text)) return null;
    international = `31${text.slice(1)}`;
  }
  else if (/^[1-9]\d{8}$/.test(text)) international = `31${text}`;
  else international = text;
  if (!/^\d{8,15}$/.test(international)) return null;
  // A Dutch number with its trunk 0 kept after +31 (+31 06 ...): 12 digits where 11 belong.
  if (/^310[1-9]\d{8}$/.test(international)) international = `31${international.slice(3)}`;
  // Dutch numbers have nine digits after the country code; anything else is a typo.
  if (international.startsWith('31') && international.length !== 11) return null;
  return international;
}
