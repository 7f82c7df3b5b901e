// gradstream's optional native matrix product for Node.js (Node-API, so one binary serves every Node
// version). The same blocked kernel (gemmKernel.inc) is compiled once per instruction set, and the widest
// the CPU has is chosen at load time: AVX-512 (8 float64 per vector), AVX2 (4), else SSE2 (2; on other
// architectures, the compiler's 128-bit vectors). Every one of them is bit for bit the naive loop: the
// vectors run across entries of C, never across the shared dimension, and each multiply and add is
// rounded on its own (this file must be compiled with -ffp-contract=off and without -ffast-math; no
// fused multiply-add, which rounds once and changes the bits).
//
// JavaScript: product(A, transA, B, transB, a, k, b, out) -> boolean   (C = op(A)·op(B) into out)
//             isa() -> "avx512" | "avx2" | "sse2" | "generic"           (the kernel in use)
//             useIsa(name) -> string   (a narrower one, for tests and benchmarks; not wider than the CPU's)
//             setBlocking(kc, mc, nc)  (cache block sizes, for tuning)
#include <node_api.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__FP_FAST_FMA) && !defined(GRADSTREAM_ALLOW_FMA)
// Not a proof that nothing is fused (only -ffp-contract=off is), but -mfma with the default contraction
// is the usual way to get it, and the tests would then fail: stop here instead.
#error "gemm.cc is compiled with FMA enabled globally; build it without -mfma/-march=native"
#endif

