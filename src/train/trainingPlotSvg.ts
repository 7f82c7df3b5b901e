/**
 * The standalone SVG `gradstream train --plot` writes: the loss curve, and beside it, for a classifier on
 * two input features, the decision boundary over the data. Deterministic: the same run gives the same
 * bytes. No fonts, scripts or external references, so any browser opens it as it is.
 *
 * @example
 * writeFileSync("loss.svg", trainingPlotSvg({ title: "planar-tanh · sgd", losses, yTitle: "cost J" }));
 */
import type { Tensor } from "../tensor/tensor.ts";
import type { DecisionGrid } from "./decisionGrid.ts";
import { lossCurvePanel } from "./lossCurvePanel.ts";
import { CLASS_COLORS, decisionBoundaryPanel } from "./decisionBoundaryPanel.ts";
import { PLOT_FONT, PLOT_MUTED, PLOT_TEXT, text } from "./plotAxes.ts";

export interface TrainingPlot {
  readonly title: string;
  /** A second line under the title (optimizer, data, final accuracy). */
  readonly subtitle?: string;
  /** The cost at every step. */
  readonly losses: ArrayLike<number>;
  readonly yTitle: string;
  readonly boundary?: {
    readonly grid: DecisionGrid;
    /** The samples, `[2, m]`, and their true classes. */
    readonly X: Tensor;
    readonly truth: Int32Array;
    /** Names for the legend, in class order. */
    readonly classNames: readonly string[];
  };
}

const PANEL = 380;

export function trainingPlotSvg(plot: TrainingPlot): string {
  const top = plot.subtitle ? 70 : 52;
  const lossBox = { x: 80, y: top, width: plot.boundary ? 420 : 640, height: PANEL };
  const width = plot.boundary ? 80 + 420 + 90 + PANEL + 30 : 80 + 640 + 30;
  const height = top + PANEL + 70;
  const parts = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${PLOT_FONT}" font-size="12" fill="${PLOT_TEXT}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(20, 28, plot.title, `font-size="16" font-weight="600"`),
  ];
  if (plot.subtitle) parts.push(text(20, 48, plot.subtitle, `fill="${PLOT_MUTED}"`));
  parts.push(`<g class="loss">`, lossCurvePanel(plot.losses, lossBox, plot.yTitle), `</g>`);
  if (plot.boundary) {
    const box = { x: lossBox.x + lossBox.width + 90, y: top, width: PANEL, height: PANEL };
    parts.push(`<g class="decision-boundary">`, decisionBoundaryPanel(plot.boundary.grid, plot.boundary.X, plot.boundary.truth, box), `</g>`);
    let x = box.x;
    plot.boundary.classNames.forEach((name, k) => {
      parts.push(`<circle cx="${x + 5}" cy="${top - 9}" r="4" fill="${CLASS_COLORS[k % CLASS_COLORS.length]}"/>`, text(x + 13, top - 5, name));
      x += 24 + name.length * 7;
    });
  }
  parts.push(`</svg>`, "");
  return parts.join("\n");
}
