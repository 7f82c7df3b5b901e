/**
 * Loads the optional native matrix kernel (native/gemm.cc, built by scripts/build.mjs into
 * dist/native/<platform>-<arch>/) and registers it with the tensor layer, so products run on the machine's
 * widest vectors (AVX-512 or AVX2). Only the Node entries call this (src/index.ts, the command line, the
 * data-parallel worker); the platform-neutral core never imports it, so a browser bundle never reaches it.
 * Where the binary is missing (no compiler when the package was built, another platform) or does not load
 * (another libc), nothing is registered and the WebAssembly kernel runs, else plain JS: the same bits.
 *
 * GRADSTREAM_KERNEL=native|wasm|js|auto forces a kernel for the process (tests, benchmarks); a kernel that
 * is not available falls back as `useKernel` says, with one line on standard error.
 *
 * @example
 * const kernel = loadNativeKernel();   // { native: "avx512" } here; { native: undefined, reason } elsewhere
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { type KernelChoice, type NativeGemm, registerNativeGemm, useKernel } from "../tensor/kernels.ts";

/** What the addon exports (native/gemm.cc). */
export interface NativeAddon {
  product(A: Float64Array, transA: boolean, B: Float64Array, transB: boolean, a: number, k: number, b: number, out: Float64Array): boolean;
  isa(): string;
  /** A narrower instruction set than the CPU's widest (tests, benchmarks); returns the one in use. */
  useIsa(name: string): string;
  setBlocking(kc: number, mc: number, nc: number): boolean;
}

/** Where the build puts the binary: under dist/, one level below which both src/node and dist/bin sit. */
export const NATIVE_PATH = fileURLToPath(new URL(`../../dist/native/${process.platform}-${process.arch}/gradstream_gemm.node`, import.meta.url));

const KERNELS: Record<string, KernelChoice> = { native: "native", wasm: "simd", js: "js", auto: "auto" };

let loaded: { addon?: NativeAddon; reason?: string } | undefined;

/** The addon itself (undefined, with the reason, where it does not load); loaded once per thread. */
export function nativeAddon(): { addon?: NativeAddon; reason?: string } {
  if (loaded) return loaded;
  try {
    const addon = createRequire(import.meta.url)(NATIVE_PATH) as NativeAddon;
    loaded = typeof addon?.product === "function" ? { addon } : { reason: `${NATIVE_PATH} is not gradstream's kernel` };
  } catch (e) {
    loaded = { reason: (e as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" ? "not built for this platform" : (e as Error).message.split("\n")[0] };
  }
  return loaded;
}

/**
 * Registers the native kernel where it loads and applies GRADSTREAM_KERNEL; returns the instruction set of
 * the native kernel (undefined, with the reason, where there is none) and the kernel choice in force.
 */
export function loadNativeKernel(env: Record<string, string | undefined> = process.env): { native?: string; reason?: string; kernel: KernelChoice } {
  const { addon, reason } = nativeAddon();
  if (addon) {
    const gemm: NativeGemm = { product: addon.product, isa: addon.isa() };
    registerNativeGemm(gemm);
  }
  const wanted = env.GRADSTREAM_KERNEL?.trim().toLowerCase();
  let kernel: KernelChoice = "auto";
  if (wanted) {
    const kind = KERNELS[wanted];
    if (kind === undefined) console.error(`gradstream: GRADSTREAM_KERNEL=${wanted} is not one of ${Object.keys(KERNELS).join(", ")}; the default (auto) is used`);
    else {
      kernel = useKernel(kind);
      if (kernel !== kind) console.error(`gradstream: GRADSTREAM_KERNEL=${wanted}: that kernel is not available here${reason && kind === "native" ? ` (${reason})` : ""}; using ${kernel === "simd" ? "wasm" : kernel}`);
    }
  }
  return { native: addon?.isa(), reason, kernel };
}
