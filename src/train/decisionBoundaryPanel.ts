/**
 * The decision boundary over the data: the plane coloured by predicted class (light), the samples on top
 * coloured by their true class (strong), as the course's `plot_decision_boundary` shows the flower. Grid
 * cells of one class along a row are merged into one rectangle, so the file stays small. Held-out samples,
 * when given, are drawn as rings in their true class's colour (the explorer shows its test set so). The
 * panel is its two layers, `decisionArea` (changes as a network trains) under `decisionOverlay` (the frame
 * and the samples), which the explorer redraws separately.
 *
 * @example
 * decisionBoundaryPanel(grid, X, truth, { x: 560, y: 40, width: 360, height: 360 })
 * decisionBoundaryPanel(grid, X, truth, box, { X: testX, truth: testTruth })
 */
import type { Tensor } from "../tensor/tensor.ts";
import type { DecisionGrid } from "./decisionGrid.ts";
import { type Box, frame, linearScale, niceTicks, px } from "./plotAxes.ts";

/** Class colours: the course's red/blue (matplotlib's Spectral ends) first, then distinct hues. */
export const CLASS_COLORS = ["#d7191c", "#2b83ba", "#1a9641", "#fdae61", "#7b3294", "#636363"];
const AREA_COLORS = ["#f6c4c4", "#c3dced", "#c2e3c8", "#fee3c4", "#dcc6e6", "#dcdcdc"];

export function decisionBoundaryPanel(grid: DecisionGrid, X: Tensor, truth: Int32Array, box: Box, test?: { readonly X: Tensor; readonly truth: Int32Array }): string {
  return `${decisionArea(grid, box)}\n${decisionOverlay(grid, X, truth, box, test)}`;
}

/** The plane coloured by predicted class: the part of the panel that changes as a network trains. */
export function decisionArea(grid: DecisionGrid, box: Box): string {
  const { size } = grid;
  // Cell edges are rounded once and shared by neighbours, so the rectangles tile with no hairline gaps.
  const xEdge = (c: number) => Number(px(box.x + (c * box.width) / size));
  const yEdge = (r: number) => Number(px(box.y + box.height - (r * box.height) / size));
  const area: string[] = [];
  for (let r = 0; r < size; r++) {
    let c = 0;
    while (c < size) {
      const k = grid.classes[r * size + c];
      let end = c + 1;
      while (end < size && grid.classes[r * size + end] === k) end++;
      area.push(`<rect x="${xEdge(c)}" y="${yEdge(r + 1)}" width="${px(xEdge(end) - xEdge(c))}" height="${px(yEdge(r) - yEdge(r + 1))}" fill="${AREA_COLORS[k % AREA_COLORS.length]}"/>`);
      c = end;
    }
  }
  return [`<g class="decision-area" shape-rendering="crispEdges">`, ...area, `</g>`].join("\n");
}

/** The frame with its ticks, and the samples over the area: it depends on the data and the grid's range only. */
export function decisionOverlay(grid: DecisionGrid, X: Tensor, truth: Int32Array, box: Box, test?: { readonly X: Tensor; readonly truth: Int32Array }): string {
  const sx = linearScale(grid.x, [box.x, box.x + box.width]);
  const sy = linearScale(grid.y, [box.y + box.height, box.y]);
  const m = X.shape[1];
  const dots: string[] = [];
  for (let j = 0; j < m; j++) {
    const color = CLASS_COLORS[truth[j] % CLASS_COLORS.length];
    dots.push(`<circle cx="${px(sx(X.data[j]))}" cy="${px(sy(X.data[m + j]))}" r="2.6" fill="${color}" stroke="#1f2937" stroke-width="0.4"/>`);
  }
  if (test) {
    const n = test.X.shape[1];
    for (let j = 0; j < n; j++) {
      const color = CLASS_COLORS[test.truth[j] % CLASS_COLORS.length];
      dots.push(`<circle class="test" cx="${px(sx(test.X.data[j]))}" cy="${px(sy(test.X.data[n + j]))}" r="2.8" fill="#ffffff" stroke="${color}" stroke-width="1.5"/>`);
    }
  }
  const ticks = (d: readonly [number, number]) => niceTicks(d[0], d[1]).filter((t) => t >= d[0] && t <= d[1]);
  return [
    frame(box, grid.x, grid.y, { x: "x₁", y: "x₂" }, ticks(grid.x), ticks(grid.y), false),
    `<g class="samples">`,
    ...dots,
    `</g>`,
  ].join("\n");
}
