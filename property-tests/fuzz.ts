/**
 * The fuzz suite's harness: fast-check arbitraries that mutate the shipped graphs (graphs/) and data files
 * (data/), and CSVs and command lines built from them; a runner that runs a case through the command line
 * (in this process by `main()`, or as a real child process of the built CLI with its peak memory); and
 * the one assertion every outcome must pass (`assertOutcome`):
 * - the exit status is 0, 1 or 2 (3 means gradstream itself failed);
 * - no stack trace, no "internal error";
 * - nothing a terminal acts on (control and bidi characters) in the output;
 * - every message names the file it is about (when the command line itself is valid);
 * - the case took less than a time bound, and a child process peaked under the case's memory budget
 *   (`--max-memory`, default 1 GiB) plus a fixed allowance for Node, the modules and the file being read.
 *
 * Mutations: structure (values replaced by hostile ones, keys deleted, renamed to reserved or unicode names,
 * subtrees copied, nested deep), types, sizes (dimensions up to 2²⁰, shapes of 10⁶ elements), unicode
 * (controls, bidi, astral, lone surrogates), YAML features (anchors and aliases, tags, several documents,
 * flow and block style, alias bombs, a byte-order mark) and text edits (insertions, deletions, truncation).
 *
 * @example
 * fc.assert(fc.asyncProperty(fuzzCase, async (c) => assertOutcome(c, await runInProcess(c, dir))));
 */
import fc from "fast-check";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { format } from "node:util";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { main } from "../src/cli/main.ts";
import { opNames } from "../src/ops/registry.ts";
import { escapeControls } from "../src/escapeControls.ts";
import { memorySize } from "../src/cli/options.ts";
import { DEFAULT_MAX_MEMORY } from "../src/graph/memoryBudget.ts";

const REPO = fileURLToPath(new URL("../", import.meta.url));

// ---- the corpus ---------------------------------------------------------------------------------------

const GRAPHS = readdirSync(join(REPO, "graphs"))
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => ({ name: f, text: readFileSync(join(REPO, "graphs", f), "utf8") }));
const DATA = ["planar-small.json", "planar_flower.json"].map((f) => ({ name: f, text: readFileSync(join(REPO, "data", f), "utf8") }));
/** A CSV from the flower data: two features and a 0/1 label, as `train --data x.csv` reads it. */
const FLOWER_CSV = (() => {
  const { inputs } = JSON.parse(DATA[1].text) as { inputs: { X: number[][]; Y: number[][] } };
  const rows = inputs.X[0].slice(0, 40).map((x, j) => `${x},${inputs.X[1][j]},${inputs.Y[0][j]}`);
  return ["x1,x2,label", ...rows].join("\n") + "\n";
})();

// ---- cases ----------------------------------------------------------------------------------------------

export interface FuzzFile {
  /** The file name (in the case's folder); its extension decides how the CLI reads it. */
  name: string;
  text: string;
}

export interface FuzzCase {
  command: "run" | "grad" | "explain" | "check" | "render" | "train" | "split";
  graph: FuzzFile;
  /** A data file (JSON) or, for train, possibly a CSV. */
  data?: FuzzFile;
  /** Options after `<command> <graph>`; `{data}` stands for the data file's path, `{dir}` for the case's folder. */
  options: string[];
  /** False when an option value was drawn from the invalid pool: then the message names the option, not a file. */
  validOptions: boolean;
  /** What was done to the files, for the report of a failing case. */
  mutations: string[];
}

