/**
 * Writes the transpose of a row-major `[rows, cols]` matrix into `out` from offset `off`, as `[cols, rows]`
 * with its rows `stride` apart (default `rows`, packed; a wider stride leaves the gaps untouched).
 * Four source rows are read at a time, so each write fills four adjacent numbers of an output row: about
 * twice the speed of the element-by-element loop or of a square cache-blocked one at the sizes used here.
 *
 * @example
 * const out = new Float64Array(6);
 * transposeInto(Float64Array.of(1, 2, 3, 4, 5, 6), 2, 3, out, 0); // out = [1, 4, 2, 5, 3, 6]
 */
export function transposeInto(src: Float64Array, rows: number, cols: number, out: Float64Array, off: number, stride = rows): void {
  const r4 = rows - (rows % 4);
  for (let i = 0; i < r4; i += 4) {
    const s0 = i * cols, s1 = s0 + cols, s2 = s1 + cols, s3 = s2 + cols;
    for (let j = 0, w = off + i; j < cols; j++, w += stride) {
      out[w] = src[s0 + j];
      out[w + 1] = src[s1 + j];
      out[w + 2] = src[s2 + j];
      out[w + 3] = src[s3 + j];
    }
  }
  for (let i = r4; i < rows; i++) {
    for (let j = 0, w = off + i; j < cols; j++, w += stride) out[w] = src[i * cols + j];
  }
}