namespace {

struct Blocking {
  long kc, mc, nc;
};

#define GS_KERNEL_NAMESPACE(name, w, mr, nv) \
  namespace name {                           \
  constexpr int W = w, MR = mr, NV = nv;     \
  _Pragma("GCC diagnostic push")             \
  _Pragma("GCC diagnostic ignored \"-Wpsabi\"")

#define GS_END_NAMESPACE _Pragma("GCC diagnostic pop") }

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define GS_X86 1

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f")
#endif
// 12×16: 24 accumulators of 8 float64 in AVX-512's 32 registers, the rest for B and the products
// (measured on Zen 4 on a block in L1: 51 GFLOP/s of the 54 that a 512-bit multiply and add per cycle
// allow at 3.4 GHz; 6×32 50, 24×8 50, 8×24 49, 14×16 46).
GS_KERNEL_NAMESPACE(avx512, 8, 12, 2)
#if !defined(GS_NO_ASM)
#define GS_EMBEDDED_BROADCAST 1
#endif
#include "gemmKernel.inc"
#undef GS_EMBEDDED_BROADCAST
GS_END_NAMESPACE
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2")
#endif
// 3×16: 12 accumulators of 4 float64 in AVX2's 16 registers (measured on Zen 4: 35 GFLOP/s on a block in
// L1; 6×8 32, 4×8 32, 12×4 30, 4×12 21).
GS_KERNEL_NAMESPACE(avx2, 4, 3, 4)
#include "gemmKernel.inc"
GS_END_NAMESPACE
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

// The baseline of the architecture (SSE2 on x86-64): 3×8, 12 accumulators of 2 float64 (14 GFLOP/s on a
// block in L1 here; 6×4 13, 4×4 12).
GS_KERNEL_NAMESPACE(base, 2, 3, 4)
#include "gemmKernel.inc"
GS_END_NAMESPACE

enum Isa { BASE = 0, AVX2 = 1, AVX512 = 2 };
const char* const ISA_NAMES[] = {
#if defined(GS_X86)
    "sse2",
#else
    "generic",
#endif
    "avx2", "avx512"};

Isa detectIsa() {
#if defined(GS_X86)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return AVX512;
  if (__builtin_cpu_supports("avx2")) return AVX2;
#endif
  return BASE;
}

const Isa cpuIsa = detectIsa();
// Per thread (worker threads load the addon too): the kernel chosen, its blocks, its packing space.
thread_local Isa isa = cpuIsa;
thread_local Blocking blocking = {256, 144, 4096};
thread_local double* work = nullptr;
thread_local long workSize = 0;

double* workFor(long doubles) {
  if (doubles <= workSize) return work;
  std::free(work);
  const long bytes = (doubles * 8 + 63) / 64 * 64;
  work = static_cast<double*>(std::aligned_alloc(64, bytes));
  workSize = work ? doubles : 0;
  return work;
}

// C = op(A)·op(B) on one instruction set's kernel, or Cᵀ = op(B)ᵀ·op(A)ᵀ where that pads less, written to
// C's place (directly for a single column, whose layout is its transpose's; else through the work space).
#define GS_RUN(ns)                                                                                              \
  {                                                                                                             \
    const bool swap = ns::transposeC(a, b);                                                                     \
    const long extra = swap && b > 1 ? a * b : 0;                                                               \
    const long need = (swap ? ns::workDoubles(b, k, a, blocking) : ns::workDoubles(a, k, b, blocking)) + extra; \
    if (!workFor(need)) return false;                                                                           \
    if (!swap) {                                                                                                \
      ns::gemm(A, aRow, aCol, B, bRow, bCol, a, k, b, C, work, blocking);                                       \
      return true;                                                                                              \
    }                                                                                                           \
    double* T = extra ? work + need - extra : C;                                                                \
    ns::gemm(B, bCol, bRow, A, aCol, aRow, b, k, a, T, work, blocking);                                         \
    if (extra)                                                                                                  \
      for (long i = 0; i < a; i++)                                                                              \
        for (long j = 0; j < b; j++) C[i * b + j] = T[j * a + i];                                               \
    return true;                                                                                                \
  }

bool runGemm(const double* A, bool transA, const double* B, bool transB, long a, long k, long b, double* C) {
  // op(A)[i][p] and op(B)[p][j], in strides of A and B as stored.
  const long aRow = transA ? 1 : k, aCol = transA ? a : 1;
  const long bRow = transB ? 1 : b, bCol = transB ? k : 1;
  switch (isa) {
#if defined(GS_X86)
    case AVX512:
      GS_RUN(avx512)
    case AVX2:
      GS_RUN(avx2)
#endif
    default:
      GS_RUN(base)
  }
}

// ---- Node-API --------------------------------------------------------------------------------------------

bool float64Array(napi_env env, napi_value v, double** data, size_t* length) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  void* ptr;
  if (napi_get_typedarray_info(env, v, &type, length, &ptr, nullptr, nullptr) != napi_ok) return false;
  if (type != napi_float64_array) return false;
  *data = static_cast<double*>(ptr);
  return true;
}

napi_value boolean(napi_env env, bool b) {
  napi_value v;
  napi_get_boolean(env, b, &v);
  return v;
}

napi_value string(napi_env env, const char* s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

// product(A, transA, B, transB, a, k, b, out): false (and nothing written) for arguments it does not take.
napi_value Product(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < 8) return boolean(env, false);
  double *A, *B, *C;
  size_t lenA, lenB, lenC;
  bool transA, transB;
  int64_t a, k, b;
  if (!float64Array(env, argv[0], &A, &lenA) || !float64Array(env, argv[2], &B, &lenB) || !float64Array(env, argv[7], &C, &lenC)) return boolean(env, false);
  if (napi_get_value_bool(env, argv[1], &transA) != napi_ok || napi_get_value_bool(env, argv[3], &transB) != napi_ok) return boolean(env, false);
  if (napi_get_value_int64(env, argv[4], &a) != napi_ok || napi_get_value_int64(env, argv[5], &k) != napi_ok || napi_get_value_int64(env, argv[6], &b) != napi_ok) return boolean(env, false);
  const int64_t LIMIT = int64_t(1) << 31;
  if (a < 0 || k < 0 || b < 0 || a > LIMIT || k > LIMIT || b > LIMIT) return boolean(env, false);
  if (uint64_t(a * k) > lenA || uint64_t(k * b) > lenB || uint64_t(a * b) > lenC) return boolean(env, false);
  // C must not overlap an operand: it is written while they are read.
  const auto overlaps = [](const double* x, size_t nx, const double* y, size_t ny) { return x < y + ny && y < x + nx; };
  if (overlaps(C, size_t(a * b), A, size_t(a * k)) || overlaps(C, size_t(a * b), B, size_t(k * b))) return boolean(env, false);
  if (a == 0 || b == 0) return boolean(env, true);
  if (k == 0) {
    std::memset(C, 0, size_t(a * b) * 8);  // the empty sum; all-zero bits are +0
    return boolean(env, true);
  }
  return boolean(env, runGemm(A, transA, B, transB, a, k, b, C));
}

napi_value IsaName(napi_env env, napi_callback_info) { return string(env, ISA_NAMES[isa]); }

// useIsa(name): that kernel if this CPU runs it, else the widest it does; returns the one in use.
napi_value UseIsa(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  char name[16] = {0};
  size_t len;
  if (napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr) == napi_ok && argc == 1 &&
      napi_get_value_string_utf8(env, arg, name, sizeof name, &len) == napi_ok) {
    Isa wanted = cpuIsa;
    if (!std::strcmp(name, "avx512")) wanted = AVX512;
    else if (!std::strcmp(name, "avx2")) wanted = AVX2;
    else if (!std::strcmp(name, "sse2") || !std::strcmp(name, "generic")) wanted = BASE;
    isa = wanted <= cpuIsa ? wanted : cpuIsa;
  }
  return string(env, ISA_NAMES[isa]);
}

napi_value SetBlocking(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int64_t v[3];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) == napi_ok && argc == 3) {
    for (int i = 0; i < 3; i++)
      if (napi_get_value_int64(env, argv[i], &v[i]) != napi_ok || v[i] < 16 || v[i] > (1 << 20)) return boolean(env, false);
    blocking = {v[0], v[1], v[2]};
    return boolean(env, true);
  }
  return boolean(env, false);
}

}  // namespace

NAPI_MODULE_INIT() {
  const napi_property_descriptor props[] = {
      {"product", nullptr, Product, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"isa", nullptr, IsaName, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"useIsa", nullptr, UseIsa, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setBlocking", nullptr, SetBlocking, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
