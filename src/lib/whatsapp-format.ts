/**
 * WhatsApp's text formatting (*bold*, _italic_, ~strikethrough~, ```monospace```) shown
 * elsewhere as the subscriber will see it: as HTML on the playground's phones, and as Adaptive
 * Card markdown in the staff preview (where *x* would otherwise be italic). A marker counts only
 * at word edges, as in WhatsApp: "5 * 3 * 2" stays as it is.
 */

const BEFORE = `(^|[\\s([{"'.,;:!?-])`;
const AFTER = `(?=$|[\\s)\\]}"'.,;:!?-])`;

function marked(marker: string): RegExp {
  const m = marker.replace(/[*~`]/g, (c) => `\\${c}`);
  return new RegExp(`${BEFORE}${m}(?!\\s)([^\\n]*?[^\\s\\n])${m}${AFTER}`, 'g');
}

const MONO = marked('```');
const BOLD = marked('*');
const ITALIC = marked('_');
const STRIKE = marked('~');

/** For text content only (never an attribute): quotes stay, so the edge rules still see them. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c);
}

/** HTML for a WhatsApp text; line breaks stay "\n" (show it with white-space: pre-wrap). */
export function whatsappToHtml(text: string): string {
  return escapeHtml(text)
    .replace(MONO, '$1<code>$2</code>')
    .replace(BOLD, '$1<strong>$2</strong>')
    .replace(ITALIC, '$1<em>$2</em>')
    .replace(STRIKE, '$1<s>$2</s>');
}

/**
 * One line of WhatsApp text as Adaptive Card markdown, which knows **bold** and _italic_ only:
 * strikethrough and monospace keep their text without the markers.
 */
export function whatsappToCardMarkdown(line: string): string {
  return line.replace(MONO, '$1$2').replace(STRIKE, '$1$2').replace(BOLD, '$1**$2**');
}
