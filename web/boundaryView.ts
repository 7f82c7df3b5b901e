/**
 * The live decision boundary for a classifier on two features: the training plot's own panel
 * (`decisionGrid` + `decisionBoundaryPanel`, as `gradstream train --plot` draws it) at the current
 * params, with the held-out samples as rings. The grid spans the training and the test samples.
 *
 * @example
 * svg.innerHTML = boundarySvg(graph, roles, params, inputs, test) ?? "";
 */
import type { Graph } from "../src/graph/graph.ts";
import { type Tensor, tensor } from "../src/tensor/tensor.ts";
import type { TrainingRoles } from "../src/train/trainingRoles.ts";
import { decisionGrid } from "../src/train/decisionGrid.ts";
import { CLASS_COLORS, decisionBoundaryPanel } from "../src/train/decisionBoundaryPanel.ts";
import { targetClasses } from "../src/train/predictClasses.ts";
import { text } from "../src/train/plotAxes.ts";

/** The panel's drawing size (its viewBox); the page scales it to the card. */
export const BOUNDARY_SIZE = { width: 380, height: 392 } as const;
/** Grid points per side: the training plot's default. */
export const BOUNDARY_GRID = 160;

export function boundarySvg(graph: Graph, roles: TrainingRoles, params: Readonly<Record<string, Tensor>>, inputs: Readonly<Record<string, Tensor>>, test?: Readonly<Record<string, Tensor>>): string | undefined {
  const X = inputs[roles.features!];
  const span = test ? joinColumns(X, test[roles.features!]) : X;
  const grid = decisionGrid(graph, params, span, BOUNDARY_GRID);
  if (!grid) return undefined;
  const truth = targetClasses(inputs[roles.target]);
  // Room on the left for the tick labels and the rotated x₂ title (drawn 44 px left of the box).
  const box = { x: 58, y: 24, width: BOUNDARY_SIZE.width - 66, height: BOUNDARY_SIZE.width - 66 };
  const parts = [decisionBoundaryPanel(grid, X, truth, box, test ? { X: test[roles.features!], truth: targetClasses(test[roles.target]) } : undefined)];
  let classes = 2;
  for (const k of truth) classes = Math.max(classes, k + 1);
  let x = box.x;
  for (let k = 0; k < classes; k++) {
    parts.push(`<circle cx="${x + 5}" cy="10" r="4" fill="${CLASS_COLORS[k % CLASS_COLORS.length]}"/>`, text(x + 13, 14, `class ${k}`));
    x += 66;
  }
  if (test) parts.push(`<circle cx="${x + 5}" cy="10" r="3.5" fill="#ffffff" stroke="#475569" stroke-width="1.5"/>`, text(x + 13, 14, "held out (test)"));
  return parts.join("\n");
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
