/**
 * The one error class of gradstream. Every error a user can cause (a bad graph file, a bad data file,
 * a wrong shape in a `set`) is a `GradstreamError` with a stable `code` and a list of `issues`, each
 * naming the file, node and field it concerns. Validation collects every issue and throws once.
 *
 * @example
 * try { parseGraph(text, "yaml", "graphs/x.yaml") }
 * catch (e) { if (e instanceof GradstreamError) for (const i of e.issues) console.log(formatIssue(i)) }
 */
import { escapeControls } from "./escapeControls.ts";

export type ErrorCode =
  | "GRAPH_SYNTAX" // the file is not valid YAML/JSON
  | "GRAPH_INVALID" // the file parses but breaks the format, ids, ops or shapes
  | "DATA_INVALID" // a data file or a value given to the runtime is malformed or mis-shaped
  | "IO" // a file cannot be read or written
  | "USAGE" // a command line is wrong, or a library function is called with a wrong argument or option
  | "COMPUTE" // a computation failed (e.g. a non-finite value where one is not allowed)
  | "DISPOSED" // a runtime was used after dispose()
  | "MEMORY"; // the tensors a command would hold exceed its memory budget, or one exceeds the per-tensor limit

export interface Issue {
  /** The file the issue is in, as the user named it. */
  file?: string;
  /** The input, param or node id concerned. */
  node?: string;
  /** The field of that node (`in`, `op`, `shape`, ...) or a path into the file. */
  field?: string;
  /** 1-based line in the file, when known. */
  line?: number;
  message: string;
  /** A warning does not stop the command (an unused param, a class absent from the data); default: an error. */
  severity?: "warning";
}

/** The longest a message or a name may be in a formatted issue: one error line stays readable. */
export const MAX_MESSAGE_LENGTH = 1000;
const MAX_NAME_LENGTH = 200;

/**
 * "graphs/x.yaml: node Z2: input 'A9' is not defined (field 'in', line 12)": where first, then what, then
 * the finer position, so the message reads as a sentence and the file and node lead. Every part may hold
 * text from the file, so each is shown with its control and bidi characters escaped and shortened
 * (`escapeControls`): an error can neither drive the terminal nor run to 100 KB.
 */
export function formatIssue(issue: Issue): string {
  const where: string[] = [];
  if (issue.file) where.push(escapeControls(issue.file, MAX_NAME_LENGTH));
  if (issue.node) where.push(`node ${escapeControls(issue.node, MAX_NAME_LENGTH)}`);
  const detail: string[] = [];
  if (issue.field) detail.push(`field '${escapeControls(issue.field, MAX_NAME_LENGTH)}'`);
  if (issue.line) detail.push(`line ${issue.line}`);
  const message = (issue.severity === "warning" ? "warning: " : "") + escapeControls(issue.message, MAX_MESSAGE_LENGTH);
  const text = detail.length ? `${message} (${detail.join(", ")})` : message;
  return where.length ? `${where.join(": ")}: ${text}` : text;
}

export class GradstreamError extends Error {
  override name = "GradstreamError";
  readonly code: ErrorCode;
  readonly issues: readonly Issue[];

  constructor(code: ErrorCode, issues: Issue | Issue[] | string) {
    const list = typeof issues === "string" ? [{ message: issues }] : Array.isArray(issues) ? issues : [issues];
    super(summarise(list));
    this.code = code;
    this.issues = list;
  }
}

/** Issues printed in an error's message; the rest are counted (all of them stay in `issues`). */
export const MAX_ISSUES_SHOWN = 50;

/** The message of an error: its first MAX_ISSUES_SHOWN issues, one a line, then how many more there are. */
function summarise(issues: readonly Issue[]): string {
  const lines = issues.slice(0, MAX_ISSUES_SHOWN).map(formatIssue);
  const more = issues.length - MAX_ISSUES_SHOWN;
  // Through formatIssue like the rest: the file name is escaped here too.
  if (more > 0) lines.push(formatIssue({ file: issues[0].file, message: `… and ${more} more issue${more > 1 ? "s" : ""} (${issues.length} in all; fix these first)` }));
  return lines.join("\n");
}

/** Ids that could reach an object's prototype if used as keys; refused wherever an id is read. */
export const RESERVED_IDS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);
