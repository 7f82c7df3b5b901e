/**
 * The graph on the page: the server's elkjs layout drawn by the same renderer as `gradstream render`,
 * redrawn with fresh summaries after each transaction (the layout itself never changes here). A click on
 * a box selects it.
 *
 * @example
 * const pane = createGraphPane(el, (id) => select(id));
 * pane.draw(problem.layout, summaries, { m: 4, selected: "W1" });
 */
import type { GraphLayout } from "../src/view/layoutGraph.ts";
import type { Summaries } from "../src/view/nodeSummaries.ts";
import { renderSvg } from "../src/view/renderSvg.ts";

export interface GraphPane {
  draw(layout: GraphLayout, summaries: Summaries, options: { m: number; selected?: string }): void;
}

/** Wide graphs are shrunk to fit, but never below this scale: past it the pane scrolls instead. */
const MIN_SCALE = 0.72;

export function createGraphPane(container: HTMLElement, onSelect: (id: string) => void): GraphPane {
  container.addEventListener("click", (event) => {
    const box = (event.target as Element).closest("[data-id]");
    if (box) onSelect(box.getAttribute("data-id")!);
  });
  let natural: { width: number; height: number } | undefined;
  const fit = () => {
    const svg = container.querySelector("svg");
    if (!svg || !natural) return;
    const available = container.clientWidth;
    const width = Math.min(natural.width, Math.max(available, natural.width * MIN_SCALE));
    svg.style.width = `${width}px`;
    svg.style.height = `${(width * natural.height) / natural.width}px`;
  };
  new ResizeObserver(fit).observe(container);
  return {
    draw(layout, summaries, { m, selected }) {
      container.innerHTML = renderSvg(layout, { summaries, m, selected, header: false });
      const svg = container.querySelector("svg")!;
      natural = { width: svg.viewBox.baseVal.width, height: svg.viewBox.baseVal.height };
      fit();
    },
  };
}