/** Strings a file may hold: printable, astral, controls, bidi, lone surrogates, long. */
const hostileString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom("", "m", "__proto__", "constructor", "prototype", "toString", "\u001b]0;pwned\u0007", "\u001b[2J", "a\u202eb", "\u2066x\u2069", "x\u0000y", "\ud800", "é́", "🧮", "a\nb", "Infinity", "NaN", "-0", "0x10", "1e999", "~", "null", "yes"),
  fc.integer({ min: 1000, max: 100_000 }).map((n) => "x".repeat(n)),
);

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 2, 3, 1.5, 1e308, -1e308, 5e-324, 2 ** 20, 2 ** 20 + 1, 2 ** 26, 8192, 1e6, 2 ** 53, -0),
  fc.integer({ min: -10, max: 100 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileNumber },
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(...opNames(), "sigmod", "Relu", "conv2d") },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [1], [[1, 2], [3]], [2, "m"], ["m", "m"], [8192, 8192], [1048576, 1], [1, 1048576], { shape: [2, 2], data: [1, 2, 3, 4] }, { shape: [1e6, 1e6], data: [] }, { uniform: [-1e308, 1e308] }, { normal: 1e308 }, { normal: -1 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** One edit of a parsed file: where (an index into its paths) and what. */
type Edit = { at: number; how: "replace"; value: unknown } | { at: number; how: "delete" } | { at: number; how: "rename"; key: string } | { at: number; how: "copy"; to: number; key: string } | { at: number; how: "nest"; depth: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ at: fc.nat(), how: fc.constant("replace" as const), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ at: fc.nat(), how: fc.constant("delete" as const) }) },
  { weight: 2, arbitrary: fc.record({ at: fc.nat(), how: fc.constant("rename" as const), key: fc.oneof(hostileString, fc.constantFrom("Z1", "A1", "X", "Y", "W1", "J", "L")) }) },
  { weight: 2, arbitrary: fc.record({ at: fc.nat(), how: fc.constant("copy" as const), to: fc.nat(), key: fc.oneof(fc.constantFrom("N1", "N2", "Q"), hostileString) }) },
  { weight: 1, arbitrary: fc.record({ at: fc.nat(), how: fc.constant("nest" as const), depth: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constantFrom(100, 1000)) }) },
);

type Json = unknown;
type Path = (string | number)[];

/** Paths into a parsed file (maps and arrays), root excluded, depth first; at most 5000, and 64 levels deep. */
function pathsOf(root: Json): Path[] {
  const out: Path[] = [];
  const stack: [Json, Path][] = [[root, []]];
  while (stack.length && out.length < 5000) {
    const [value, prefix] = stack.pop()!;
    if (prefix.length >= 64 || !value || typeof value !== "object") continue;
    const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
    for (const k of keys.reverse()) stack.push([(value as Record<string | number, Json>)[k], [...prefix, k]]);
    if (prefix.length) out.push(prefix);
  }
  return out;
}

function getAt(root: Json, path: Path): Json {
  return path.reduce<Json>((v, k) => (v as Record<string | number, Json>)?.[k], root);
}

/** Applies the edits to a deep copy; returns it and a description of each. */
function applyEdits(root: Json, edits: readonly Edit[]): { value: Json; done: string[] } {
  const value = structuredClone(root);
  const done: string[] = [];
  for (const e of edits) {
    const paths = pathsOf(value);
    if (!paths.length) break;
    const path = paths[e.at % paths.length];
    const parent = getAt(value, path.slice(0, -1)) as Record<string | number, Json>;
    const key = path[path.length - 1];
    const where = path.join(".");
    if (e.how === "replace") parent[key] = e.value, done.push(`${where} = ${short(e.value)}`);
    else if (e.how === "delete") Array.isArray(parent) ? parent.splice(key as number, 1) : delete parent[key], done.push(`delete ${where}`);
    else if (e.how === "nest") {
      let v = parent[key];
      for (let i = 0; i < e.depth; i++) v = [v];
      parent[key] = v;
      done.push(`nest ${where} ${e.depth} deep`);
    } else if (Array.isArray(parent)) continue;
    else if (e.how === "rename") {
      // defineProperty, so a "__proto__" key is an own key, as a parser makes it
      const v = parent[key];
      delete parent[key];
      Object.defineProperty(parent, e.key, { value: v, enumerable: true, writable: true, configurable: true });
      done.push(`rename ${where} → ${short(e.key)}`);
    } else {
      const target = getAt(value, paths[e.to % paths.length]);
      if (target && typeof target === "object" && !Array.isArray(target)) {
        Object.defineProperty(target, e.key, { value: structuredClone(parent[key]), enumerable: true, writable: true, configurable: true });
        done.push(`copy ${where} → ${paths[e.to % paths.length].join(".")}.${short(e.key)}`);
      }
    }
  }
  return { value, done };
}

