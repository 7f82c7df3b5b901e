/**
 * `yaml`'s parseDocument, with a limit on nesting checked before the document is built. yaml's lexer and
 * parser are iterative, but composing a document recurses once per level: a file nested a few thousand
 * levels deep exhausted the call stack there (caught by yaml as a "Maximum call stack size exceeded" syntax
 * error, or, when V8 was compiling a regular expression at that depth, aborting the process). Measured on
 * the parser's tokens with an explicit stack, the depth is refused first, naming the line.
 *
 * @example
 * const doc = parseYamlDocument(text, { lineCounter, schema: "core" }, "graphs/x.yaml");
 */
import { Composer, Parser, YAMLParseError, type Document, type DocumentOptions, type LineCounter, type ParseOptions, type SchemaOptions } from "yaml";
import { GradstreamError } from "../errors.ts";

/** Far deeper than any graph file needs (a node's attribute is at level 4), far shallower than the stack allows. */
export const MAX_NESTING = 64;

type Options = ParseOptions & DocumentOptions & SchemaOptions & { lineCounter: LineCounter };

export function parseYamlDocument(text: string, options: Options, file: string | undefined, format: "YAML" | "JSON" = "YAML"): Document.Parsed {
  const tokens = [...new Parser(options.lineCounter.addNewLine).parse(text)];
  const deepest = deepestCollection(tokens);
  if (deepest.depth > MAX_NESTING) {
    throw new GradstreamError("GRAPH_SYNTAX", { file, line: options.lineCounter.linePos(deepest.offset).line, message: `not valid ${format}: nested more than ${MAX_NESTING} levels deep` });
  }
  // What parseDocument does with the tokens: the first document, and an error if there are more.
  let doc: Document.Parsed | undefined;
  for (const next of new Composer(options).compose(tokens, true, text.length)) {
    if (!doc) doc = next as Document.Parsed;
    else {
      doc.errors.push(new YAMLParseError(next.range.slice(0, 2) as [number, number], "MULTIPLE_DOCS", "Source contains multiple documents; please use YAML.parseAllDocuments()"));
      break;
    }
  }
  return doc!;
}

interface Token {
  type: string;
  offset: number;
  value?: Token;
  items?: { key?: Token | null; value?: Token | null }[];
}

/** The deepest nesting of collections (block or flow) in the tokens, and where the deepest one starts. */
function deepestCollection(tokens: readonly unknown[]): { depth: number; offset: number } {
  let depth = 0, offset = 0;
  const stack: [Token | null | undefined, number][] = tokens.map((t) => [t as Token, 0]);
  while (stack.length) {
    const [token, outer] = stack.pop()!;
    if (!token) continue;
    if (token.type === "document") {
      stack.push([token.value, outer]);
      continue;
    }
    if (!token.items) continue;
    const level = outer + 1;
    if (level > depth) (depth = level), (offset = token.offset);
    if (level > MAX_NESTING) break;
    for (const item of token.items) stack.push([item.key, level], [item.value, level]);
  }
  return { depth, offset };
}
