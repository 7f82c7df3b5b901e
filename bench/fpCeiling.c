/*
 * The floating-point ceiling of one x86-64 core, for the README's claim about the GEMM kernels: how many
 * float64 operations per second independent 128-bit multiplies and adds can do (what WebAssembly SIMD's
 * f64x2.mul and f64x2.add compile to), 512-bit multiplies and adds kept apart (what the native kernel,
 * native/gemm.cc, runs on AVX-512), against 256-bit fused multiply-adds (what OpenBLAS's DGEMM uses).
 * No memory is touched: 12 independent accumulators keep every pipe busy through its latency. The clock
 * is estimated from a chain of dependent integer adds (one per cycle). Not part of the build or the tests.
 *
 *   gcc -O2 -mavx2 -mfma -ffp-contract=off bench/fpCeiling.c -o /tmp/fpCeiling && /tmp/fpCeiling
 *   (add -mavx512f on a CPU with AVX-512 for the 512-bit line)
 */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double cpu_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
  long n = 1000000000;
  double t0 = cpu_seconds();
  long x = 0;
  for (long i = 0; i < n; i++) __asm__ volatile("add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0" : "+r"(x));
  double ghz = 4.0 * n / (cpu_seconds() - t0) / 1e9;
  printf("clock: about %.2f GHz (dependent integer adds)\n", ghz);

  n = 200000000;
  __m128d acc[12];
  for (int k = 0; k < 12; k++) acc[k] = _mm_set1_pd(k * 1e-9);
  __m128d a = _mm_set1_pd(1.0000001), b = _mm_set1_pd(0.9999999);
  t0 = cpu_seconds();
  for (long i = 0; i < n; i++) {
#pragma GCC unroll 12
    for (int k = 0; k < 12; k++) acc[k] = _mm_add_pd(acc[k], _mm_mul_pd(a, b));
    __asm__ volatile("" : "+x"(a)); /* a "changes": the product is recomputed each turn */
  }
  double gflops = 12.0 * 2 * 2 * n / (cpu_seconds() - t0) / 1e9, sink = 0;
  for (int k = 0; k < 12; k++) sink += acc[k][0];
  printf("128-bit multiply + add (f64x2): %.1f GFLOP/s, %.2f per cycle (%g)\n", gflops, gflops / ghz, sink);

#ifdef __AVX512F__
  __m512d wide[12];
  for (int k = 0; k < 12; k++) wide[k] = _mm512_set1_pd(k * 1e-9);
  __m512d wa = _mm512_set1_pd(1.0000001), wb = _mm512_set1_pd(0.9999999);
  t0 = cpu_seconds();
  for (long i = 0; i < n; i++) {
#pragma GCC unroll 12
    for (int k = 0; k < 12; k++) wide[k] = _mm512_add_pd(wide[k], _mm512_mul_pd(wa, wb));
    __asm__ volatile("" : "+v"(wa));
  }
  gflops = 12.0 * 8 * 2 * n / (cpu_seconds() - t0) / 1e9, sink = 0;
  for (int k = 0; k < 12; k++) sink += wide[k][0];
  printf("512-bit multiply + add:         %.1f GFLOP/s, %.2f per cycle (%g)\n", gflops, gflops / ghz, sink);
#endif

  __m256d fma[12];
  for (int k = 0; k < 12; k++) fma[k] = _mm256_set1_pd(k * 1e-9);
  __m256d fa = _mm256_set1_pd(1.0000001), fb = _mm256_set1_pd(0.9999999);
  t0 = cpu_seconds();
  for (long i = 0; i < n; i++) {
#pragma GCC unroll 12
    for (int k = 0; k < 12; k++) fma[k] = _mm256_fmadd_pd(fa, fb, fma[k]);
    __asm__ volatile("" : "+x"(fa));
  }
  gflops = 12.0 * 4 * 2 * n / (cpu_seconds() - t0) / 1e9, sink = 0;
  for (int k = 0; k < 12; k++) sink += fma[k][0];
  printf("256-bit fused multiply-add:     %.1f GFLOP/s, %.2f per cycle (%g)\n", gflops, gflops / ghz, sink);
  return 0;
}
