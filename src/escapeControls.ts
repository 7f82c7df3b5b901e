/**
 * Text from a graph or data file (a graph's name, an unknown op, a CSV class name, a file name) shown to a
 * person: control and bidi characters escaped, and the text shortened past `maxLength`. A name holding
 * ESC could otherwise clear the screen or retitle the terminal, U+202E could make a message read backwards,
 * a newline could forge a line of output, and a 100 KB id would make a 100 KB error line.
 *
 * Escaped: C0 controls (`\n`, `\r`, `\t`, `\x1b`, …), DEL and C1 controls (`\x7f`, `\x9b`, …), the bidi
 * controls (`\u202e`, `\u2066`, …, `\u200f`, `\u061c`), the line and paragraph separators, the byte-order
 * mark and lone surrogates. Everything else, including any printable Unicode, is kept.
 *
 * @example
 * escapeControls("planar\x1b[2J")        // "planar\\x1b[2J"
 * escapeControls("abc\u202eevil")         // "abc\\u202eevil"
 * escapeControls("x".repeat(500), 100)   // 100 x's, then "… (400 more characters)"
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** What JSON.stringify leaves raw (it escapes C0 controls and lone surrogates; C0 outside strings is layout). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

export function escapeControls(text: string, maxLength = Infinity): string {
  if (typeof text !== "string") text = String(text); // an issue built by a program may carry a number
  let kept = text;
  let cut = 0;
  if (text.length > maxLength) {
    // Do not split a surrogate pair: it would leave half a character.
    let end = Math.max(0, Math.floor(maxLength));
    if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
    kept = text.slice(0, end);
    cut = text.length - end;
  }
  const escaped = kept.replace(UNSAFE, (c) => NAMED[c] ?? escapeCode(c.charCodeAt(0)));
  return cut ? `${escaped}… (${cut} more characters)` : escaped;
}

/**
 * A JSON text made safe to print: the characters `JSON.stringify` leaves raw but a terminal acts on
 * (DEL, C1 and bidi controls, the separators, the byte-order mark) written as `\uXXXX` escapes, which
 * are the same string to any JSON reader.
 *
 * @example
 * terminalSafeJson(JSON.stringify({ name: "a\u202eb" })) // '{"name":"a\\u202eb"}'
 */
export function terminalSafeJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function escapeCode(code: number): string {
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
