/**
 * The pieces the training plots share: "nice" tick values (1, 2 or 5 times a power of ten), a linear
 * scale from data to pixels, a frame with ticks and labels, and number formatting that prints the same
 * text on every machine (so a plot is a deterministic function of its numbers).
 *
 * @example
 * niceTicks(0.21, 0.69)             // [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
 * const sx = linearScale([0, 10], [40, 440]); sx(5) // 240
 */
import { escapeXml } from "../view/escapeXml.ts";

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export const PLOT_FONT = "system-ui, sans-serif";
export const PLOT_TEXT = "#0f172a";
export const PLOT_MUTED = "#64748b";
export const PLOT_GRID = "#e2e8f0";

export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(round(k * step));
  return ticks;
}

/** The interval [lo, hi] widened to whole ticks. */
export function niceDomain(lo: number, hi: number, count = 5): [number, number] {
  if (!(hi > lo)) return lo === 0 ? [0, 1] : [lo - Math.abs(lo) * 0.1, hi + Math.abs(hi) * 0.1];
  const ticks = niceTicks(lo, hi, count);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : hi - lo;
  return [round(Math.floor(lo / step + 1e-9) * step), round(Math.ceil(hi / step - 1e-9) * step)];
}

export function linearScale([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** A number for a label: at most 4 significant digits, no float noise ("0.30000000000000004" → "0.3"). */
export function label(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}

/** A pixel coordinate: two decimals are finer than any screen and keep the file small. */
export function px(v: number): string {
  return String(Math.round(v * 100) / 100);
}

export function text(x: number, y: number, content: string, attrs = ""): string {
  return `<text x="${px(x)}" y="${px(y)}"${attrs ? " " + attrs : ""}>${escapeXml(content)}</text>`;
}

/** Gridlines, ticks and tick labels on the left and bottom of a plot box, and the axis titles. */
export function frame(box: Box, xDomain: readonly [number, number], yDomain: readonly [number, number], titles: { x: string; y: string }, xTicks = niceTicks(...xDomain), yTicks = niceTicks(...yDomain), gridlines = true): string {
  const sx = linearScale(xDomain, [box.x, box.x + box.width]);
  const sy = linearScale(yDomain, [box.y + box.height, box.y]);
  const parts: string[] = [];
  for (const t of yTicks) {
    const y = sy(t);
    if (gridlines) parts.push(`<line x1="${px(box.x)}" y1="${px(y)}" x2="${px(box.x + box.width)}" y2="${px(y)}" stroke="${PLOT_GRID}"/>`);
    else parts.push(`<line x1="${px(box.x - 4)}" y1="${px(y)}" x2="${px(box.x)}" y2="${px(y)}" stroke="${PLOT_MUTED}"/>`);
    parts.push(text(box.x - 6, y + 4, label(t), `text-anchor="end"`));
  }
  for (const t of xTicks) {
    const x = sx(t);
    parts.push(`<line x1="${px(x)}" y1="${px(box.y + box.height)}" x2="${px(x)}" y2="${px(box.y + box.height + 4)}" stroke="${PLOT_MUTED}"/>`);
    parts.push(text(x, box.y + box.height + 16, label(t), `text-anchor="middle"`));
  }
  parts.push(`<rect x="${px(box.x)}" y="${px(box.y)}" width="${px(box.width)}" height="${px(box.height)}" fill="none" stroke="${PLOT_MUTED}"/>`);
  parts.push(text(box.x + box.width / 2, box.y + box.height + 34, titles.x, `text-anchor="middle" fill="${PLOT_MUTED}"`));
  const cy = box.y + box.height / 2;
  parts.push(text(box.x - 44, cy, titles.y, `text-anchor="middle" fill="${PLOT_MUTED}" transform="rotate(-90 ${px(box.x - 44)} ${px(cy)})"`));
  return parts.join("\n");
}

function round(v: number): number {
  return Number(v.toPrecision(12));
}
