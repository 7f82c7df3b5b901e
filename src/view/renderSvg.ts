/**
 * Draws a laid-out graph as a standalone SVG: coloured boxes by kind, orthogonal edges labelled with
 * shapes, the 1/m badge on the mean node, and, given summaries, each node's value and gradient with the
 * gradient's size shown as a bar in the box and as the width of a band along the edges (values flow
 * forward along the thin arrows, gradients flow back along the orange bands). Pure and deterministic: the
 * same layout and summaries give the same bytes. The explorer page draws with it too.
 *
 * @example
 * const svg = renderSvg(await layoutGraph(graph, { values: true }), { summaries, m: 4 });
 * await writeFile("planar-tanh.svg", svg);
 */
import { BOX, EDGE_LABEL_HEIGHT, badgeWidth, entryGeometry, type EdgeRoute, type GraphLayout, type NodeBox } from "./layoutGraph.ts";
import type { NodeSummary, Summaries } from "./nodeSummaries.ts";
import { formatEntry } from "./boxEntries.ts";
import { escapeXml } from "./escapeXml.ts";
import { COLORS, FONT, KIND_STYLE, VIEW_KINDS, textWidth } from "./theme.ts";

export interface RenderOptions {
  /** Value and gradient summaries per id; without them the boxes show structure only. */
  summaries?: Summaries;
  /** The batch size, for the 1/m badge's explanation. */
  m?: number;
  /** An id drawn highlighted (the explorer's selection). */
  selected?: string;
  /** Draw the graph's name and description above the legend (default true; the page has its own). */
  header?: boolean;
}

/** Gradient sizes are shown on a log scale spanning this many decades below the largest. */
const DECADES = 6;
const HEADER_PLAIN = 30;
const HEADER_WITH_DESCRIPTION = 48;
const LEGEND_LINE = 18;
/** The legend wraps to the drawing's width, but never narrower than this. */
const MIN_LEGEND_WIDTH = 330;

