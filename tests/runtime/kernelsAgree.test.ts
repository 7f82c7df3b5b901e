/**
 * The runtime gives the same bits whichever matrix kernel runs its products: on every shipped graph, at a
 * batch size where the products are tiny (naive loop), and at two where most go to a kernel (ragged 67, and
 * 256), every node's value and every gradient through `value$`/`grad$` on the native kernel (the default
 * here), on the WebAssembly one and on plain JS are equal bit for bit. The native kernel is wrapped to count
 * its calls, so the comparison is known to have run it.
 */
import { afterAll, describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadGraph } from "../../src/node/loadGraph.ts";
import { nativeAddon } from "../../src/node/nativeKernel.ts";
import { randomBindings } from "../../src/data/bindData.ts";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import { type KernelChoice, nativeIsa, registerNativeGemm, useKernel } from "../../src/tensor/kernels.ts";
import type { Graph } from "../../src/graph/graph.ts";
import type { Tensor } from "../../src/tensor/tensor.ts";
import { sameBits } from "./runtimeHarness.ts";

const dir = fileURLToPath(new URL("../../graphs/", import.meta.url));
const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();

const { addon } = nativeAddon();
let nativeCalls = 0;
if (addon) {
  registerNativeGemm({
    isa: nativeIsa() ?? addon.isa(),
    product: (...args) => (nativeCalls++, addon.product(...args)),
  });
}
afterAll(() => {
  if (addon) registerNativeGemm({ isa: addon.isa(), product: addon.product });
  useKernel("auto");
});

/** Every node's value and every gradient of one transaction, on the kernel given. */
function everything(graph: Graph, values: ReadonlyMap<string, Tensor>, kernel: KernelChoice): Map<string, Tensor> {
  expect(useKernel(kernel)).toBe(kernel);
  const pick = (decls: readonly { id: string }[]) => Object.fromEntries(decls.map((d) => [d.id, values.get(d.id)!]));
  const rt = createRuntime(graph, { inputs: pick(graph.inputs), params: pick(graph.params) });
  const seen = new Map<string, Tensor>();
  for (const { id } of [...graph.inputs, ...graph.params, ...graph.nodes]) {
    rt.value$(id).subscribe((t) => seen.set(`value ${id}`, t));
    rt.grad$(id).subscribe((t) => seen.set(`grad ${id}`, t));
  }
  rt.dispose();
  useKernel("auto");
  return seen;
}

describe("value$ and grad$ are the same bits on every matrix kernel", () => {
  const kernels: KernelChoice[] = addon ? ["native", "simd", "js"] : ["simd", "js"];
  for (const m of [3, 67, 256]) {
    it.each(files)(`%s at m = ${m}: ${kernels.join(", ")}`, async (file) => {
      const graph = await loadGraph(dir + file);
      const { values } = randomBindings(graph, m, 5);
      const before = nativeCalls;
      const [reference, ...others] = kernels.map((kernel) => everything(graph, values, kernel));
      if (addon && m === 256) expect(nativeCalls, "the native kernel ran").toBeGreaterThan(before);
      expect(reference.size).toBe(2 * (graph.inputs.length + graph.params.length + graph.nodes.length));
      for (const [o, other] of others.entries()) {
        const differ = [...reference].filter(([id, t]) => !sameBits(t, other.get(id)!)).map(([id]) => id);
        expect(differ, `${kernels[o + 1]} against ${kernels[0]}`).toEqual([]);
      }
    });
  }
});
