/* dm_gemm.h -- single-precision matrix products.
 *
 * C[M x N] = alpha * op(A) * op(B) + beta * C, all row-major, where op(A) is
 * M x K and op(B) is K x N. Goes to OpenBLAS's cblas_sgemm when configure
 * found it, else to a portable blocked implementation. Either way the call
 * runs on the calling thread only (see dm_blas_enter), and for fixed sizes
 * and inputs the result is bit-for-bit reproducible. */
#ifndef DM_GEMM_H
#define DM_GEMM_H

#include "dm_common.h"

void dm_gemm(int transA, int transB, int M, int N, int K, float alpha,
             const float *A, int lda, const float *B, int ldb, float beta,
             float *C, int ldc);

/* The portable implementation, exposed so tests can compare the two. */
void dm_gemm_builtin(int transA, int transB, int M, int N, int K, float alpha,
                     const float *A, int lda, const float *B, int ldb,
                     float beta, float *C, int ldc);

#endif
