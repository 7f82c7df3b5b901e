/**
 * The js-reactivity-benchmark shapes as gradstream graph files of [1,1] tensors, with the value of every
 * input and param, so the same arithmetic can be wired into gradstream, Preact signals and naive RxJS.
 * Constants are params (a graph has no literals); each update sets the one input `a` (`x0` for the MLP).
 *
 * @example
 * const shape = chainShape(100);
 * const graph = parseGraph(shape.yaml, "yaml", shape.name);
 * createRuntime(graph, { inputs: shape.inputs, params: shape.params });
 */
export interface ReactiveShape {
  name: string;
  yaml: string;
  /** Values of the inputs and params, as [[v]]. */
  inputs: Record<string, number[][]>;
  params: Record<string, number[][]>;
  /** The nodes a benchmark observes (value$ / effect / subscribe). */
  leaves: string[];
  /** The input each update sets. */
  driver: string;
}

interface Node {
  op: string;
  in: string[];
}

function build(name: string, inputs: Record<string, number>, params: Record<string, number>, nodes: Record<string, Node>, leaves: string[], loss: string, driver: string): ReactiveShape {
  const lines = [`gradstream: 1`, `name: ${name}`, `inputs:`];
  for (const id of Object.keys(inputs)) lines.push(`  ${id}: { shape: [1, 1] }`);
  lines.push(`params:`);
  for (const id of Object.keys(params)) lines.push(`  ${id}: { shape: [1, 1], init: zeros }`);
  lines.push(`nodes:`);
  for (const [id, n] of Object.entries(nodes)) lines.push(`  ${id}: { op: ${n.op}, in: [${n.in.join(", ")}] }`);
  lines.push(`loss: ${loss}`);
  const wrap = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, [[v]]]));
  return { name, yaml: lines.join("\n") + "\n", inputs: wrap(inputs), params: wrap(params), leaves, driver };
}

/** A deep chain: n1 = a + k, n(i) = n(i-1) + k; the tail is observed. */
export function chainShape(depth: number): ReactiveShape {
  const nodes: Record<string, Node> = {};
  for (let i = 1; i <= depth; i++) nodes[`n${i}`] = { op: "add", in: [i === 1 ? "a" : `n${i - 1}`, "k"] };
  return build(`chain-${depth}`, { a: 1 }, { k: 0.5 }, nodes, [`n${depth}`], `n${depth}`, "a");
}

/** Fan-out: f(i) = a · k(i) for `width` nodes, every one observed. */
export function fanOutShape(width: number): ReactiveShape {
  const nodes: Record<string, Node> = {};
  const params: Record<string, number> = {};
  for (let i = 0; i < width; i++) {
    params[`k${i}`] = (i % 7) + 1;
    nodes[`f${i}`] = { op: "mul", in: ["a", `k${i}`] };
  }
  return build(`fan-out-${width}`, { a: 1 }, params, nodes, Object.keys(nodes), "f0", "a");
}

/** A diamond: b(i) = a · k(i) for `width` branches, joined by a chain of adds into `j`. */
export function diamondShape(width: number): ReactiveShape {
  const nodes: Record<string, Node> = {};
  const params: Record<string, number> = {};
  for (let i = 0; i < width; i++) {
    params[`k${i}`] = i + 1;
    nodes[`b${i}`] = { op: "mul", in: ["a", `k${i}`] };
  }
  let acc = "b0";
  for (let i = 1; i < width; i++) {
    const id = i === width - 1 ? "j" : `s${i}`;
    nodes[id] = { op: "add", in: [acc, `b${i}`] };
    acc = id;
  }
  return build(`diamond-${width}`, { a: 1 }, params, nodes, [acc], acc, "a");
}

/** An n×n lattice: c(i,j) = c(i-1,j) + c(i,j-1), the first row and column fed from a. */
export function latticeShape(n: number): ReactiveShape {
  const nodes: Record<string, Node> = {};
  const c = (i: number, j: number) => `c${i}_${j}`;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === 0 && j === 0) nodes[c(i, j)] = { op: "mul", in: ["a", "k"] };
      else if (i === 0) nodes[c(i, j)] = { op: "add", in: [c(i, j - 1), "k"] };
      else if (j === 0) nodes[c(i, j)] = { op: "add", in: [c(i - 1, j), "k"] };
      else nodes[c(i, j)] = { op: "add", in: [c(i - 1, j), c(i, j - 1)] };
    }
  }
  const corner = c(n - 1, n - 1);
  return build(`lattice-${n}x${n}`, { a: 1 }, { k: 0.25 }, nodes, [corner], corner, "a");
}

/**
 * An MLP of scalar nodes: `layers` dense tanh layers of `width` units over `width` inputs x(i), each
 * unit h = tanh(Σ w·h_prev + b) spelled out in mul and add nodes, and the units of the last layer summed
 * into `out`. Every unit is a join of the whole previous layer, as in the "thousands of times".
 */
export function mlpShape(layers: number, width: number): ReactiveShape {
  const nodes: Record<string, Node> = {};
  const params: Record<string, number> = {};
  const inputs: Record<string, number> = {};
  // Deterministic weights in (-1, 1) so all three engines compute the same numbers.
  let state = 12345;
  const next = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  let prev: string[] = [];
  for (let i = 0; i < width; i++) (inputs[`x${i}`] = next()), prev.push(`x${i}`);
  for (let l = 1; l <= layers; l++) {
    const units: string[] = [];
    for (let j = 0; j < width; j++) {
      let acc = "";
      for (let i = 0; i < width; i++) {
        const w = `w${l}_${j}_${i}`;
        params[w] = next() / Math.sqrt(width);
        const p = `p${l}_${j}_${i}`;
        nodes[p] = { op: "mul", in: [w, prev[i]] };
        if (i === 0) acc = p;
        else {
          nodes[`s${l}_${j}_${i}`] = { op: "add", in: [acc, p] };
          acc = `s${l}_${j}_${i}`;
        }
      }
      params[`b${l}_${j}`] = next() * 0.1;
      nodes[`z${l}_${j}`] = { op: "add", in: [acc, `b${l}_${j}`] };
      nodes[`h${l}_${j}`] = { op: "tanh", in: [`z${l}_${j}`] };
      units.push(`h${l}_${j}`);
    }
    prev = units;
  }
  let acc = prev[0];
  for (let j = 1; j < width; j++) {
    const id = j === width - 1 ? "out" : `o${j}`;
    nodes[id] = { op: "add", in: [acc, prev[j]] };
    acc = id;
  }
  return build(`mlp-${layers}x${width}`, inputs, params, nodes, [acc], acc, "x0");
}
