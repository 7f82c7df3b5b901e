/**
 * A small element builder for the explorer page: attributes as strings, children as nodes or text
 * (text is always set as text, never parsed as HTML).
 *
 * @example
 * h("button", { type: "button", class: "primary" }, ["Step"])
 */
export function h(tag: string, attrs: Record<string, string> = {}, children: (Node | string)[] = []): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(typeof c === "string" ? document.createTextNode(c) : c);
  return el;
}
