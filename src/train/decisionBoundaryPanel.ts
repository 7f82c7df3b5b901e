/**
 * The decision boundary over the data: the plane coloured by predicted class (light), the samples on top
 * coloured by their true class (strong), as the course's `plot_decision_boundary` shows the flower. Grid
 * cells of one class along a row are merged into one rectangle, so the file stays small.
 *
 * @example
 * decisionBoundaryPanel(grid, X, truth, 2, { x: 560, y: 40, width: 360, height: 360 })
 */
import type { Tensor } from "../tensor/tensor.ts";
import type { DecisionGrid } from "./decisionGrid.ts";
import { type Box, frame, linearScale, niceTicks, px } from "./plotAxes.ts";

/** Class colours: the course's red/blue (matplotlib's Spectral ends) first, then distinct hues. */
export const CLASS_COLORS = ["#d7191c", "#2b83ba", "#1a9641", "#fdae61", "#7b3294", "#636363"];
const AREA_COLORS = ["#f6c4c4", "#c3dced", "#c2e3c8", "#fee3c4", "#dcc6e6", "#dcdcdc"];

export function decisionBoundaryPanel(grid: DecisionGrid, X: Tensor, truth: Int32Array, box: Box): string {
  const { size } = grid;
  const sx = linearScale(grid.x, [box.x, box.x + box.width]);
  const sy = linearScale(grid.y, [box.y + box.height, box.y]);
  const cellW = box.width / size, cellH = box.height / size;
  const area: string[] = [];
  for (let r = 0; r < size; r++) {
    let c = 0;
    while (c < size) {
      const k = grid.classes[r * size + c];
      let end = c + 1;
      while (end < size && grid.classes[r * size + end] === k) end++;
      const top = box.y + box.height - (r + 1) * cellH;
      area.push(`<rect x="${px(box.x + c * cellW)}" y="${px(top)}" width="${px((end - c) * cellW)}" height="${px(cellH)}" fill="${AREA_COLORS[k % AREA_COLORS.length]}"/>`);
      c = end;
    }
  }
  const m = X.shape[1];
  const dots: string[] = [];
  for (let j = 0; j < m; j++) {
    const color = CLASS_COLORS[truth[j] % CLASS_COLORS.length];
    dots.push(`<circle cx="${px(sx(X.data[j]))}" cy="${px(sy(X.data[m + j]))}" r="2.6" fill="${color}" stroke="#1f2937" stroke-width="0.4"/>`);
  }
  const ticks = (d: readonly [number, number]) => niceTicks(d[0], d[1]).filter((t) => t >= d[0] && t <= d[1]);
  return [
    `<g class="decision-area" shape-rendering="crispEdges">`,
    ...area,
    `</g>`,
    frame(box, grid.x, grid.y, { x: "x₁", y: "x₂" }, ticks(grid.x), ticks(grid.y), false),
    `<g class="samples">`,
    ...dots,
    `</g>`,
  ].join("\n");
}