/** Text edits, YAML features among them. */
type TextEdit = { how: "insert"; at: number; text: string } | { how: "cut"; at: number; length: number } | { how: "truncate"; at: number } | { how: "yaml"; feature: string; at: number; other: number } | { how: "bom" };

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ how: fc.constant("insert" as const), at: fc.nat(), text: fc.oneof(hostileString, fc.constantFrom(":", "- ", "{", "}", "[", "]", ",", "\n", "  ", "#", "'", '"', "\\", "&", "*", "!", "|", ">", "---", "...", "\t", "\r\n")) }) },
  { weight: 2, arbitrary: fc.record({ how: fc.constant("cut" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ how: fc.constant("truncate" as const), at: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ how: fc.constant("yaml" as const), feature: fc.constantFrom("anchor-alias", "tag", "multi-doc", "directive", "alias-bomb", "deep-flow", "merge-key", "long-line", "duplicate-key", "block-scalar"), at: fc.nat(), other: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ how: "bom" as const }) },
);

function applyTextEdits(text: string, edits: readonly TextEdit[], done: string[]): string {
  for (const e of edits) {
    const at = (n: number) => n % (text.length + 1);
    if (e.how === "insert") text = text.slice(0, at(e.at)) + e.text + text.slice(at(e.at)), done.push(`insert ${short(e.text)} at ${at(e.at)}`);
    else if (e.how === "cut") text = text.slice(0, at(e.at)) + text.slice(at(e.at) + e.length), done.push(`cut ${e.length} at ${at(e.at)}`);
    else if (e.how === "truncate") text = text.slice(0, at(e.at)), done.push(`truncate at ${at(e.at)}`);
    else if (e.how === "bom") text = "\ufeff" + text, done.push("byte-order mark");
    else text = yamlFeature(text, e.feature, e.at, e.other), done.push(`yaml ${e.feature}`);
  }
  return text;
}