export function renderSvg(layout: GraphLayout, options: RenderOptions = {}): string {
  const { summaries, m, selected, header = true } = options;
  const headerHeight = header ? (layout.description ? HEADER_WITH_DESCRIPTION : HEADER_PLAIN) : 4;
  const headerWidth = header ? Math.max(textWidth(layout.description ?? "", 12), textWidth(layout.name, 16)) + 16 : 0;
  const legend = renderLegend(headerHeight + 14, summaries !== undefined, Math.max(layout.width, headerWidth, MIN_LEGEND_WIDTH) - 16);
  const top = headerHeight + legend.height;
  const width = Math.ceil(Math.max(layout.width, legend.width + 16, headerWidth));
  const height = Math.ceil(top + layout.height);
  const scaleOf = gradientScale(layout, summaries);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="${FONT.sans}" role="img" aria-labelledby="gs-title">`,
    `<title id="gs-title">${escapeXml(`${layout.name}: computation graph`)}</title>`,
    `<defs>`,
    `<marker id="gs-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,1 L9,5 L0,9 z" fill="${COLORS.forward}"/></marker>`,
    `<marker id="gs-back" viewBox="0 0 10 10" refX="1" refY="5" markerWidth="9" markerHeight="9" orient="auto" markerUnits="userSpaceOnUse"><path d="M10,0 L0,5 L10,10 z" fill="${COLORS.gradient}"/></marker>`,
    `</defs>`,
    `<rect width="${width}" height="${height}" fill="${COLORS.background}"/>`,
  );
  if (header) out.push(`<text x="8" y="20" font-size="16" font-weight="700" fill="${COLORS.text}">${escapeXml(layout.name)}</text>`);
  if (header && layout.description) out.push(`<text x="8" y="38" font-size="12" fill="${COLORS.muted}">${escapeXml(layout.description)}</text>`);
  out.push(legend.svg);
  out.push(`<g transform="translate(0,${top})">`);
  out.push(`<g class="gs-edges">`);
  for (const e of layout.edges) out.push(renderEdge(e, summaries ? scaleOf(e.source) : undefined));
  out.push(`</g>`, `<g class="gs-nodes">`);
  for (const n of layout.nodes) out.push(renderNode(n, summaries?.[n.id], scaleOf(n.id), n.id === selected, m));
  out.push(`</g>`, `</g>`, `</svg>`);
  return out.join("\n") + "\n";
}

function renderEdge(e: EdgeRoute, gradFraction: number | undefined): string {
  const d = "M" + e.points.map(([x, y]) => `${num(x)},${num(y)}`).join(" L");
  const parts = [`<g class="gs-edge" data-source="${escapeXml(e.source)}" data-target="${escapeXml(e.target)}" data-slot="${e.slot}">`];
  if (gradFraction !== undefined && gradFraction > 0) {
    // The gradient band runs under the arrow, from the target back to the source, as the gradient flows.
    parts.push(`<path class="gs-grad" d="${d}" fill="none" stroke="${COLORS.gradient}" stroke-opacity="0.35" stroke-width="${bandWidth(gradFraction)}" stroke-linejoin="round" marker-start="url(#gs-back)"/>`);
  }
  parts.push(`<path class="gs-fwd" d="${d}" fill="none" stroke="${COLORS.forward}" stroke-width="1.3" marker-end="url(#gs-arrow)"/>`);
  const { x, y, width } = e.labelBox;
  parts.push(`<rect x="${num(x)}" y="${num(y)}" width="${num(width)}" height="${EDGE_LABEL_HEIGHT}" rx="2" fill="${COLORS.background}" fill-opacity="0.85"/>`);
  parts.push(`<text class="gs-shape" x="${num(x + width / 2)}" y="${num(y + EDGE_LABEL_HEIGHT - 2.5)}" text-anchor="middle" font-family="${FONT.mono}" font-size="${FONT.edge}" fill="${COLORS.muted}">${escapeXml(e.label)}</text>`);
  parts.push(`</g>`);
  return parts.join("");
}

function renderNode(n: NodeBox, s: Summaries[string] | undefined, gradFraction: number, selected: boolean, m: number | undefined): string {
  const style = KIND_STYLE[n.kind];
  const attrs = [`class="gs-node gs-kind-${n.kind}${selected ? " gs-selected" : ""}"`, `data-id="${escapeXml(n.id)}"`, `data-kind="${n.kind}"`, `transform="translate(${num(n.x)},${num(n.y)})"`];
  if (s) attrs.push(`data-value="${s.value}"`, `data-grad="${s.grad}"`);
  const parts = [`<g ${attrs.join(" ")}>`];
  parts.push(`<title>${escapeXml(`${n.id}: ${n.subtitle}${n.kind === "input" || n.kind === "param" ? "" : ` → ${n.shape}`}`)}</title>`);
  if (selected) parts.push(`<rect x="-4" y="-4" width="${num(n.width + 8)}" height="${num(n.height + 8)}" rx="9" fill="none" stroke="${COLORS.value}" stroke-width="2.5" stroke-dasharray="5 3"/>`);
  parts.push(`<rect width="${num(n.width)}" height="${num(n.height)}" rx="6" fill="${style.fill}" stroke="${style.stroke}" stroke-width="${n.isCost ? 2.5 : 1.3}"/>`);
  parts.push(`<text x="${BOX.padX}" y="${BOX.titleY}" font-size="${FONT.title}" font-weight="700" fill="${COLORS.text}">${escapeXml(n.id)}</text>`);
  parts.push(`<text x="${BOX.padX}" y="${BOX.subtitleY}" font-size="${FONT.small}" fill="${COLORS.muted}">${escapeXml(n.subtitle)}</text>`);
  if (n.oneOverM) {
    const why = oneOverMTitle(n, m);
    const w = badgeWidth(n);
    parts.push(`<g class="gs-one-over-m"><title>${escapeXml(why)}</title><rect x="${num(n.width - 6 - w)}" y="6" width="${w}" height="17" rx="8.5" fill="${COLORS.oneOverM}"/><text x="${num(n.width - 6 - w / 2)}" y="18.5" text-anchor="middle" font-size="11" font-weight="700" fill="#ffffff">${escapeXml(`×1/${n.oneOverSum ?? "m"}`)}</text></g>`);
  }
  if (s) {
    const track = n.width - 2 * BOX.padX;
    const shown = showsEntriesIn(n, s);
    const barY = shown ? renderEntries(parts, s.entries!) : BOX.barY;
    if (!shown) {
      parts.push(`<text class="gs-value" x="${BOX.padX}" y="${BOX.valueY}" font-family="${FONT.mono}" font-size="${FONT.small}" fill="${COLORS.value}">${escapeXml(valueLine(s))}</text>`);
      parts.push(`<text class="gs-gradient" x="${BOX.padX}" y="${BOX.gradY}" font-family="${FONT.mono}" font-size="${FONT.small}" fill="${COLORS.gradient}">${escapeXml(gradLine(s))}</text>`);
    }
    parts.push(`<rect x="${BOX.padX}" y="${barY}" width="${num(track)}" height="${BOX.barHeight}" rx="2" fill="#e2e8f0"/>`);
    parts.push(`<rect class="gs-grad-bar" x="${BOX.padX}" y="${barY}" width="${barWidth(n, gradFraction)}" height="${BOX.barHeight}" rx="2" fill="${COLORS.gradient}"/>`);
  }
  parts.push(`</g>`);
  return parts.join("");
}

/** Every entry of the value, then of the gradient, right-aligned in columns; returns where the bar goes. */
function renderEntries(parts: string[], e: NonNullable<NodeSummary["entries"]>): number {
  const geo = entryGeometry(e.rows, e.cols);
  const block = (kind: "value" | "grad", data: ArrayLike<number>, top: number, color: string) => {
    parts.push(`<g class="gs-entries-${kind}" font-family="${FONT.mono}" font-size="${FONT.entry}" fill="${color}">`);
    parts.push(`<text x="${BOX.padX}" y="${top}" font-size="${FONT.small}">${kind === "value" ? "val" : "grad"}</text>`);
    geo.lines.forEach((line, l) =>
      line.forEach((i, k) => {
        const x = BOX.padX + BOX.entryLabelWidth + (k + 1) * BOX.entryWidth - 4;
        parts.push(`<text class="gs-entry" data-index="${i}" data-full="${data[i]}" x="${x}" y="${top + l * BOX.entryLine}" text-anchor="end">${escapeXml(formatEntry(data[i]))}</text>`);
      }),
    );
    parts.push(`</g>`);
  };
  block("value", e.value, geo.valueY, COLORS.value);
  block("grad", e.grad, geo.gradY, COLORS.gradient);
  return geo.barY;
}

/** The legend's items, set left to right and wrapped to `maxWidth`; its height includes the space below it. */
function renderLegend(y: number, withValues: boolean, maxWidth: number): { svg: string; width: number; height: number } {
  const items: { width: number; draw: (x: number, y: number) => string }[] = VIEW_KINDS.map((kind) => {
    const { fill, stroke, label } = KIND_STYLE[kind];
    return { width: 18 + textWidth(label, 11), draw: (x, y) => `<rect x="${x}" y="${y - 9}" width="14" height="11" rx="3" fill="${fill}" stroke="${stroke}"/><text x="${x + 18}" y="${y}">${escapeXml(label)}</text>` };
  });
  const oneOverM = "where the 1/m enters";
  items.push({ width: 39 + textWidth(oneOverM, 11), draw: (x, y) => `<rect x="${x}" y="${y - 10}" width="34" height="13" rx="6.5" fill="${COLORS.oneOverM}"/><text x="${x + 17}" y="${y}" text-anchor="middle" font-weight="700" fill="#ffffff">×1/m</text><text x="${x + 39}" y="${y}">${oneOverM}</text>` });
  if (withValues) {
    const fwd = "value (forward)";
    const back = "gradient dJ/dx (backward; width ~ log size)";
    items.push({ width: 26 + textWidth(fwd, 11), draw: (x, y) => `<path d="M${x},${y - 4} L${x + 20},${y - 4}" stroke="${COLORS.forward}" stroke-width="1.3" marker-end="url(#gs-arrow)"/><text x="${x + 26}" y="${y}" fill="${COLORS.value}">${fwd}</text>` });
    items.push({ width: 26 + textWidth(back, 11), draw: (x, y) => `<path d="M${x},${y - 4} L${x + 20},${y - 4}" stroke="${COLORS.gradient}" stroke-opacity="0.35" stroke-width="7"/><text x="${x + 26}" y="${y}" fill="${COLORS.gradient}">${back}</text>` });
  }
  const parts: string[] = [`<g class="gs-legend" font-size="11" fill="${COLORS.text}">`];
  let x = 8;
  let line = 0;
  let width = 0;
  for (const item of items) {
    if (x > 8 && x + item.width > 8 + maxWidth) {
      x = 8;
      line++;
    }
    parts.push(item.draw(x, y + line * LEGEND_LINE));
    width = Math.max(width, x + item.width);
    x += item.width + 12;
  }
  parts.push(`</g>`);
  return { svg: parts.join(""), width, height: (line + 1) * LEGEND_LINE + 6 };
}

/*
 * The parts of the drawing that change with the numbers, for `renderSvg` and for the explorer's in-place
 * update (web/graphPatch.ts), so both draw the same; `structureKey` names everything else that depends on
 * the options: when it changes, the drawing is made anew.
 */

/** Box text for a summary: "val ‖·‖ 1.23", "grad = 0.05". */
export const valueLine = (s: NodeSummary) => `val ${s.valueText}`;
export const gradLine = (s: NodeSummary) => `grad ${s.gradText}`;
export const barWidth = (n: NodeBox, gradFraction: number) => num((n.width - 2 * BOX.padX) * gradFraction);
export const bandWidth = (gradFraction: number) => num(2 + 9 * gradFraction);
export function oneOverMTitle(n: NodeBox, m: number | undefined): string {
  if (n.oneOverSum) return `The 1/m becomes 1/${n.oneOverSum} here: ${n.id} is a mean over the items ${n.oneOverSum.slice(1)} counts, not over the ${m ? `m = ${m} ` : ""}samples. Every gradient upstream carries the 1/${n.oneOverSum}.`;
  return `The 1/m of the cost enters here: ${n.id} = (1/m)·Σᵢ over the samples${m ? `, m = ${m}, 1/m = ${1 / m}` : ""}. Every gradient upstream carries it.`;
}

/** The box shows every entry (its layout made room for this shape), rather than the two summary lines. */
export function showsEntriesIn(n: NodeBox, s: NodeSummary): boolean {
  return !!(s.entries && n.entries && s.entries.rows === n.entries[0] && s.entries.cols === n.entries[1]);
}

/** What fixes the drawing's elements for given numbers: the layout, the selection, which boxes show entries, which edges carry a band. */
export function structureKey(layout: GraphLayout, options: RenderOptions): string {
  const { summaries, selected, header = true } = options;
  const scaleOf = gradientScale(layout, summaries);
  const entries = summaries ? layout.nodes.filter((n) => summaries[n.id] && showsEntriesIn(n, summaries[n.id])).map((n) => n.id) : [];
  const bands = summaries ? layout.edges.filter((e) => scaleOf(e.source) > 0).map((e) => e.id) : [];
  return JSON.stringify([layout.width, layout.height, layout.nodes.length, header, selected ?? "", summaries ? 1 : 0, entries, bands]);
}

/**
 * Maps an id to the size of its gradient in [0, 1] on a log scale relative to the largest gradient in
 * the graph (the cost's own gradient, always 1, is left out: it would set the scale for nothing).
 */
export function gradientScale(layout: GraphLayout, summaries: Summaries | undefined): (id: string) => number {
  if (!summaries) return () => 0;
  const cost = layout.nodes.find((n) => n.isCost)?.id;
  let largest = 0;
  for (const n of layout.nodes) if (n.id !== cost && summaries[n.id]) largest = Math.max(largest, Math.abs(summaries[n.id].grad));
  return (id) => {
    const g = Math.abs(summaries[id]?.grad ?? 0);
    if (id === cost) return 1;
    if (!(g > 0) || !(largest > 0)) return 0;
    return Math.max(0, 1 + Math.log10(g / largest) / DECADES);
  };
}

function num(x: number): string {
  return String(Math.round(x * 100) / 100);
}
