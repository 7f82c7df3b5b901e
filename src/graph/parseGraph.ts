/**
 * Reads a graph file (YAML or JSON), validates it against the schema and the graph rules, and returns a
 * `Graph` with shapes inferred. Every mistake in the file is reported at once, each naming the file, the
 * node, the field and the line.
 *
 * @example
 * const graph = parseGraph(text, "yaml", "graphs/planar-tanh.yaml");
 * graph.shapes.get("Z1") // [4, "m"]
 */
import { LineCounter, isCollection, isNode, isMap, isScalar, visit, type Document } from "yaml";
import { parseYamlDocument } from "./parseYamlDocument.ts";
import { GradstreamError, RESERVED_IDS, type Issue } from "../errors.ts";
import type { Graph } from "./graph.ts";
import { graphFileSchema, idSchema, inputSchema, nodeSchema, paramSchema, type GraphFile } from "./schema.ts";
import { buildGraph } from "./buildGraph.ts";
import { lineIndex } from "./lineIndex.ts";

/** Graph files larger than this are refused before they are parsed. */
export const MAX_GRAPH_FILE_BYTES = 4 * 1024 * 1024;

export function parseGraph(text: string, format: "yaml" | "json", source?: string): Graph {
  const file = source;
  if (typeof text !== "string") throw new GradstreamError("USAGE", { file, message: `parseGraph: the graph text must be a string, got ${text === null ? "null" : typeof text}` });
  if (format !== "yaml" && format !== "json") throw new GradstreamError("USAGE", { file, message: `parseGraph: the format is "yaml" or "json", got ${JSON.stringify(String(format)).slice(0, 60)}` });
  const lines = new LineCounter();
  // JSON is read by the YAML parser too (it is a subset): one parser gives line numbers and refuses
  // duplicate keys in both formats, which JSON.parse would silently let the last one win.
  // Duplicate keys are found by `duplicateKeys` below rather than the parser's uniqueKeys option, whose
  // pairwise check is quadratic in a map's size (minutes for a 4 MiB file of nodes).
  const doc = parseYamlDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false, schema: format === "json" ? "json" : "core" }, file, format === "json" ? "JSON" : "YAML");
  const syntax: Issue[] = doc.errors.map((e) => ({ file, line: lines.linePos(e.pos[0]).line, message: `not valid ${format === "json" ? "JSON" : "YAML"}: ${e.message.split("\n")[0]}` }));
  if (!syntax.length) syntax.push(...duplicateKeys(doc, lines, file));
  // The parser can report one mistake twice (once per stage that meets it); say it once.
  const said = new Set<string>();
  const unique = syntax.filter((issue) => !said.has(`${issue.line}\u0000${issue.message}`) && said.add(`${issue.line}\u0000${issue.message}`));
  if (unique.length) throw new GradstreamError("GRAPH_SYNTAX", unique);
  const lineOf = lineIndex(doc, lines);

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // yaml refuses documents whose aliases expand exponentially (an "alias bomb"); that is the file's fault.
    throw new GradstreamError("GRAPH_SYNTAX", { file, message: `cannot be read: ${(e as Error).message.split("\n")[0]}` });
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new GradstreamError("GRAPH_INVALID", { file, message: "a graph file is a mapping with gradstream, name, inputs, params, nodes and loss" });
  }
  // The top level first, then each entry of each section on its own: a broken entry is reported and left
  // out, and the rest of the file is still checked, so one run names every mistake.
  const issues: Issue[] = [];
  const top = graphFileSchema.safeParse(raw);
  const report = (zodIssues: readonly ZodIssueLike[], prefix: (string | number)[] = []) => {
    for (const i of zodIssues) issues.push(schemaIssue({ ...i, path: [...prefix, ...i.path] }, file, lineOf));
  };
  if (!top.success) report(top.error.issues.filter((i) => i.code !== "invalid_key")); // ids are checked below, uniformly
  if (!top.success && !sectionsReadable(raw)) throw new GradstreamError("GRAPH_INVALID", issues);

  const rawFile = raw as Record<string, unknown>;
  const broken = new Set<string>();
  const sections: Record<string, Record<string, unknown>> = {};
  for (const [section, schema] of [["inputs", inputSchema], ["params", paramSchema], ["nodes", nodeSchema]] as const) {
    const entries = (rawFile[section] ?? {}) as Record<string, unknown>;
    const valid: Record<string, unknown> = Object.create(null);
    for (const id of Object.keys(entries)) {
      const idCheck = idSchema.safeParse(id);
      if (!idCheck.success) {
        issues.push(schemaIssue({ code: "invalid_key", path: [section, id], message: "" }, file, lineOf));
        continue;
      }
      const value = entries[id];
      // A `__proto__` key is an own property of what the YAML parser returns, but an object copy (the
      // schema's, a spread) turns it into a prototype and drops it: a node's attribute would vanish silently.
      // (Inputs and params are strict objects: the schema reports it as an unknown field.)
      if (section === "nodes" && typeof value === "object" && value !== null && Object.hasOwn(value, "__proto__")) {
        issues.push({ file, node: id, field: "__proto__", line: lineOf([section, id, "__proto__"]), message: "'__proto__' is not allowed as a field: it names an object's prototype, not an attribute" });
        broken.add(id);
        continue;
      }
      const entry = schema.safeParse(value);
      if (entry.success) valid[id] = entry.data;
      else broken.add(id);
    }
    sections[section] = valid;
  }
  // Only what building the graph needs stops here; an unknown top-level field or a wrong version is
  // already reported and must not hide the mistakes in the nodes.
  const parsedTop = graphFileSchema.pick({ name: true, description: true, loss: true }).strip().safeParse(rawFile);
  if (!parsedTop.success) throw new GradstreamError("GRAPH_INVALID", sortByLine(issues));
  const fileData = { ...parsedTop.data, ...sections } as GraphFile;
  const built = buildGraph(fileData, source, broken);
  issues.push(...built.issues.map(({ path, ...rest }) => ({ file, line: lineOf(path), ...rest })));
  if (issues.length || !built.graph) throw new GradstreamError("GRAPH_INVALID", sortByLine(issues));
  const warnings = (built.warnings ?? []).map(({ path, ...rest }) => ({ file, line: path.length ? lineOf(path) : undefined, ...rest }));
  return { ...built.graph, warnings };
}

