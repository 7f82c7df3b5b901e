/**
 * The live decision boundary for a classifier on two features: the training plot's own panel
 * (`decisionGrid`, then `decisionArea` under `decisionOverlay`, as `gradstream train --plot` draws it)
 * at the given params, with the held-out samples as rings and a legend. The grid spans the training and
 * the test samples. The area changes at every step; the overlay only with the data.
 *
 * @example
 * const parts = boundaryParts(graph, roles, params, inputs, test);
 * areaLayer.innerHTML = parts.area; overlayLayer.innerHTML = parts.overlay;
 */
import type { Graph } from "../src/graph/graph.ts";
import { type Tensor, tensor } from "../src/tensor/tensor.ts";
import type { TrainingRoles } from "../src/train/trainingRoles.ts";
import { decisionGrid } from "../src/train/decisionGrid.ts";
import { CLASS_COLORS, decisionArea, decisionOverlay } from "../src/train/decisionBoundaryPanel.ts";
import { targetClasses } from "../src/train/predictClasses.ts";
import { text } from "../src/train/plotAxes.ts";

/** The panel's drawing size (its viewBox); the page scales it to the card. */
export const BOUNDARY_SIZE = { width: 390, height: 392 } as const;
/** Grid points per side: the training plot's default. */
export const BOUNDARY_GRID = 160;
/** The plot box: room on the left for the tick labels and the rotated x₂ title (44 px left of the box); 2 px per grid cell. */
export const BOUNDARY_BOX = { x: 58, y: 24, width: 2 * BOUNDARY_GRID, height: 2 * BOUNDARY_GRID } as const;

export interface BoundaryParts {
  readonly area: string;
  readonly overlay: string;
}

export function boundaryParts(graph: Graph, roles: TrainingRoles, params: Readonly<Record<string, Tensor>>, inputs: Readonly<Record<string, Tensor>>, test?: Readonly<Record<string, Tensor>>): BoundaryParts | undefined {
  const X = inputs[roles.features!];
  const span = test ? joinColumns(X, test[roles.features!]) : X;
  const grid = decisionGrid(graph, params, span, BOUNDARY_GRID);
  if (!grid) return undefined;
  const truth = targetClasses(inputs[roles.target]);
  const heldOut = test ? { X: test[roles.features!], truth: targetClasses(test[roles.target]) } : undefined;
  const legend: string[] = [];
  let classes = 2;
  for (const k of truth) classes = Math.max(classes, k + 1);
  let x = BOUNDARY_BOX.x;
  for (let k = 0; k < classes; k++) {
    legend.push(`<circle cx="${x + 5}" cy="10" r="4" fill="${CLASS_COLORS[k % CLASS_COLORS.length]}"/>`, text(x + 13, 14, `class ${k}`));
    x += 66;
  }
  if (test) legend.push(`<circle cx="${x + 5}" cy="10" r="3.5" fill="#ffffff" stroke="#475569" stroke-width="1.5"/>`, text(x + 13, 14, "held out (test)"));
  return { area: decisionArea(grid, BOUNDARY_BOX), overlay: [decisionOverlay(grid, X, truth, BOUNDARY_BOX, heldOut), ...legend].join("\n") };
}

function joinColumns(a: Tensor, b: Tensor): Tensor {
  const [rows, ca] = a.shape;
  const cb = b.shape[1];
  const out = new Float64Array(rows * (ca + cb));
  for (let r = 0; r < rows; r++) {
    out.set(a.data.subarray(r * ca, (r + 1) * ca), r * (ca + cb));
    out.set(b.data.subarray(r * cb, (r + 1) * cb), r * (ca + cb) + ca);
  }
  return tensor(rows, ca + cb, out);
}
