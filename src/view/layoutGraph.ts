/**
 * Lays a graph out with elkjs: layered, left to right (the features in the first layer, each param and
 * target just left of the node that reads it, the loss in the last) or top to bottom, operand ports in
 * fixed order on the side the data comes from, orthogonal edges, each edge labelled with the symbolic
 * shape of the tensor it carries. The result is plain data (JSON-safe, rounded, no elkjs internals), so
 * the CLI renders it and the server sends it to the explorer page as is.
 *
 * @example
 * const layout = await layoutGraph(graph);            // boxes only
 * const live = await layoutGraph(graph, { values: true, m: 5 }); // room for values and gradients, and
 *                                                      // for the entries of tensors of ≤ 16 entries at m = 5
 * const tall = await layoutGraph(graph, { direction: "down" });  // for narrow pages (the README)
 * layout.edges.find((e) => e.target === "Z1")!.label  // "4×2"
 */
import elkModule from "elkjs/lib/elk.bundled.js";
import type { ELK as ElkApi, ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api.js";
import type { Graph } from "../graph/graph.ts";
import { explainGraph } from "../graph/explainGraph.ts";
import { getOp } from "../ops/registry.ts";
import type { Shape } from "../ops/op.ts";
import { FONT, textWidth, type ViewKind } from "./theme.ts";
import { entryLines, entryShapes } from "./boxEntries.ts";

export interface NodeBox {
  readonly id: string;
  readonly kind: ViewKind;
  /** The op name, or "input" / "param". */
  readonly op: string;
  /** The second line of the box: op name, or kind and shape for inputs and params. */
  readonly subtitle: string;
  /** The symbolic shape, e.g. "4×m". */
  readonly shape: string;
  /** This node is the graph's loss (the cost J). */
  readonly isCost: boolean;
  /** This node is a mean over the samples: where the 1/m of the cost enters. */
  readonly oneOverM: boolean;
  /** For a weighted mean over the samples (`weighted_mean`): the ΣM it divides by in the place of m. */
  readonly oneOverSum?: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** The box has room for this many rows and columns of entries (value and gradient), when it shows them. */
  readonly entries?: readonly [number, number];
}

export interface EdgeRoute {
  /** `<source>-><target>.<slot>`: unique even when a node reads the same operand twice. */
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** The operand slot of the target the edge enters. */
  readonly slot: number;
  /** The source's symbolic shape, e.g. "4×m". */
  readonly label: string;
  /** The orthogonal route, start to end. */
  readonly points: readonly (readonly [number, number])[];
  /** The label's box (top-left corner and size) as elkjs placed it. */
  readonly labelBox: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
}

export interface GraphLayout {
  readonly name: string;
  readonly description?: string;
  /** The boxes have room for a value line and a gradient line. */
  readonly withValues: boolean;
  /** Data flows to the right (the default) or down. */
  readonly direction: LayoutDirection;
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly NodeBox[];
  readonly edges: readonly EdgeRoute[];
}

export type LayoutDirection = "right" | "down";

export interface LayoutOptions {
  /** Make room in each box for its value and gradient summary. */
  values?: boolean;
  /** With values: the batch size, so tensors of 2 to 16 entries get room to show each entry. */
  m?: number;
  /** Which way data flows: "right" (default) or "down" (narrower, for a page column). */
  direction?: LayoutDirection;
}

/** Box geometry shared with the renderer: where each line of a node's text sits. */
export const BOX = {
  padX: 10,
  titleY: 19,
  subtitleY: 34,
  valueY: 52,
  gradY: 67,
  barY: 75,
  barHeight: 5,
  heightPlain: 44,
  heightWithValues: 88,
  /** Characters reserved for a summary line such as "∇ ‖·‖ −1.23457e−10". */
  summaryChars: 21,
  /** Boxes showing entries: the first line's baseline, the line height, the gap between value and gradient. */
  entriesTop: 53,
  entryLine: 12,
  entryGap: 5,
  /** Width of the "val" / "grad" label, and of one entry (8 characters of FONT.entry). */
  entryLabelWidth: 30,
  entryWidth: 54,
} as const;

/** Where the lines of a box that shows entries sit: the value lines, then the gradient lines, then the bar. */
export function entryGeometry(rows: number, cols: number): { lines: number[][]; valueY: number; gradY: number; barY: number; height: number; width: number } {
  const lines = entryLines(rows, cols);
  const valueY = BOX.entriesTop;
  const gradY = valueY + lines.length * BOX.entryLine + BOX.entryGap;
  const barY = gradY + (lines.length - 1) * BOX.entryLine + 8;
  const perLine = Math.max(...lines.map((l) => l.length));
  return { lines, valueY, gradY, barY, height: barY + BOX.barHeight + 8, width: 2 * BOX.padX + BOX.entryLabelWidth + perLine * BOX.entryWidth };
}

export const EDGE_LABEL_HEIGHT = 12;

// elkjs is CommonJS with ESM-style typings: Node hands its constructor over as the default import,
// TypeScript (NodeNext) expects it under `.default`. Accept either.
type ElkConstructor = new () => ElkApi;
const ElkClass = ((elkModule as unknown as { default?: ElkConstructor }).default ?? elkModule) as unknown as ElkConstructor;
const elk = new ElkClass();

export async function layoutGraph(graph: Graph, options: LayoutOptions = {}): Promise<GraphLayout> {
  const withValues = options.values ?? false;
  const direction = options.direction ?? "right";
  const entries = withValues && options.m !== undefined ? entryShapes(graph, options.m) : {};
  const boxes = describeNodes(graph);
  const targets = lossTargets(graph);
  const [inSide, outSide] = direction === "right" ? ["WEST", "EAST"] : ["NORTH", "SOUTH"];
  const children: ElkNode[] = boxes.map((b) => {
    const operands = b.kind === "input" || b.kind === "param" ? 0 : graph.nodes.find((n) => n.id === b.id)!.in.length;
    const shown = entries[b.id] ? entryGeometry(...entries[b.id]) : undefined;
    return {
      id: b.id,
      width: Math.max(boxWidth(b, withValues), shown?.width ?? 0),
      height: shown ? shown.height : withValues ? BOX.heightWithValues : BOX.heightPlain,
      layoutOptions: {
        "elk.portConstraints": "FIXED_ORDER",
        // Features enter at the left edge. Params and targets are left free: elkjs then puts each in the
        // layer just before its consumer (still left of it), which keeps their edges short and readable.
        ...(b.kind === "input" && !targets.has(b.id) ? { "elk.layered.layering.layerConstraint": "FIRST" } : {}),
        ...(b.isCost ? { "elk.layered.layering.layerConstraint": "LAST" } : {}),
      },
      ports: [
        // elkjs orders ports clockwise: on the west side a higher index sits higher (operand 0 on top), on
        // the north side a higher index sits further right (operand 0 on the left).
        ...Array.from({ length: operands }, (_, slot) => ({ id: `${b.id}.in${slot}`, width: 1, height: 1, layoutOptions: { "elk.port.side": inSide, "elk.port.index": String(direction === "right" ? operands - 1 - slot : slot) } })),
        { id: `${b.id}.out`, width: 1, height: 1, layoutOptions: { "elk.port.side": outSide } },
      ],
    };
  });
  const edges: ElkExtendedEdge[] = [];
  for (const node of graph.nodes) {
    node.in.forEach((ref, slot) => {
      const text = showShape(graph.shapes.get(ref)!);
      edges.push({ id: edgeId(ref, node.id, slot), sources: [`${ref}.out`], targets: [`${node.id}.in${slot}`], labels: [{ text, width: textWidth(text, FONT.edge) + 4, height: EDGE_LABEL_HEIGHT }] });
    });
  }
  // elkjs mutates its input and decorates it with internals: hand it a fresh object, read back only numbers.
  const input: ElkNode = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": direction === "right" ? "RIGHT" : "DOWN",
      "elk.edgeRouting": "ORTHOGONAL",
      "elk.edgeLabels.placement": "CENTER",
      "elk.layered.nodePlacement.strategy": "NETWORK_SIMPLEX",
      "elk.layered.spacing.nodeNodeBetweenLayers": "36",
      "elk.spacing.nodeNode": "18",
      "elk.spacing.edgeNode": "14",
      "elk.spacing.edgeEdge": "10",
      "elk.padding": "[top=8,left=8,bottom=8,right=8]",
      "elk.randomSeed": "1",
    },
    children,
    edges,
  };
  const result: ElkNode = await elk.layout(input);
  const placed = new Map((result.children ?? []).map((c) => [c.id, c]));
  const nodes: NodeBox[] = boxes.map((b) => {
    const c = placed.get(b.id)!;
    return { ...b, x: round(c.x!), y: round(c.y!), width: round(c.width!), height: round(c.height!), ...(entries[b.id] ? { entries: entries[b.id] } : {}) };
  });
  const routes: EdgeRoute[] = (result.edges as ElkExtendedEdge[]).map((e) => {
    const [source, rest] = e.id.split("->");
    const [target, slot] = rest.split(".");
    const section = e.sections![0];
    const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint].map((p) => [round(p.x), round(p.y)] as const);
    const label = e.labels![0];
    return { id: e.id, source, target, slot: Number(slot), label: label.text!, points, labelBox: { x: round(label.x!), y: round(label.y!), width: round(label.width!), height: round(label.height!) } };
  });
  return { name: graph.name, ...(graph.description ? { description: graph.description } : {}), withValues, direction, width: round(result.width!), height: round(result.height!), nodes, edges: routes };
}

