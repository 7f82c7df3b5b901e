/**
 * The view's palette and type sizes, shared by the SVG renderer and the explorer page so both read the
 * same way. Fonts are generic families only: a standalone SVG cannot rely on any installed font.
 *
 * @example
 * KIND_STYLE.param.fill // "#dcfce7"
 */
export type ViewKind = "input" | "param" | "op" | "loss" | "reduction";

export const VIEW_KINDS: readonly ViewKind[] = ["input", "param", "op", "loss", "reduction"];

export const KIND_STYLE: Readonly<Record<ViewKind, { fill: string; stroke: string; label: string }>> = {
  input: { fill: "#e0f2fe", stroke: "#0369a1", label: "input" },
  param: { fill: "#dcfce7", stroke: "#15803d", label: "param" },
  op: { fill: "#f8fafc", stroke: "#475569", label: "op" },
  loss: { fill: "#fef3c7", stroke: "#b45309", label: "loss (per sample)" },
  reduction: { fill: "#ede9fe", stroke: "#6d28d9", label: "reduction over samples" },
};

export const COLORS = {
  background: "#ffffff",
  text: "#0f172a",
  muted: "#64748b",
  forward: "#475569",
  value: "#1d4ed8",
  gradient: "#ea580c",
  oneOverM: "#6d28d9",
} as const;

export const FONT = {
  sans: "system-ui, sans-serif",
  mono: "ui-monospace, monospace",
  title: 14,
  small: 11,
  edge: 10,
  /** The entries of small tensors inside their boxes. */
  entry: 10,
  /** Width of a character as a fraction of the font size, generous so text fits whatever font is used. */
  charWidth: 0.62,
} as const;

/** An estimate of a text's width: the SVG is laid out before any font is known, so no measurement exists. */
export function textWidth(text: string, size: number): number {
  return Math.ceil([...text].length * size * FONT.charWidth);
}
