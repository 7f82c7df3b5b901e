/**
 * The loss curve: the cost at every step as one polyline. Long runs are thinned to the lowest and the
 * highest cost in each pixel-wide bucket (in step order), so a noisy mini-batch curve keeps its band and a
 * smooth full-batch curve is drawn as it is, whatever the number of steps.
 *
 * @example
 * lossCurvePanel(losses, { x: 70, y: 40, width: 400, height: 300 }, "cost J (batch)")
 */
import { type Box, frame, linearScale, niceDomain, px, text, PLOT_TEXT } from "./plotAxes.ts";

export const CURVE_COLOR = "#1d4ed8";

export function lossCurvePanel(losses: ArrayLike<number>, box: Box, yTitle: string): string {
  const n = losses.length;
  const finite = Array.from(losses).filter(Number.isFinite);
  if (n === 0 || finite.length === 0) return text(box.x + box.width / 2, box.y + box.height / 2, "no finite cost to plot", `text-anchor="middle"`);
  let lo = finite[0], hi = lo;
  for (const v of finite) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  const yDomain = niceDomain(Math.min(0, lo), hi);
  const xDomain = niceDomain(0, Math.max(1, n - 1));
  const sx = linearScale(xDomain, [box.x, box.x + box.width]);
  const sy = linearScale(yDomain, [box.y + box.height, box.y]);
  const points = thin(losses, Math.max(2, Math.round(box.width)));
  const path = points.map(([i, v]) => `${px(sx(i))},${px(sy(v))}`).join(" ");
  const last = losses[n - 1];
  return [
    frame(box, xDomain, yDomain, { x: "iteration", y: yTitle }),
    `<polyline class="loss-curve" points="${path}" fill="none" stroke="${CURVE_COLOR}" stroke-width="1.5" stroke-linejoin="round"/>`,
    text(box.x + box.width - 6, box.y + 16, `iteration ${n - 1}: ${Number.isFinite(last) ? last.toPrecision(6) : String(last)}`, `text-anchor="end" fill="${PLOT_TEXT}"`),
  ].join("\n");
}

/**
 * At most ~2 points per bucket: the min and the max, in the order they occur. Non-finite costs are skipped.
 * (The explorer's cost chart thins its curves with it too.)
 *
 * @example
 * thin(costs, 400) // [[index, cost], ...], at most ~800 pairs
 */
export function thin(losses: ArrayLike<number>, buckets: number): [number, number][] {
  const n = losses.length;
  const out: [number, number][] = [];
  if (n <= 2 * buckets) {
    for (let i = 0; i < n; i++) if (Number.isFinite(losses[i])) out.push([i, losses[i]]);
    return out;
  }
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets), end = Math.floor(((b + 1) * n) / buckets);
    let iMin = -1, iMax = -1;
    for (let i = start; i < end; i++) {
      const v = losses[i];
      if (!Number.isFinite(v)) continue;
      if (iMin < 0 || v < losses[iMin]) iMin = i;
      if (iMax < 0 || v > losses[iMax]) iMax = i;
    }
    if (iMin < 0) continue;
    for (const i of iMin === iMax ? [iMin] : [Math.min(iMin, iMax), Math.max(iMin, iMax)]) out.push([i, losses[i]]);
  }
  return out;
}