/** A YAML feature put into the text: at a `key: value` line when it needs one. */
function yamlFeature(text: string, feature: string, at: number, other: number): string {
  const lines = text.split("\n");
  const valued = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*[\w"]+\s*:\s*\S/.test(l));
  const pick = (n: number) => (valued.length ? valued[n % valued.length][1] : 0);
  const setValue = (i: number, f: (v: string) => string) => (lines[i] = lines[i].replace(/^(\s*[\w"]+\s*:\s*)(.*)$/, (_, k, v) => k + f(v)));
  switch (feature) {
    case "anchor-alias":
      setValue(pick(at), (v) => `&a ${v}`);
      setValue(pick(other), () => "*a");
      break;
    case "tag":
      setValue(pick(at), (v) => `${["!!str", "!!int", "!!float", "!!binary", "!!map", "!!seq", "!custom", "!!js/function", "!<tag:yaml.org,2002:set>"][other % 9]} ${v}`);
      break;
    case "multi-doc":
      lines.splice(pick(at), 0, "---");
      break;
    case "directive":
      lines.unshift(["%YAML 1.2", "%YAML 1.1", "%TAG ! tag:example.com,2000:", "%FOO bar"][other % 4], "---");
      break;
    case "alias-bomb":
      lines.push("bomb0: &b0 [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `bomb${i + 1}: &b${i + 1} [${Array(10).fill(`*b${i}`).join(", ")}]`));
      break;
    case "deep-flow":
      lines.push(`deep: ${"[".repeat(1000 + (other % 9000))}${"]".repeat(1000 + (other % 9000))}`);
      break;
    case "merge-key":
      setValue(pick(at), (v) => `{ <<: { op: relu }, x: ${v} }`);
      break;
    case "long-line":
      lines.push(`# ${"y".repeat(200_000)}`);
      break;
    case "duplicate-key":
      if (valued.length) lines.splice(pick(at) + 1, 0, lines[pick(at)]);
      break;
    case "block-scalar":
      setValue(pick(at), () => `|\n  ${"text ".repeat(5)}`);
      break;
  }
  return lines.join("\n");
}

function short(v: unknown): string {
  const s = typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return escapeControls(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

/** The serializers recurse: nestings that compound past what they can write leave the file as it was. */
function serialized(write: () => string, original: string, mutations: string[]): string {
  try {
    return write();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    mutations.push("(too deep to serialize: the file is left as it was)");
    return original;
  }
}

/** A mutated graph file from one of `bases`: YAML (block, flow or either, any scalar style) or JSON. */
const graphFile = (bases: readonly FuzzFile[]): fc.Arbitrary<FuzzFile & { mutations: string[] }> =>
  fc
    .record({
      base: fc.constantFrom(...bases),
      // About half the files keep their structure, and half of those their text: enough valid graphs reach
      // evaluation, training and checking, not only the validation that refuses the rest.
      edits: fc.oneof(fc.constant<Edit[]>([]), fc.array(edit, { minLength: 1, maxLength: 4 })),
      as: fc.constantFrom("yaml-block", "yaml-flow", "yaml-any", "yaml-original", "json"),
      stringType: fc.constantFrom("PLAIN", "QUOTE_DOUBLE", "QUOTE_SINGLE") as fc.Arbitrary<"PLAIN" | "QUOTE_DOUBLE" | "QUOTE_SINGLE">,
      textEdits: fc.oneof({ weight: 2, arbitrary: fc.constant<TextEdit[]>([]) }, { weight: 1, arbitrary: fc.array(textEdit, { minLength: 1, maxLength: 2 }) }),
      fileName: fc.oneof({ weight: 9, arbitrary: fc.constant("graph") }, { weight: 1, arbitrary: fc.constantFrom("gräph ☃", "a b", "x\u202ey", "g\u001b[31m") }),
    })
    .map(({ base, edits, as, stringType, textEdits, fileName }) => {
      const mutations: string[] = [`${base.name} as ${as}`];
      // yaml's stringify recurses: deeper nesting reaches YAML as text ("deep-flow"), JSON takes it as it is
      const clamped = as === "json" ? edits : edits.map((e) => (e.how === "nest" ? { ...e, depth: Math.min(e.depth, 200) } : e));
      const { value, done } = applyEdits(parseYaml(base.text), clamped);
      mutations.push(...done);
      let text = serialized(() => (as === "json" ? JSON.stringify(value, null, 1) : as === "yaml-original" && !edits.length ? base.text : stringifyYaml(value, { collectionStyle: as === "yaml-flow" ? "flow" : as === "yaml-block" ? "block" : "any", defaultStringType: stringType, aliasDuplicateObjects: false })), base.text, mutations);
      text = applyTextEdits(text, textEdits, mutations);
      return { name: `${fileName}.${as === "json" ? "json" : "yaml"}`, text, mutations };
    });

/** A mutated data file (JSON), from the shipped ones or built for the graph's inputs. */
const dataFile: fc.Arbitrary<FuzzFile & { mutations: string[] }> = fc
  .record({
    base: fc.constantFrom(DATA[0], DATA[0], DATA[0], DATA[1]),
    edits: fc.oneof(fc.constant<Edit[]>([]), fc.array(edit, { minLength: 1, maxLength: 3 })),
    textEdits: fc.array(fc.oneof(textEdit, fc.constantFrom<TextEdit>({ how: "insert", at: 1, text: '"inputs": {}, ' }, { how: "insert", at: 1, text: '"x": 1e999, ' })), { maxLength: 1 }),
    matrixForm: fc.boolean(),
  })
  .map(({ base, edits, textEdits, matrixForm }) => {
    const mutations: string[] = [base.name];
    let parsed = JSON.parse(base.text) as { inputs: Record<string, number[][]> };
    if (matrixForm) {
      // the { shape, data } form `--json` prints
      parsed = { ...parsed, inputs: Object.fromEntries(Object.entries(parsed.inputs).map(([k, rows]) => [k, { shape: [rows.length, rows[0].length], data: rows }])) } as never;
      mutations.push("matrix form");
    }
    const { value, done } = applyEdits(parsed, edits);
    mutations.push(...done);
    const text = applyTextEdits(serialized(() => JSON.stringify(value), base.text, mutations), textEdits, mutations);
    return { name: "data.json", text, mutations };
  });

/** A CSV for train: the flower sample, with rows, cells and the header mutated. */
const csvFile: fc.Arbitrary<FuzzFile & { mutations: string[] }> = fc
  .record({
    edits: fc.array(
      fc.oneof(
        fc.record({ how: fc.constant("cell" as const), row: fc.nat(), col: fc.nat(), value: fc.oneof(hostileString, fc.constantFrom("", "1e999", "NaN", "-", "2", "7", "setosa", "\"quoted\"", "a,b", "\"unclosed")) }),
        fc.record({ how: fc.constant("drop-cell" as const), row: fc.nat() }),
        fc.record({ how: fc.constant("header" as const), col: fc.nat(), value: fc.constantFrom("", "x1", "label", "\u202elabel", "é") }),
        fc.record({ how: fc.constant("classes" as const), count: fc.constantFrom(3, 10, 1000) }),
        fc.record({ how: fc.constant("crlf" as const) }),
        fc.record({ how: fc.constant("bom" as const) }),
      ),
      { maxLength: 3 },
    ),
  })
  .map(({ edits }) => {
    const rows = FLOWER_CSV.trimEnd().split("\n").map((l) => l.split(","));
    const mutations: string[] = ["flower csv"];
    let crlf = false, bom = false;
    for (const e of edits) {
      if (e.how === "cell") rows[e.row % rows.length][e.col % 3] = e.value, mutations.push(`cell ${e.row % rows.length},${e.col % 3} = ${short(e.value)}`);
      else if (e.how === "drop-cell") rows[e.row % rows.length].pop(), mutations.push(`row ${e.row % rows.length} short`);
      else if (e.how === "header") rows[0][e.col % 3] = e.value, mutations.push(`header ${e.col % 3} = ${short(e.value)}`);
      else if (e.how === "classes") rows.slice(1).forEach((r, i) => (r[2] = `class\u0007${i % e.count}`)), mutations.push(`${e.count} named classes`);
      else if (e.how === "crlf") crlf = true;
      else bom = true;
    }
    const text = (bom ? "\ufeff" : "") + rows.map((r) => r.join(",")).join(crlf ? "\r\n" : "\n") + "\n";
    return { name: "train.csv", text, mutations };
  });

/** Option values: mostly valid, sometimes from an invalid pool (then `validOptions` is false). */
function optionValue(valid: fc.Arbitrary<string>): fc.Arbitrary<{ v: string; ok: boolean }> {
  return fc.oneof({ weight: 9, arbitrary: valid.map((v) => ({ v, ok: true })) }, { weight: 1, arbitrary: fc.constantFrom("-1", "0", "1.5", "abc", "", "1e9", "99999999999999999999", "--json", "\u001b[2J").map((v) => ({ v, ok: false })) });
}

const seed = optionValue(fc.integer({ min: 0, max: 2 ** 31 - 1 }).map(String));
const smallM = optionValue(fc.oneof(fc.integer({ min: 1, max: 16 }), fc.constantFrom(64, 1000)).map(String));

/** A command line for a command: [options, all values valid]. `{data}` is replaced by the data file's path. */
function commandLine(command: FuzzCase["command"], hasData: boolean, csv: boolean): fc.Arbitrary<{ options: string[]; valid: boolean }> {
  type Part = { args: string[]; ok: boolean } | undefined;
  const flag = (name: string, value: fc.Arbitrary<{ v: string; ok: boolean }>): fc.Arbitrary<Part> => fc.option(value.map((x) => ({ args: [name, x.v], ok: x.ok })), { nil: undefined });
  const bool = (name: string): fc.Arbitrary<Part> => fc.option(fc.constant({ args: [name], ok: true }), { nil: undefined });
  const parts: fc.Arbitrary<Part>[] = hasData ? [fc.constant<Part>({ args: ["--data", "{data}"], ok: true })] : [];
  if (command !== "explain") parts.push(flag("--max-memory", optionValue(fc.constantFrom("16M", "64M", "256M", "512M", "1G"))));
  if (command === "run" || command === "grad") parts.push(flag("--seed", seed), hasData ? fc.constant(undefined) : flag("--m", smallM), bool("--json"));
  if (command === "grad") parts.push(flag("--convention", optionValue(fc.constantFrom("autodiff", "dls"))));
  if (command === "explain") parts.push(bool("--json"));
  if (command === "check") parts.push(fc.constant({ args: ["--runs", "2"], ok: true }), flag("--fd-coords", optionValue(fc.constantFrom("0", "2"))), flag("--seed", seed), hasData ? fc.constant(undefined) : flag("--m", optionValue(fc.constantFrom("1", "3", "1..4", "2,5"))), bool("--json"));
  if (command === "render") parts.push(fc.constantFrom({ args: ["-o", "-"], ok: true }, { args: ["-o", "{dir}/out.svg"], ok: true }), hasData ? fc.constant(undefined) : bool("--values"));
  if (command === "split") {
    parts.push(fc.oneof(flag("--parts", optionValue(fc.constantFrom("1", "2", "3", "5"))), flag("--sizes", optionValue(fc.constantFrom("1,1", "2,2", "3,1", "1,2,1", "30,2")))));
    parts.push(flag("--combine", optionValue(fc.constantFrom("weighted", "mean", "sum"))), flag("--seed", seed), hasData ? fc.constant(undefined) : flag("--m", optionValue(fc.constantFrom("1", "4", "7"))), bool("--json"));
  }
  if (command === "train") {
    parts.push(hasData ? fc.constant(undefined) : fc.constantFrom("flower", "moons", "spiral", "nope").map((d) => ({ args: ["--dataset", d, "--m", "20"], ok: d !== "nope" })));
    parts.push(fc.constant({ args: ["--iterations", "3"], ok: true }), flag("--optimizer", optionValue(fc.constantFrom("sgd", "momentum", "adam"))), flag("--batch-size", optionValue(fc.constantFrom("1", "7", "1000"))), flag("--accumulate", optionValue(fc.constantFrom("1", "2", "3"))), bool("--json"));
    if (csv) parts.push(flag("--label", optionValue(fc.constantFrom("label", "x1", "nope"))));
  }
  return fc.tuple(...parts).map((chosen) => {
    const present = chosen.filter((c): c is { args: string[]; ok: boolean } => c !== undefined);
    return { options: present.flatMap((c) => c.args), valid: present.every((c) => c.ok) };
  });
}

/** A whole case: a command, a mutated graph, maybe a mutated data file or CSV, and options. */
/** Graphs whose features are 2-D, as the CSV and the generated datasets are: most train cases use them. */
const TWO_FEATURES = GRAPHS.filter((g) => /X:\s*\{\s*shape:\s*\[2,/.test(g.text));

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc
  .constantFrom("run", "run", "grad", "grad", "explain", "check", "render", "train", "split")
  .chain((command) =>
    fc.record({
      command: fc.constant(command as FuzzCase["command"]),
      graph: command === "train" ? fc.oneof({ weight: 3, arbitrary: graphFile(TWO_FEATURES) }, { weight: 1, arbitrary: graphFile(GRAPHS) }) : graphFile(GRAPHS),
      data: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: dataFile }, { weight: 1, arbitrary: csvFile }),
    }),
  )
  .chain(({ command, graph, data }) => {
    // explain and render without --values read no data; a CSV is for train only
    const usable = command === "explain" ? undefined : data && data.name.endsWith(".csv") && command !== "train" ? undefined : data;
    return commandLine(command, usable !== undefined, usable?.name.endsWith(".csv") ?? false).map(({ options, valid }) => ({
      command,
      graph: { name: graph.name, text: graph.text },
      data: usable && { name: usable.name, text: usable.text },
      options,
      validOptions: valid,
      mutations: [...graph.mutations, ...(usable?.mutations ?? [])],
    }));
  });

// ---- running a case -------------------------------------------------------------------------------------

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  /** Child processes only: the peak resident memory, in bytes. */
  peakRssBytes?: number;
}

export interface CasePaths {
  dir: string;
  graph: string;
  data?: string;
  argv: string[];
}

/** Writes the case's files into `dir` and returns the paths and the argv (without the program name). */
export function writeCase(c: FuzzCase, dir: string): CasePaths {
  mkdirSync(dir, { recursive: true });
  const graph = join(dir, c.graph.name);
  writeFileSync(graph, c.graph.text);
  const data = c.data && join(dir, c.data.name);
  if (c.data) writeFileSync(data!, c.data.text);
  const argv = [c.command, graph, ...c.options.map((o) => o.replace("{data}", data ?? "").replace("{dir}", dir))];
  return { dir, graph, data, argv };
}

/**
 * Runs `main(argv)` in this process (or `run`, a stand-in for it: the broken variants), capturing what it
 * prints. One case at a time: the captured streams are process-wide.
 */
export async function runInProcess(paths: CasePaths, run: (argv: string[]) => Promise<number> = main): Promise<Outcome> {
  let stdout = "", stderr = "";
  const saved = { log: console.log, error: console.error, warn: console.warn, info: console.info, out: process.stdout.write, err: process.stderr.write };
  console.log = console.info = (...a: unknown[]) => void (stdout += format(...a) + "\n");
  console.error = console.warn = (...a: unknown[]) => void (stderr += format(...a) + "\n");
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  const started = performance.now();
  let code: number;
  try {
    code = await run([...paths.argv]);
    // A process warning (process.emitWarning) is printed a tick later: let it land in this case's stderr.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    Object.assign(console, { log: saved.log, error: saved.error, warn: saved.warn, info: saved.info });
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
  }
  return { code, stdout, stderr, ms: performance.now() - started };
}

const CHILD = fileURLToPath(new URL("./fuzzChild.mjs", import.meta.url));

/**
 * Runs the built CLI (`dist/bin/gradstream.js`) as a child process, through a wrapper that reports the
 * child's peak resident memory (`process.resourceUsage().maxRSS`) on an extra pipe. Killed past `killMs`.
 */
export function runInChild(paths: CasePaths, killMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CHILD, ...paths.argv], { cwd: paths.dir, stdio: ["ignore", "pipe", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "", stderr = "", rss = "";
    child.stdout!.setEncoding("utf8").on("data", (d) => (stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d) => (stderr += d));
    (child.stdio[3] as NodeJS.ReadableStream).setEncoding("utf8").on("data", (d: string) => (rss += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), killMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const kb = Number(rss.trim());
      resolve({ code: code ?? (signal ? 128 + 9 : -1), stdout, stderr, ms: performance.now() - started, peakRssBytes: Number.isFinite(kb) && kb > 0 ? kb * 1024 : undefined });
    });
  });
}

// ---- the assertion ----------------------------------------------------------------------------------------

export interface Limits {
  /** A case must end within this. */
  maxMs: number;
  /** The largest peak resident memory a child process may reach, for this case. */
  maxRss: (c: FuzzCase) => number;
}

/** The memory budget a case runs under: its `--max-memory`, or the default 1 GiB. */
export function budgetOf(c: FuzzCase): number {
  const i = c.options.indexOf("--max-memory");
  return i >= 0 && c.validOptions ? memorySize(c.options[i + 1]) : DEFAULT_MAX_MEMORY;
}

/** What a terminal acts on: C0 controls but newline, DEL, C1, bidi controls. */
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const STACK_TRACE = /\n\s+at .+(:\d+:\d+\)?|\(native\)|\(<anonymous>\))$/m;
/** Lines of stderr that are not messages: the plain progress of train, commander's hint. */
const NOT_A_MESSAGE = /^(training: \d+\/\d+ iterations|\(add --help for usage\)$)/;

/**
 * Throws, describing the case, unless the outcome is one a user may see for any input: exit 0, 1 or 2; no
 * stack trace or internal error; nothing a terminal acts on; every message naming a file of the case (or,
 * when an option value is invalid, the option); within the time and memory bounds.
 */
export function assertOutcome(c: FuzzCase, paths: CasePaths, o: Outcome, limits: Limits): void {
  const fail = (why: string): never => {
    throw new Error(`${why}\n  command: gradstream ${paths.argv.map((a) => escapeControls(a, 80)).join(" ")}\n  mutations: ${c.mutations.join("; ")}\n  exit ${o.code} after ${Math.round(o.ms)} ms${o.peakRssBytes ? `, peak RSS ${(o.peakRssBytes / 2 ** 20).toFixed(0)} MiB` : ""}\n  stderr: ${escapeControls(o.stderr, 600)}\n  stdout: ${escapeControls(o.stdout, 200)}`);
  };
  if (![0, 1, 2].includes(o.code)) fail(`exit status ${o.code}: only 0, 1 and 2 are allowed`);
  if (/internal error/.test(o.stderr) || STACK_TRACE.test(o.stderr) || STACK_TRACE.test(o.stdout)) fail("a stack trace or an internal error was printed");
  const control = TERMINAL_CONTROL.exec(o.stdout + o.stderr);
  if (control) fail(`a character a terminal acts on was printed: U+${control[0].charCodeAt(0).toString(16).padStart(4, "0")}`);
  const files = [paths.graph, paths.data].filter((f): f is string => f !== undefined).map((f) => escapeControls(f, 200));
  const messages = o.stderr.split("\n").filter((l) => l && !NOT_A_MESSAGE.test(l));
  if (o.code !== 0 && !messages.length) fail("a failure with no message");
  for (const line of messages) {
    if (files.some((f) => line.includes(f))) continue;
    if (!c.validOptions) continue; // an invalid option value: the message names the option or the value
    fail(`a message that names no file of the case: ${escapeControls(line, 300)}`);
  }
  if (o.ms > limits.maxMs) fail(`took ${Math.round(o.ms)} ms, more than ${limits.maxMs}`);
  const maxRss = limits.maxRss(c);
  if (o.peakRssBytes !== undefined && o.peakRssBytes > maxRss) fail(`peak memory ${(o.peakRssBytes / 2 ** 20).toFixed(0)} MiB, more than ${(maxRss / 2 ** 20).toFixed(0)} MiB`);
}
