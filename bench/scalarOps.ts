/**
 * The scalar arithmetic of the core elementwise ops, for the peers (Preact signals, naive RxJS) that compute
 * the same graph on plain numbers. It must match the ops in src/ops bit for bit on [1,1] tensors, which the
 * benchmark checks before timing.
 *
 * @example
 * scalarOp("add")(1, 2) // 3
 */
const table: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  tanh: (a) => Math.tanh(a),
  relu: (a) => (a > 0 ? a : 0),
  identity: (a) => a,
};

export function scalarOp(name: string): (a: number, b: number) => number {
  const f = table[name];
  if (!f) throw new Error(`no scalar version of op ${name}`);
  return f;
}
