/**
 * The library checks what a program hands it (issue 10): a wrong option or argument is a GradstreamError
 * with code USAGE naming it, never a raw TypeError/RangeError from inside, and never a silent NaN.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { of } from "rxjs";
import { createRuntime } from "../../src/runtime/createRuntime.ts";
import { parseGraph } from "../../src/graph/parseGraph.ts";
import { randomBindings } from "../../src/data/bindData.ts";
import { GradstreamError } from "../../src/errors.ts";

const graph = parseGraph(readFileSync(join(import.meta.dirname, "../../graphs/planar-tanh.yaml"), "utf8"), "yaml", "planar.yaml");

function usageError(f: () => unknown): GradstreamError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(GradstreamError);
    expect((e as GradstreamError).code).toBe("USAGE");
    return e as GradstreamError;
  }
  throw new Error("expected a USAGE error");
}

describe("createRuntime options", () => {
  // regression: m -1, 1.5 and NaN threw raw RangeErrors ("Invalid typed array length"); m 0 gave J = NaN
  it.each([[-1], [1.5], [NaN], [0], [Infinity], ["4"]])("m = %s is refused, naming the option", (m) => {
    expect(usageError(() => createRuntime(graph, { m: m as number })).message).toBe(`createRuntime: option 'm': the batch size is an integer from 1 on, got ${typeof m === "string" ? `"${m}"` : m} (field 'm')`);
  });

  it("seed, inputs, params, an unknown option, and the options or graph not being objects", () => {
    expect(usageError(() => createRuntime(graph, { seed: -1 })).message).toMatch(/^createRuntime: option 'seed': the seed is an integer from 0 to 2\^32 − 1, got -1/);
    expect(usageError(() => createRuntime(graph, { seed: 0.5 })).issues[0].field).toBe("seed");
    expect(usageError(() => createRuntime(graph, { inputs: null as never })).message).toMatch(/^createRuntime: option 'inputs': expected an object of id → tensor, got null/);
    expect(usageError(() => createRuntime(graph, { params: [] as never })).message).toMatch(/option 'params': .* got an array/);
    expect(usageError(() => createRuntime(graph, { seeds: 3 } as never)).message).toBe("createRuntime: unknown option 'seeds' (did you mean 'seed'? known: inputs, params, seed, m, maxMemory) (field 'seeds')");
    expect(usageError(() => createRuntime(graph, null as never)).message).toBe("createRuntime: the options must be an object { inputs, params, seed, m, maxMemory }");
    expect(usageError(() => createRuntime({} as never)).message).toBe("createRuntime: the first argument must be a Graph, from parseGraph or loadGraph");
  });

  it("valid options still work: m = 1 and m = 7 give a runtime with that batch size", () => {
    for (const m of [1, 7]) {
      const rt = createRuntime(graph, { m, seed: 3 });
      expect(rt.snapshot().values.X.shape).toEqual([2, m]);
      expect(Number.isFinite(rt.snapshot().values.J.data[0])).toBe(true);
      rt.dispose();
    }
  });
});

describe("runtime methods", () => {
  // regression: connect(id, null) threw "Cannot read properties of null (reading 'subscribe')"
  it("connect, set, transaction, value$ and grad$ refuse what they cannot use", () => {
    const rt = createRuntime(graph);
    expect(usageError(() => rt.connect("X", null as never)).message).toBe("node X: connect('X', …): the source must be an Observable (something with a subscribe method), got null");
    expect(usageError(() => rt.connect("X", {} as never)).message).toMatch(/got an object$/);
    expect(usageError(() => rt.connect(5 as never, of([[1]]))).message).toBe("connect: an id is a string, got 5");
    expect(usageError(() => rt.set(null as never)).message).toBe("set: expected an object of id → tensor, got null");
    expect(usageError(() => rt.transaction(undefined as never)).message).toBe("transaction: expected a function, got undefined");
    expect(usageError(() => rt.value$(undefined as never)).message).toBe("value$: an id is a string, got undefined");
    expect(usageError(() => rt.grad$({} as never)).message).toBe("grad$: an id is a string, got an object");
    // the runtime is untouched by the refused calls
    expect(rt.stats().epoch).toBe(0);
    rt.dispose();
  });

  it("randomBindings and parseGraph check their arguments too", () => {
    expect(usageError(() => randomBindings(graph, 0)).message).toBe("planar.yaml: randomBindings: the batch size m is an integer from 1 on, got 0");
    expect(usageError(() => parseGraph(null as never, "yaml")).message).toBe("parseGraph: the graph text must be a string, got null");
    expect(usageError(() => parseGraph("gradstream: 1", "xml" as never)).message).toBe('parseGraph: the format is "yaml" or "json", got "xml"');
  });
});

/**
 * The property: whatever a program passes as createRuntime's options, the call either gives a runtime or
 * throws a GradstreamError. `calls` is the function under test, so the broken variant below can show the
 * same assertion failing.
 */
function neverRawErrors(calls: (options: unknown) => unknown) {
  const options = fc.record({ m: fc.anything(), seed: fc.anything(), inputs: fc.anything(), params: fc.anything(), maxMemory: fc.anything() }, { requiredKeys: [] });
  return fc.property(fc.oneof(options, fc.anything()), (o) => {
    try {
      const rt = calls(o) as { dispose?: () => void } | undefined;
      rt?.dispose?.();
    } catch (e) {
      if (!(e instanceof GradstreamError)) throw new Error(`raw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    }
  });
}

describe("property: no option makes createRuntime throw anything but a GradstreamError", () => {
  it("holds for createRuntime", () => {
    fc.assert(neverRawErrors((o) => createRuntime(graph, o as never)), { numRuns: 300, seed: 10 });
  });

  it("fails for a broken variant that allocates from m unchecked (as createRuntime did)", () => {
    const unchecked = (o: unknown) => new Float64Array(2 * ((o as { m?: number })?.m ?? 4));
    const details = fc.check(neverRawErrors(unchecked), { numRuns: 300, seed: 10 });
    expect(details.failed).toBe(true);
    expect(String(details.errorInstance)).toMatch(/raw (RangeError|TypeError)/);
  });
});
