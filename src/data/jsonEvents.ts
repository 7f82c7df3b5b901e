/**
 * Reads JSON as a stream of events (open/close object and array, key, scalar) without building the document:
 * @streamparser/json's tokenizer turns the bytes into tokens, and this checks the grammar between them,
 * refuses a key repeated in one object (JSON.parse would keep the last), nesting deeper than `maxDepth`
 * (with an explicit stack, so depth never reaches the call stack) and strings longer than `maxString`. A
 * mistake is a GradstreamError naming the file and the line. A byte-order mark is skipped.
 *
 * @example
 * const json = jsonEvents({ scalar: (v) => console.log(v) }, { file: "data.json" });
 * json.write(new TextEncoder().encode('{"a": [1, 2]}'));
 * json.end(); // logs 1, 2
 */
import { Tokenizer, TokenizerError, TokenType } from "@streamparser/json";
import { GradstreamError } from "../errors.ts";

export type JsonScalar = number | string | boolean | null;

/** The most characters a number may have (a float64 needs at most about 25). */
const MAX_NUMBER = 1000;

/** What the events go to; every callback is optional. `line()` gives the line of the current token. */
export interface JsonHandler {
  openObject?(): void;
  closeObject?(): void;
  openArray?(): void;
  closeArray?(): void;
  key?(name: string): void;
  scalar?(value: JsonScalar): void;
}

export interface JsonEventOptions {
  file?: string;
  /** Objects and arrays nested deeper than this are refused. Default 64. */
  maxDepth?: number;
  /** Strings (keys included) longer than this many characters are refused. Default 64 Ki. */
  maxString?: number;
}

export interface JsonEvents {
  /** The next bytes of the document (UTF-8); a chunk may end anywhere. */
  write(bytes: Uint8Array): void;
  /** The document is complete: refuses one that stops early. */
  end(): void;
  /** The 1-based line of the token being handled (for the handler's own messages). */
  line(): number;
}

/** Where in its container the next token is. */
const enum Expect {
  Value, // a value (top level, after ':' or after ',' in an array)
  ValueOrClose, // just after '[': a value or ']'
  KeyOrClose, // just after '{': a key or '}'
  Key, // after ',' in an object
  Colon,
  CommaOrClose,
  Nothing, // after the top-level value
}

interface Frame {
  readonly object: boolean;
  /** Keys seen in this object (objects only). */
  readonly keys: Set<string> | undefined;
}

