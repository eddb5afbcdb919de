#include "dm_gemm.h"

#ifdef DM_HAVE_OPENBLAS
#include <cblas.h>
#endif

/* Block sizes keep the packed panels (MC x KC and KC x NC floats, 80 KiB)
 * on the stack and in L2. */
#define MC 32
#define KC 128
#define NC 128

static inline float elem(const float *X, int ld, int trans, int r, int c) {
  return trans ? X[(size_t)c * ld + r] : X[(size_t)r * ld + c];
}

void dm_gemm_builtin(int transA, int transB, int M, int N, int K, float alpha,
                     const float *A, int lda, const float *B, int ldb,
                     float beta, float *C, int ldc) {
  float Ap[MC * KC];
  float Bp[KC * NC];
  for (int i = 0; i < M; i++) {
    float *c = C + (size_t)i * ldc;
    if (beta == 0.0f) {
      for (int j = 0; j < N; j++) c[j] = 0.0f;
    } else if (beta != 1.0f) {
      for (int j = 0; j < N; j++) c[j] *= beta;
    }
  }
  if (alpha == 0.0f || K == 0) return;
  for (int j0 = 0; j0 < N; j0 += NC) {
    int nc = DM_MIN(NC, N - j0);
    for (int k0 = 0; k0 < K; k0 += KC) {
      int kc = DM_MIN(KC, K - k0);
      for (int k = 0; k < kc; k++)
        for (int j = 0; j < nc; j++)
          Bp[k * NC + j] = elem(B, ldb, transB, k0 + k, j0 + j);
      for (int i0 = 0; i0 < M; i0 += MC) {
        int mc = DM_MIN(MC, M - i0);
        for (int i = 0; i < mc; i++)
          for (int k = 0; k < kc; k++)
            Ap[i * KC + k] = alpha * elem(A, lda, transA, i0 + i, k0 + k);
        for (int i = 0; i < mc; i++) {
          float *DM_RESTRICT c = C + (size_t)(i0 + i) * ldc + j0;
          const float *a = Ap + i * KC;
          for (int k = 0; k < kc; k++) {
            const float aik = a[k];
            const float *DM_RESTRICT b = Bp + k * NC;
            for (int j = 0; j < nc; j++) c[j] += aik * b[j];
          }
        }
      }
    }
  }
}

void dm_gemm(int transA, int transB, int M, int N, int K, float alpha,
             const float *A, int lda, const float *B, int ldb, float beta,
             float *C, int ldc) {
  if (M <= 0 || N <= 0) return;
#ifdef DM_HAVE_OPENBLAS
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
              transB ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B,
              ldb, beta, C, ldc);
#else
  dm_gemm_builtin(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C,
                  ldc);
#endif
}
