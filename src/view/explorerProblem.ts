/**
 * What `gradstream serve` sends the explorer page (GET /api/problem): the graph file's text and the data
 * file's contents, so the page parses them with the same code as the CLI and runs the runtime itself,
 * plus the layout, computed once on the server with elkjs (the page never lays out).
 *
 * @example
 * const problem: ExplorerProblem = await (await fetch("/api/problem")).json();
 * const graph = parseGraph(problem.graph.text, problem.graph.format, problem.graph.source);
 */
import type { GraphLayout } from "./layoutGraph.ts";

export interface ExplorerProblem {
  /** Increases each time the graph or data file changes on disk and still reads. */
  readonly version: number;
  readonly graph: { readonly text: string; readonly format: "yaml" | "json"; readonly source: string };
  /** The data file, parsed as JSON; null when the page draws random inputs. */
  readonly data: { readonly raw: unknown; readonly source: string } | null;
  /** Seed for params absent from the data and for random inputs. */
  readonly seed: number;
  /** Batch size of the random inputs when there is no data file. */
  readonly m: number;
  /** Laid out at the batch size of the data (or of the random inputs); other m: GET /api/layout?m=N. */
  readonly layout: GraphLayout;
  /** Equal keys mean equal structure: the page redraws the layout only when the key changes. */
  readonly layoutKey: string;
}
