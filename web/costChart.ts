/**
 * The cost chart: J after every update with axes (update on x, cost on y, from the training plots'
 * `frame`), the test cost as a dashed line when there is a held-out set, and a labelled dashed rule at
 * each mark (a new batch, m, dataset, or a reset), where the curve breaks. Long runs are thinned as the
 * training plot's loss curve is.
 *
 * @example
 * svg.innerHTML = costChartSvg(history, { width: 380, height: 210 }, "J");
 */
import type { CostHistory } from "./costHistory.ts";
import { type Box, frame, linearScale, niceDomain, px, text, PLOT_MUTED } from "../src/train/plotAxes.ts";
import { thin } from "../src/train/lossCurvePanel.ts";

export const TRAIN_COLOR = "#1d4ed8";
export const TEST_COLOR = "#b45309";
const MARK_COLOR = "#6d28d9";

export function costChartSvg(history: CostHistory, size: { width: number; height: number }, loss: string): string {
  // Room for the y tick labels and title on the left, and for half a tick label past the last x tick.
  const box: Box = { x: 56, y: 22, width: size.width - 56 - 22, height: size.height - 22 - 40 };
  const { updates, train, test, marks } = history;
  if (updates.length === 0) return text(box.x + box.width / 2, box.y + box.height / 2, "the cost appears here", `text-anchor="middle" fill="${PLOT_MUTED}"`);
  let lo = Infinity, hi = -Infinity;
  for (const v of train) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  for (const t of test) if (Number.isFinite(t.cost)) (lo = Math.min(lo, t.cost)), (hi = Math.max(hi, t.cost));
  if (!(hi >= lo)) (lo = 0), (hi = 1);
  const first = updates[0];
  const last = updates[updates.length - 1];
  const xDomain = niceDomain(first, Math.max(first + 1, last));
  const yDomain = niceDomain(Math.min(0, lo), hi);
  const sx = linearScale(xDomain, [box.x, box.x + box.width]);
  const sy = linearScale(yDomain, [box.y + box.height, box.y]);
  const parts = [frame(box, xDomain, yDomain, { x: "update", y: `cost ${loss}` })];

  // The training curve, one polyline per stretch between marks.
  const cuts = marks.map((m) => updates.indexOf(m.update)).filter((i) => i > 0);
  const starts = [0, ...cuts];
  starts.forEach((start, s) => {
    const end = s + 1 < starts.length ? starts[s + 1] : updates.length;
    const stretch = train.slice(start, end);
    const points = thin(stretch, Math.max(2, Math.round((box.width * stretch.length) / Math.max(1, updates.length))));
    if (points.length) parts.push(`<polyline class="train" points="${points.map(([i, v]) => `${px(sx(updates[start + i]))},${px(sy(v))}`).join(" ")}" fill="none" stroke="${TRAIN_COLOR}" stroke-width="1.6" stroke-linejoin="round"/>`);
  });
  if (test.length) {
    const points = test.filter((t) => Number.isFinite(t.cost)).map((t) => `${px(sx(t.update))},${px(sy(t.cost))}`);
    parts.push(`<polyline class="test" points="${points.join(" ")}" fill="none" stroke="${TEST_COLOR}" stroke-width="1.6" stroke-dasharray="5 3" stroke-linejoin="round"/>`);
  }
  for (const m of marks) {
    const x = sx(m.update);
    parts.push(`<g class="mark" data-update="${m.update}"><line x1="${px(x)}" y1="${px(box.y)}" x2="${px(x)}" y2="${px(box.y + box.height)}" stroke="${MARK_COLOR}" stroke-dasharray="2 3"/>${text(x + 3, box.y + 11, m.label, `fill="${MARK_COLOR}" font-size="10"`)}</g>`);
  }
  // A legend above the plot.
  parts.push(`<line x1="${box.x}" y1="9" x2="${box.x + 18}" y2="9" stroke="${TRAIN_COLOR}" stroke-width="2"/>`, text(box.x + 22, 13, `training ${loss}`));
  if (test.length) parts.push(`<line x1="${box.x + 110}" y1="9" x2="${box.x + 128}" y2="9" stroke="${TEST_COLOR}" stroke-width="2" stroke-dasharray="5 3"/>`, text(box.x + 132, 13, `test ${loss}`));
  return parts.join("\n");
}
