/**
 * Every test file runs on the kernels a user of the Node package gets: the native matrix kernel registered
 * where it was built (src/node/nativeKernel.ts, as src/index.ts does), with GRADSTREAM_KERNEL honoured, so
 * `GRADSTREAM_KERNEL=wasm npx vitest run` runs the whole suite on the WebAssembly kernel.
 */
import { loadNativeKernel } from "../src/node/nativeKernel.ts";

loadNativeKernel();
