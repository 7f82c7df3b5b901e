/**
 * Escapes text for XML/HTML content and attribute values. Ids are identifiers, but names, descriptions,
 * op names and file names come from user files, and an SVG that a browser opens must not run their text.
 *
 * @example
 * escapeXml(`a<b & "c"`) // "a&lt;b &amp; &quot;c&quot;"
 */
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeXml(text: string): string {
  // Control characters other than tab, newline and carriage return are not allowed in XML 1.0 at all: drop
  // them. Tab, carriage return, DEL, C1 and bidi controls are allowed, and written as character references:
  // the same text to a browser, but an SVG sent to a terminal (`render -o -`) cannot drive it.
  // eslint-disable-next-line no-control-regex
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/[&<>"']/g, (c) => ENTITIES[c])
    .replace(/[\t\r\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`);
}
