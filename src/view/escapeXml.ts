/**
 * Escapes text for XML/HTML content and attribute values. Ids are identifiers, but names, descriptions,
 * op names and file names come from user files, and an SVG that a browser opens must not run their text.
 *
 * @example
 * escapeXml(`a<b & "c"`) // "a&lt;b &amp; &quot;c&quot;"
 */
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeXml(text: string): string {
  // Control characters other than tab and newline are not allowed in XML 1.0 at all: drop them.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "").replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
