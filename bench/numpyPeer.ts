/**
 * The numpy peer of `npm run bench`: one python3 process (bench/numpyWorker.py), started once and kept
 * alive, that builds the same networks and times its own steps. It runs with one BLAS thread (as
 * gradstream has one), and with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its environment only,
 * so OpenBLAS picks the kernel and blocking it would pick for this CPU on its own — unless `coreType` names
 * one (OPENBLAS_CORETYPE), as the bench does to measure OpenBLAS's own kernel for 128-bit vectors without
 * fused multiply-add, the instruction class WebAssembly SIMD offers.
 *
 * @example
 * const numpy = await startNumpy();          // a NumpyPeer, or a sentence saying why there is none
 * if (typeof numpy !== "string") {
 *   await numpy.setup("mnist", [784, 128, 10], 64, 1);
 *   const seconds = await numpy.time("mnist", 100); // 100 forward+backward steps, CPU time, measured by python
 *   numpy.close();
 * }
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface NumpyPeer {
  readonly version: string;
  readonly blas: string;
  /** The kernel family OpenBLAS runs (e.g. "Zen", "SkylakeX", "Nehalem"), when the worker can tell. */
  readonly core: string | undefined;
  /** Builds a network (random data unless `data` is given: X, Y, W1, b1, … as nested rows) and returns its J. */
  setup(key: string, sizes: readonly number[], m: number, seed: number, data?: Record<string, number[][]>): Promise<number>;
  /** CPU seconds for `steps` forward+backward steps, measured inside python. */
  time(key: string, steps: number): Promise<number>;
  /** J and dJ/dW, dJ/db of every layer (row-major, flattened). */
  grads(key: string): Promise<{ J: number; dW: number[][]; db: number[][] }>;
  /** CPU seconds for `reps` products of two n×n float64 matrices (numpy's matmul: BLAS DGEMM). */
  gemm(n: number, reps: number): Promise<number>;
  close(): void;
}

const worker = fileURLToPath(new URL("./numpyWorker.py", import.meta.url));

export async function startNumpy({ coreType }: { coreType?: string } = {}): Promise<NumpyPeer | string> {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  if (coreType) env.OPENBLAS_CORETYPE = coreType;
  const child = spawn("python3", [worker], { env, stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<string>((resolve) => {
    child.on("error", (e) => resolve(`python3 could not be started (${e.message})`));
    child.on("exit", (code) => resolve(`python3 exited with status ${code}${stderr ? `: ${stderr.trim().split("\n").at(-1)}` : ""}`));
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ask = async <T>(request: object): Promise<T> => {
    child.stdin.write(JSON.stringify(request) + "\n");
    const next = await Promise.race([lines.next(), exited]);
    if (typeof next === "string") throw new Error(next);
    if (next.done) throw new Error(`the numpy worker stopped${stderr ? `: ${stderr.trim()}` : ""}`);
    const answer = JSON.parse(next.value);
    if (answer.error) throw new Error(answer.error);
    return answer as T;
  };
  let info: { numpy: string; blas: string; core: string | null };
  try {
    info = await ask({ op: "info" });
  } catch (e) {
    child.kill();
    return /No module named 'numpy'/.test(stderr) ? "python3 has no numpy" : (e as Error).message;
  }
  return {
    version: info.numpy,
    blas: info.blas,
    core: info.core ?? undefined,
    setup: async (key, sizes, m, seed, data) => (await ask<{ J: number }>({ op: "setup", key, sizes, m, seed, data })).J,
    time: async (key, steps) => (await ask<{ seconds: number }>({ op: "time", key, steps })).seconds,
    grads: (key) => ask({ op: "grads", key }),
    gemm: async (n, reps) => (await ask<{ seconds: number }>({ op: "gemm", n, reps })).seconds,
    close: () => {
      child.stdin.end();
      child.kill();
    },
  };
}
