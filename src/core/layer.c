#include <math.h>
#include "dm_gemm.h"
#include "dm_layer.h"

void dm_dense_forward(int B, int in, int out, const float *X, int ldx,
                      const float *W, const float *b, float *Y, int ldy,
                      dm_act act) {
  dm_gemm(0, 1, B, out, in, 1.0f, X, ldx, W, in, 0.0f, Y, ldy);
  /* Bias and activation in one pass over Y. (The simd pragmas make the
   * compiler vectorise these short loops at R's default -O2.) */
  for (int i = 0; i < B; i++) {
    float *DM_RESTRICT y = Y + (size_t)i * ldy;
    if (act == DM_ACT_RELU) {
#pragma omp simd
      for (int j = 0; j < out; j++) {
        float v = y[j] + b[j];
        y[j] = v > 0.0f ? v : 0.0f;
      }
    } else {
#pragma omp simd
      for (int j = 0; j < out; j++) y[j] += b[j];
    }
  }
}

void dm_dense_backward(int B, int in, int out, const float *X, int ldx,
                       const float *W, const float *Y, int ldy, float *dY,
                       int lddy, float *dW, float *db, float *dX, int lddx,
                       int accumulate, dm_act act) {
  if (!accumulate) {
    for (int j = 0; j < out; j++) db[j] = 0.0f;
  }
  /* Mask and bias gradient in one pass over dY. */
  float *DM_RESTRICT dbr = db;
  for (int i = 0; i < B; i++) {
    float *DM_RESTRICT g = dY + (size_t)i * lddy;
    if (act == DM_ACT_RELU) {
      const float *DM_RESTRICT y = Y + (size_t)i * ldy;
#pragma omp simd
      for (int j = 0; j < out; j++) {
        g[j] = y[j] > 0.0f ? g[j] : 0.0f;
        dbr[j] += g[j];
      }
    } else {
#pragma omp simd
      for (int j = 0; j < out; j++) dbr[j] += g[j];
    }
  }
  dm_gemm(1, 0, out, in, B, 1.0f, dY, lddy, X, ldx, accumulate ? 1.0f : 0.0f,
          dW, in);
  if (dX) dm_gemm(0, 0, B, in, out, 1.0f, dY, lddy, W, in, 0.0f, dX, lddx);
}

void dm_dense_init(int in, int out, float *W, float *b, dm_act act,
                   dm_rng *r) {
  double sd = sqrt((act == DM_ACT_RELU ? 2.0 : 1.0) / (double)in);
  for (size_t k = 0; k < (size_t)out * in; k++)
    W[k] = (float)(sd * dm_rng_normal(r));
  for (int j = 0; j < out; j++) b[j] = 0.0f;
}
