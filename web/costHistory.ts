/**
 * A sparkline of the cost over the page's transactions, drawn into an SVG of viewBox 300×70: the
 * shape of descent (or divergence) at a glance.
 *
 * @example
 * drawHistory(svgElement, [0.69, 0.61, 0.52]);
 */
export function drawHistory(svg: SVGSVGElement, values: readonly number[]): void {
  const W = 300;
  const H = 70;
  const pad = 4;
  if (values.length < 2) {
    svg.innerHTML = `<line x1="0" y1="${H - pad}" x2="${W}" y2="${H - pad}" stroke="#cbd5e1" stroke-dasharray="3 3"/>`;
    return;
  }
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const x = (i: number) => (i / (values.length - 1)) * W;
  const y = (v: number) => pad + (1 - (v - lo) / span) * (H - 2 * pad);
  const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  svg.innerHTML =
    `<polygon points="0,${H} ${points} ${W},${H}" fill="#ea580c" fill-opacity="0.08"/>` +
    `<polyline points="${points}" fill="none" stroke="#ea580c" stroke-width="2" vector-effect="non-scaling-stroke"/>`;
}
