/**
 * A tensor as a scrolling grid of its entries, with row and column numbers, for any size: only the
 * cells in view (and a margin) exist in the page, so a 128×784 weight matrix scrolls as lightly as a
 * 4×2 one. Value grids of inputs and params are editable entry by entry (type a number, Enter; Escape
 * puts the value back). Each cell carries its full float64 in `data-full`, its place in `data-row` and
 * `data-col`.
 *
 * @example
 * const grid = createTensorGrid({ kind: "value", id: "W1", editable: true, onFocusEntry, onCommit });
 * panel.append(grid.element); grid.update(snapshot.values.W1);
 */
import type { Tensor } from "../src/tensor/tensor.ts";
import { formatNumber } from "../src/cli/format.ts";
import { h } from "./dom.ts";

export interface GridOptions {
  readonly kind: "value" | "grad";
  /** The tensor's id, for the cells' accessible names. */
  readonly id: string;
  readonly editable: boolean;
  onFocusEntry?(row: number, col: number): void;
  onCommit?(row: number, col: number, text: string): void;
}

export interface TensorGrid {
  readonly element: HTMLElement;
  /** Shows these numbers (same shape as before, or a new shape: the grid resizes). */
  update(t: Tensor): void;
  /** Scrolls (row, col) into view and focuses its cell. */
  focusEntry(row: number, col: number): void;
}

/** Cell and header sizes in px; the CSS gives cells exactly this size. */
export const CELL = { width: 106, height: 26, rowHead: 40, colHead: 18 } as const;
/** Cells kept beyond the visible ones on each side, so a short scroll shows no gap. */
const OVERSCAN = 3;

export function createTensorGrid(options: GridOptions): TensorGrid {
  const { kind, id, editable } = options;
  const colHead = h("div", { class: "grid-colhead" });
  const rowHead = h("div", { class: "grid-rowhead" });
  const cellLayer = h("div", { class: "grid-cells" });
  const sizer = h("div", { class: "grid-sizer" }, [colHead, rowHead, cellLayer]);
  const element = h("div", { class: `grid grid-${kind}`, "data-testid": `${kind}-grid` }, [sizer]);
  let tensor: Tensor | undefined;
  let rows = 0;
  let cols = 0;
  const cells = new Map<number, HTMLElement>();
  const heads = new Map<string, HTMLElement>();
  /** The cell being typed in: updates leave its text alone until the user commits it. */
  let editing: HTMLInputElement | undefined;
  let queued = false;

  const text = (x: number) => formatNumber(x, 6);

  function makeCell(r: number, c: number): HTMLElement {
    const cell = editable ? (h("input", { class: "cell", type: "text", autocomplete: "off", spellcheck: "false", "aria-label": `${id}[${r}][${c}]` }) as HTMLInputElement) : h("span", { class: "num" });
    cell.dataset.row = String(r);
    cell.dataset.col = String(c);
    cell.style.left = `${c * CELL.width}px`;
    cell.style.top = `${r * CELL.height}px`;
    if (cell instanceof HTMLInputElement) {
      cell.addEventListener("focus", () => options.onFocusEntry?.(r, c));
      cell.addEventListener("input", () => (editing = cell));
      cell.addEventListener("change", () => {
        editing = undefined;
        options.onCommit?.(r, c, cell.value);
      });
      cell.addEventListener("keydown", (e) => {
        if (e.key === "Escape") {
          editing = undefined;
          cell.value = text(Number(cell.dataset.full));
          cell.blur();
        }
      });
    }
    return cell;
  }

  function fill(cell: HTMLElement): void {
    const x = tensor!.data[Number(cell.dataset.row) * cols + Number(cell.dataset.col)];
    const full = String(x);
    const changed = cell.dataset.full !== full;
    if (changed) cell.dataset.full = full;
    if (cell instanceof HTMLInputElement) {
      // A refused entry is typed over with the last good value; the one being typed in is left alone.
      if (cell !== editing && (changed || cell.value !== text(x))) cell.value = text(x);
    } else if (changed) cell.textContent = text(x);
  }

  function head(key: string, label: string, place: (el: HTMLElement) => void, parent: HTMLElement, keep: Set<string>): void {
    keep.add(key);
    if (heads.has(key)) return;
    const el = h("span", {}, [label]);
    place(el);
    heads.set(key, el);
    parent.append(el);
  }

  /** Makes the cells in view (and the margin) exist, and only those; the focused cell is never dropped. */
  function render(): void {
    if (!tensor) return;
    const top = Math.max(0, element.scrollTop - CELL.colHead);
    const left = Math.max(0, element.scrollLeft - CELL.rowHead);
    const height = element.clientHeight || 320;
    const width = element.clientWidth || 640;
    const r0 = Math.max(0, Math.floor(top / CELL.height) - OVERSCAN);
    const r1 = Math.min(rows, Math.ceil((top + height) / CELL.height) + OVERSCAN);
    const c0 = Math.max(0, Math.floor(left / CELL.width) - OVERSCAN);
    const c1 = Math.min(cols, Math.ceil((left + width) / CELL.width) + OVERSCAN);
    const keep = new Set<number>();
    for (let r = r0; r < r1; r++) {
      for (let c = c0; c < c1; c++) {
        const key = r * cols + c;
        keep.add(key);
        let cell = cells.get(key);
        if (!cell) {
          cell = makeCell(r, c);
          cells.set(key, cell);
          cellLayer.append(cell);
        }
        fill(cell);
      }
    }
    for (const [key, cell] of cells) {
      if (!keep.has(key) && cell !== document.activeElement) {
        cell.remove();
        cells.delete(key);
      }
    }
    const keepHeads = new Set<string>();
    for (let c = c0; c < c1; c++) head(`c${c}`, String(c), (el) => (el.style.left = `${CELL.rowHead + c * CELL.width}px`), colHead, keepHeads);
    for (let r = r0; r < r1; r++) head(`r${r}`, String(r), (el) => (el.style.top = `${r * CELL.height}px`), rowHead, keepHeads);
    for (const [key, el] of heads) {
      if (!keepHeads.has(key)) {
        el.remove();
        heads.delete(key);
      }
    }
  }

  const schedule = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      render();
    });
  };
  element.addEventListener("scroll", schedule);
  new ResizeObserver(schedule).observe(element);

  return {
    element,
    update(t) {
      const [r, c] = t.shape;
      if (r !== rows || c !== cols) {
        for (const cell of cells.values()) cell.remove();
        for (const el of heads.values()) el.remove();
        cells.clear();
        heads.clear();
        editing = undefined;
        rows = r;
        cols = c;
        sizer.style.width = `${CELL.rowHead + c * CELL.width}px`;
        sizer.style.height = `${CELL.colHead + r * CELL.height}px`;
        rowHead.style.height = `${r * CELL.height}px`;
        cellLayer.style.width = `${c * CELL.width}px`;
        cellLayer.style.height = `${r * CELL.height}px`;
      }
      tensor = t;
      render();
    },
    focusEntry(row, col) {
      element.scrollTop = Math.max(0, CELL.colHead + row * CELL.height - element.clientHeight / 2);
      element.scrollLeft = Math.max(0, CELL.rowHead + col * CELL.width - element.clientWidth / 2);
      render();
      (cells.get(row * cols + col) as HTMLInputElement | undefined)?.focus();
    },
  };
}