export function jsonEvents(handler: JsonHandler, options: JsonEventOptions = {}): JsonEvents {
  const { file } = options;
  const maxDepth = options.maxDepth ?? 64;
  const maxString = options.maxString ?? 64 * 1024;
  const stack: Frame[] = [];
  let expect = Expect.Value;

  // Lines: newlines counted in every chunk written before the current one; the current and the previous
  // chunk are kept so the line of a token that began in either can be worked out when a message needs it.
  let chunk: Uint8Array = new Uint8Array(0), chunkStart = 0, linesBefore = 0;
  let previous: Uint8Array = new Uint8Array(0), previousStart = 0, linesBeforePrevious = 0;
  let tokenOffset = 0;
  let numberTooLong: number | undefined;
  const lineAt = (offset: number): number => {
    if (offset >= chunkStart) return linesBefore + newlines(chunk, offset - chunkStart) + 1;
    if (offset >= previousStart) return linesBeforePrevious + newlines(previous, offset - previousStart) + 1;
    return linesBeforePrevious + 1;
  };
  const fail = (message: string, offset = tokenOffset): never => {
    throw new GradstreamError("DATA_INVALID", { file, line: lineAt(offset), message: `not valid JSON: ${message}` });
  };

  const afterValue = () => {
    expect = stack.length ? Expect.CommaOrClose : Expect.Nothing;
  };
  const startValue = () => {
    if (expect === Expect.Value || expect === Expect.ValueOrClose) return;
    const container = stack[stack.length - 1]?.object ? "}" : "]";
    fail(
      expect === Expect.Nothing ? "more after the end of the document"
      : expect === Expect.Colon ? "a ':' is missing after the key"
      : expect === Expect.CommaOrClose ? `a ',' or '${container}' is missing before this value`
      : "expected a key (a string in double quotes)",
    );
  };
  const open = (object: boolean) => {
    startValue();
    if (stack.length >= maxDepth) fail(`nested deeper than ${maxDepth} levels`);
    stack.push({ object, keys: object ? new Set() : undefined });
    expect = object ? Expect.KeyOrClose : Expect.ValueOrClose;
    if (object) handler.openObject?.();
    else handler.openArray?.();
  };
  const close = (object: boolean) => {
    const top = stack[stack.length - 1];
    const may = object ? expect === Expect.KeyOrClose || expect === Expect.CommaOrClose : expect === Expect.ValueOrClose || expect === Expect.CommaOrClose;
    if (!top || top.object !== object || !may) fail(`unexpected '${object ? "}" : "]"}'`);
    stack.pop();
    afterValue();
    if (object) handler.closeObject?.();
    else handler.closeArray?.();
  };

  const tokenizer = new Tokenizer({ emitPartialTokens: true, numberBufferSize: 64 });
  tokenizer.onToken = ({ token, value, offset, partial }) => {
    tokenOffset = offset;
    if (partial) {
      // A string or number cut by the end of a chunk: only its length so far matters (a hostile file may
      // hold one string of hundreds of megabytes).
      if (typeof value === "string" && value.length > maxString) fail(`a string longer than ${maxString} characters`);
      // A number's digits are gathered in one string too (hundreds of megabytes of digits would pass V8's
      // longest string). The tokenizer ignores what a partial number's handler throws: refused after the write.
      if (token === TokenType.NUMBER && chunkStart + chunk.length - offset > MAX_NUMBER) numberTooLong = offset;
      return;
    }
    switch (token) {
      case TokenType.LEFT_BRACE:
        return open(true);
      case TokenType.LEFT_BRACKET:
        return open(false);
      case TokenType.RIGHT_BRACE:
        return close(true);
      case TokenType.RIGHT_BRACKET:
        return close(false);
      case TokenType.COLON:
        if (expect !== Expect.Colon) fail("unexpected ':'");
        expect = Expect.Value;
        return;
      case TokenType.COMMA:
        if (expect !== Expect.CommaOrClose) fail("unexpected ','");
        expect = stack[stack.length - 1].object ? Expect.Key : Expect.Value;
        return;
      case TokenType.STRING:
        if ((value as string).length > maxString) fail(`a string longer than ${maxString} characters`);
        if (expect === Expect.Key || expect === Expect.KeyOrClose) {
          const keys = stack[stack.length - 1].keys!;
          const name = value as string;
          if (keys.has(name)) fail(`duplicate key '${name.length > 40 ? name.slice(0, 40) + "…" : name}': a key may appear only once in an object`);
          keys.add(name);
          expect = Expect.Colon;
          handler.key?.(name);
          return;
        }
        startValue();
        afterValue();
        handler.scalar?.(value as string);
        return;
      default:
        startValue();
        afterValue();
        handler.scalar?.(value as JsonScalar);
    }
  };
  tokenizer.onError = (e) => {
    // Only the tokenizer's own errors are the file's fault; anything else (a handler's) goes on as it is.
    if (!(e instanceof TokenizerError)) throw e;
    // "Unexpected "x" at chunk position "3" (absolute position "103") in state …": keep what, give the line.
    const at = /absolute position "(\d+)"/.exec(e.message);
    const what = /^Unexpected "(.*?)"/s.exec(e.message);
    if (/Unexpected end|ended in the middle/i.test(e.message)) fail("the file ends in the middle of the document", chunkStart + chunk.length);
    fail(what ? `unexpected ${JSON.stringify(what[1])}` : e.message.split(/ at | in state /)[0], at ? Number(at[1]) : tokenOffset);
  };

  return {
    write(bytes) {
      linesBeforePrevious = linesBefore;
      linesBefore += newlines(chunk, chunk.length);
      previous = chunk;
      previousStart = chunkStart;
      chunkStart += chunk.length;
      chunk = bytes;
      tokenizer.write(bytes);
      if (numberTooLong !== undefined) fail(`a number longer than ${MAX_NUMBER} characters`, numberTooLong);
    },
    end() {
      if (!tokenizer.isEnded) tokenizer.end();
      if (stack.length || expect !== Expect.Nothing) fail("the file ends in the middle of the document", chunkStart + chunk.length);
    },
    line: () => lineAt(tokenOffset),
  };
}

function newlines(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i >= 0 && i < end; i = bytes.indexOf(10, i + 1)) n++;
  return n;
}
