/**
 * Numbers appended one at a time into float64 storage, for tensors read from a stream whose size is not
 * known in advance. Known sizes get one exact buffer; unknown ones grow in blocks (doubling up to 8 MiB), so
 * growing never copies what is already kept, and the blocks are joined once at the end. Every allocation is
 * announced first to `beforeAllocate`, which may refuse it by throwing: that is how a reader keeps a file
 * within its memory budget.
 *
 * @example
 * const sink = new FloatSink((bytes) => budget.take(bytes));
 * for (const x of numbers) sink.push(x);
 * const data = sink.finish(); // Float64Array of exactly sink.length numbers
 */
const FIRST_BLOCK = 1024;
const LARGEST_BLOCK = 1 << 20; // 8 MiB of float64

export class FloatSink {
  /** Numbers pushed so far. */
  length = 0;
  /** Bytes held now (while blocks are joined, the blocks and the result). */
  bytes = 0;
  private readonly blocks: Float64Array[] = [];
  private current: Float64Array = new Float64Array(0);
  private used = 0;

  constructor(private readonly beforeAllocate: (bytes: number) => void = () => {}) {}

  push(x: number): void {
    if (this.used === this.current.length) this.grow();
    this.current[this.used++] = x;
    this.length++;
  }

  /**
   * The total is now known (a shape was declared, or the first row gave the width): from here on one buffer
   * of exactly `total` numbers holds everything, the numbers so far copied into it.
   */
  expect(total: number): void {
    if (total <= this.length || (this.blocks.length === 1 && this.current.length === total)) return;
    const exact = this.allocate(total);
    this.copyInto(exact);
    for (const b of this.blocks) this.bytes -= b.byteLength;
    this.blocks.length = 0;
    this.blocks.push(exact);
    this.current = exact;
    this.used = this.length;
  }

  /** The numbers, as one Float64Array of `length` elements; the sink is not used after this. */
  finish(): Float64Array {
    if (this.blocks.length === 1 && this.used === this.current.length) return this.current;
    if (this.blocks.length === 1) return this.current.slice(0, this.used);
    const out = this.allocate(this.length);
    this.copyInto(out);
    this.blocks.length = 0;
    this.bytes = out.byteLength;
    return out;
  }

  private grow(): void {
    const size = this.blocks.length === 0 ? FIRST_BLOCK : Math.min(LARGEST_BLOCK, this.current.length * 2);
    this.current = this.allocate(size);
    this.blocks.push(this.current);
    this.used = 0;
  }

  private allocate(size: number): Float64Array {
    this.beforeAllocate(size * 8);
    this.bytes += size * 8;
    return new Float64Array(size);
  }

  /** Copies the numbers into `out` from index `at` (without joining the blocks first). */
  copyInto(out: Float64Array, at = 0): void {
    for (const b of this.blocks) {
      const n = b === this.current ? this.used : b.length;
      out.set(n === b.length ? b : b.subarray(0, n), at);
      at += n;
    }
  }
}