function sectionsReadable(raw: object): boolean {
  const r = raw as Record<string, unknown>;
  return ["inputs", "params", "nodes"].every((s) => r[s] === undefined || (typeof r[s] === "object" && r[s] !== null && !Array.isArray(r[s])));
}

function sortByLine(issues: Issue[]): Issue[] {
  return issues.map((issue, i) => ({ issue, i })).sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.i - b.i).map((x) => x.issue);
}

/**
 * The format of a graph file from its name: `.json` is JSON, `.yaml` and `.yml` are YAML; any other name is
 * refused, naming it. Shared by the Node loader (paths) and the browser loader (URLs).
 *
 * @example
 * graphFormatOf("graphs/planar-tanh.yaml") // "yaml"
 */
export function graphFormatOf(name: string): "yaml" | "json" {
  const base = name.replace(/[?#].*$/, "");
  const ext = base.slice(base.lastIndexOf(".")).toLowerCase();
  if (ext === ".json") return "json";
  if (ext === ".yaml" || ext === ".yml") return "yaml";
  throw new GradstreamError("USAGE", { file: name, message: "a graph file ends in .yaml, .yml or .json" });
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
}

const SECTIONS = new Set(["inputs", "params", "nodes"]);

function schemaIssue(issue: ZodIssueLike, file: string | undefined, lineOf: (p: (string | number)[]) => number | undefined): Issue {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)) as (string | number)[];
  let node: string | undefined;
  let fieldPath = path;
  if (typeof path[0] === "string" && SECTIONS.has(path[0]) && path.length >= 2) {
    node = String(path[1]);
    fieldPath = path.slice(2);
  }
  let message = issue.message;
  if (issue.code === "unrecognized_keys" && issue.keys) {
    message = `unknown field${issue.keys.length > 1 ? "s" : ""} '${issue.keys.join("', '")}'`;
    fieldPath = [...fieldPath, issue.keys[0]];
  } else if (issue.code === "invalid_key") {
    message = `'${String(path[path.length - 1])}' is not a valid id: an id is an identifier (a letter or _ then letters, digits or _) and not one of the reserved names ${[...RESERVED_IDS].join(", ")}`;
    fieldPath = [];
  } else if (message.startsWith("Invalid input: expected") && message.endsWith("received undefined")) {
    message = `'${String(path[path.length - 1])}' is required`;
  }
  const field = fieldPath.map((p, i) => (typeof p === "number" ? `[${p}]` : i ? `.${p}` : p)).join("") || undefined;
  // An unknown key's issue sits on the object holding it; its line is the key's own.
  const linePath = issue.code === "unrecognized_keys" && issue.keys ? [...path, issue.keys[0]] : path;
  return { file, node, field, line: lineOf(linePath), message };
}

/**
 * Every key that appears twice in one mapping, anywhere in the document, with the line of the repeat; and
 * every key that is itself a collection (`? [3, m]`, `{ [a]: 1 }`), which no graph file has and which the
 * YAML library would stringify with a process warning.
 */
function duplicateKeys(doc: Document, lines: LineCounter, file: string | undefined): Issue[] {
  const issues: Issue[] = [];
  visit(doc, {
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (isCollection(pair.key)) {
          const at = pair.key.range ? lines.linePos(pair.key.range[0]).line : undefined;
          issues.push({ file, line: at, message: "a mapping key must be a name, not a list or a mapping" });
          continue;
        }
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const at = isNode(pair.key) && pair.key.range ? lines.linePos(pair.key.range[0]).line : undefined;
        issues.push({ file, line: at, message: `duplicate key '${String(key)}': a key may appear only once in a mapping` });
      }
    },
  });
  return issues;
}
