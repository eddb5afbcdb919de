/* This machine's single-precision GEMM throughput (cblas_sgemm, row-major
 * C = A B^T, the shape of a dense layer's forward pass) at the sizes dmil's
 * models use and at 1024^3: with OpenBLAS on 1 and 2 threads, and as two
 * concurrent single-threaded GEMMs (how dmil runs its shards).
 * Built and run by bench/run.sh. */
#include <cblas.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* GFLOP/s of `copies` concurrent GEMMs of the given size: the best of three
 * timings of at least 0.3 s (this is a shared virtual machine). */
static double rate(int M, int N, int K, int copies) {
  float *A[2], *B[2], *C[2];
  for (int c = 0; c < copies; c++) {
    A[c] = malloc(sizeof(float) * M * K);
    B[c] = malloc(sizeof(float) * N * K);
    C[c] = malloc(sizeof(float) * M * N);
    for (int i = 0; i < M * K; i++) A[c][i] = (float)(i % 7) * 0.1f;
    for (int i = 0; i < N * K; i++) B[c][i] = (float)(i % 5) * 0.1f;
  }
  long reps = 1;
  double best = 0.0;
  for (int trial = 0; trial < 3;) {
    double t0 = now();
#pragma omp parallel for num_threads(copies)
    for (int c = 0; c < copies; c++)
      for (long r = 0; r < reps; r++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, A[c], K, B[c], K,
                    0.0f, C[c], N);
    const double t = now() - t0;
    if (t < 0.3) {
      reps *= 2;
      continue;
    }
    const double r = 2.0 * M * N * K * reps * copies / t / 1e9;
    if (r > best) best = r;
    trial++;
  }
  for (int c = 0; c < copies; c++) {
    free(A[c]);
    free(B[c]);
    free(C[c]);
  }
  return best;
}

int main(void) {
  const int sizes[][3] = {{32, 64, 16},   {32, 64, 64},   {32, 64, 128},  {128, 512, 256},
                          {128, 512, 512}, {128, 512, 1024}, {512, 512, 512}, {1024, 1024, 1024}};
  const int ns = sizeof(sizes) / sizeof(sizes[0]);
  printf("sgemm GFLOP/s (C = A B^T, row-major)\n");
  printf("%18s %10s %10s %12s\n", "M x N x K", "1 thread", "2 threads", "2 x 1 thread");
  for (int s = 0; s < ns; s++) {
    const int M = sizes[s][0], N = sizes[s][1], K = sizes[s][2];
    openblas_set_num_threads(1);
    double r1 = rate(M, N, K, 1);
    double r2x1 = rate(M, N, K, 2);
    openblas_set_num_threads(2);
    double r2 = rate(M, N, K, 1);
    printf("%6d x %4d x %4d %10.1f %10.1f %12.1f\n", M, N, K, r1, r2, r2x1);
  }
  return 0;
}