/**
 * The structure a layout depends on; two graphs with the same key get the same layout, so a server can
 * skip re-laying-out when only values or inits change.
 *
 * @example
 * layoutKey(before) === layoutKey(after) // true when only an init changed
 */
export function layoutKey(graph: Graph): string {
  const ids = [...graph.inputs.map((d) => d.id), ...graph.params.map((d) => d.id)];
  return JSON.stringify([graph.name, graph.description ?? "", graph.loss, ids.map((id) => [id, graph.shapes.get(id)]), graph.nodes.map((n) => [n.id, n.op, n.in, graph.shapes.get(n.id)])]);
}

/** @example edgeId("A1", "Z2", 1) // "A1->Z2.1" */
export function edgeId(source: string, target: string, slot: number): string {
  return `${source}->${target}.${slot}`;
}

/** @example showShape([4, "m"]) // "4×m" */
export function showShape(shape: Shape): string {
  return `${shape[0]}×${shape[1]}`;
}

type BoxText = Omit<NodeBox, "x" | "y" | "width" | "height">;

function describeNodes(graph: Graph): BoxText[] {
  const explanation = explainGraph(graph);
  const oneOverM = new Set(explanation.meanNodes);
  const oneOverSum = new Map(explanation.weightedNodes.map((w) => [w.node, `Σ${w.weights}`]));
  const shape = (id: string) => showShape(graph.shapes.get(id)!);
  return [
    ...graph.inputs.map((d): BoxText => ({ id: d.id, kind: "input", op: "input", subtitle: `input ${shape(d.id)}`, shape: shape(d.id), isCost: false, oneOverM: false })),
    ...graph.params.map((d): BoxText => ({ id: d.id, kind: "param", op: "param", subtitle: `param ${shape(d.id)}`, shape: shape(d.id), isCost: false, oneOverM: false })),
    ...graph.nodes.map((n): BoxText => {
      const kind = getOp(n.op)!.kind;
      const isCost = n.id === graph.loss;
      const viewKind: ViewKind = kind === "loss" ? "loss" : kind === "reduction" ? "reduction" : "op";
      const sum = oneOverSum.get(n.id);
      return { id: n.id, kind: viewKind, op: n.op, subtitle: isCost ? `${n.op} · cost` : n.op, shape: shape(n.id), isCost, oneOverM: oneOverM.has(n.id) || sum !== undefined, ...(sum !== undefined && { oneOverSum: sum }) };
    }),
  ];
}

/** Inputs read only as the target operand (slot ≥ 1) of a per-sample loss: the labels, not the features. */
function lossTargets(graph: Graph): Set<string> {
  const out = new Set<string>();
  for (const d of graph.inputs) {
    const uses = graph.consumers.get(d.id) ?? [];
    const isTarget = (u: { node: string; slot: number }) => u.slot >= 1 && getOp(graph.nodes.find((n) => n.id === u.node)!.op)!.kind === "loss";
    if (uses.length > 0 && uses.every(isTarget)) out.add(d.id);
  }
  return out;
}

/** The ×1/m badge's width: 40, and wider for ×1/ΣM. */
export function badgeWidth(b: Pick<NodeBox, "oneOverSum">): number {
  return 40 + (b.oneOverSum ? textWidth(b.oneOverSum, 11) - textWidth("m", 11) : 0);
}

function boxWidth(b: BoxText, withValues: boolean): number {
  const texts = [textWidth(b.id, FONT.title) + (b.oneOverM ? 4 + badgeWidth(b) : 0), textWidth(b.subtitle, FONT.small), withValues ? BOX.summaryChars * FONT.small * FONT.charWidth : 0];
  return Math.max(64, Math.ceil(Math.max(...texts) + 2 * BOX.padX));
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
