/**
 * Updates a drawn graph in place with new numbers: the text of each box, its entries, its gradient bar,
 * the gradient bands' widths and the data attributes, with the renderer's own formulas
 * (src/view/renderSvg.ts). Replacing the whole SVG costs the page a parse and a layout of every element;
 * this touches only what changed. It applies only when `structureKey` is the one the drawing was made
 * with (same layout, selection, boxes showing entries, edges carrying a band); otherwise draw anew.
 *
 * @example
 * if (key === drawnKey) patchGraph(svg, layout, { summaries, m }); else container.innerHTML = renderSvg(…);
 */
import type { GraphLayout } from "../src/view/layoutGraph.ts";
import type { Summaries } from "../src/view/nodeSummaries.ts";
import { bandWidth, barWidth, gradLine, gradientScale, oneOverMTitle, showsEntriesIn, valueLine } from "../src/view/renderSvg.ts";
import { formatEntry } from "../src/view/boxEntries.ts";

export function patchGraph(svg: Element, layout: GraphLayout, options: { summaries: Summaries; m: number }): void {
  const { summaries, m } = options;
  const scaleOf = gradientScale(layout, summaries);
  const boxes = new Map<string, Element>();
  for (const g of svg.querySelectorAll(".gs-node")) boxes.set(g.getAttribute("data-id")!, g);
  const set = (el: Element | null, name: string, value: string) => {
    if (el && el.getAttribute(name) !== value) el.setAttribute(name, value);
  };
  const text = (el: Element | null | undefined, value: string) => {
    if (el && el.textContent !== value) el.textContent = value;
  };
  for (const n of layout.nodes) {
    const g = boxes.get(n.id);
    const s = summaries[n.id];
    if (!g || !s) continue;
    set(g, "data-value", String(s.value));
    set(g, "data-grad", String(s.grad));
    if (showsEntriesIn(n, s)) {
      for (const [kind, data] of [["value", s.entries!.value], ["grad", s.entries!.grad]] as const) {
        for (const e of g.querySelectorAll(`.gs-entries-${kind} .gs-entry`)) {
          const x = data[Number(e.getAttribute("data-index"))];
          set(e, "data-full", String(x));
          text(e, formatEntry(x));
        }
      }
    } else {
      text(g.querySelector(".gs-value"), valueLine(s));
      text(g.querySelector(".gs-gradient"), gradLine(s));
    }
    set(g.querySelector(".gs-grad-bar"), "width", barWidth(n, scaleOf(n.id)));
    if (n.oneOverM) text(g.querySelector(".gs-one-over-m title"), oneOverMTitle(n, m));
  }
  for (const edge of svg.querySelectorAll(".gs-edge")) {
    set(edge.querySelector(".gs-grad"), "stroke-width", bandWidth(scaleOf(edge.getAttribute("data-source")!)));
  }
}
