#include <math.h>
#include "dm_adam.h"
#include "dm_omp.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define DM_ADAM_SSE 1
#endif

dm_adam_cfg dm_adam_defaults(void) {
  dm_adam_cfg c = {0.9f, 0.999f, 1e-8f, 0.0f};
  return c;
}

/* Below this many parameters a parallel region costs more than it saves. */
#define ADAM_PAR_MIN 8192

typedef struct {
  float b1, b2, eps, step_size, inv_sqrt_bc2, decay;
} adam_consts;

/* Elements [lo, hi). The compiler will not vectorise sqrtf() (it may set
 * errno), so on x86 four lanes run in SSE2, whose square root and division
 * are correctly rounded like the scalar ones: the result does not depend on
 * which elements take which path. mult (NULL: all 1) scales each update;
 * multiplying by 1 is exact, and parameters with multiplier 0 are frozen,
 * moments included. */
static void adam_range(ptrdiff_t lo, ptrdiff_t hi, float *DM_RESTRICT p,
                       const float *DM_RESTRICT g, float *DM_RESTRICT m,
                       float *DM_RESTRICT v, const float *DM_RESTRICT mult,
                       adam_consts c) {
#ifdef DM_ADAM_SSE
  const __m128 b1 = _mm_set1_ps(c.b1), b1c = _mm_set1_ps(1.0f - c.b1);
  const __m128 b2 = _mm_set1_ps(c.b2), b2c = _mm_set1_ps(1.0f - c.b2);
  const __m128 ss = _mm_set1_ps(c.step_size), isb = _mm_set1_ps(c.inv_sqrt_bc2);
  const __m128 eps = _mm_set1_ps(c.eps), dec = _mm_set1_ps(c.decay);
  const __m128 one = _mm_set1_ps(1.0f), zero = _mm_setzero_ps();
  for (; lo + 4 <= hi; lo += 4) {
    const __m128 mu = mult ? _mm_loadu_ps(mult + lo) : one;
    const __m128 live = _mm_cmpneq_ps(mu, zero);
    const __m128 gi = _mm_loadu_ps(g + lo), mo = _mm_loadu_ps(m + lo), vo = _mm_loadu_ps(v + lo);
    const __m128 mi = _mm_add_ps(_mm_mul_ps(b1, mo), _mm_mul_ps(b1c, gi));
    const __m128 vi = _mm_add_ps(_mm_mul_ps(b2, vo), _mm_mul_ps(_mm_mul_ps(b2c, gi), gi));
    _mm_storeu_ps(m + lo, _mm_or_ps(_mm_and_ps(live, mi), _mm_andnot_ps(live, mo)));
    _mm_storeu_ps(v + lo, _mm_or_ps(_mm_and_ps(live, vi), _mm_andnot_ps(live, vo)));
    const __m128 pi = _mm_loadu_ps(p + lo);
    const __m128 den = _mm_add_ps(_mm_mul_ps(_mm_sqrt_ps(vi), isb), eps);
    const __m128 upd = _mm_add_ps(_mm_div_ps(_mm_mul_ps(ss, mi), den), _mm_mul_ps(dec, pi));
    _mm_storeu_ps(p + lo, _mm_sub_ps(pi, _mm_and_ps(live, _mm_mul_ps(mu, upd))));
  }
#endif
  for (ptrdiff_t i = lo; i < hi; i++) {
    const float mu = mult ? mult[i] : 1.0f;
    if (mu == 0.0f) continue;
    const float gi = g[i];
    const float mi = c.b1 * m[i] + (1.0f - c.b1) * gi;
    const float vi = c.b2 * v[i] + (1.0f - c.b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] -= mu * (c.step_size * mi / (sqrtf(vi) * c.inv_sqrt_bc2 + c.eps) + c.decay * p[i]);
  }
}

void dm_adam_update(size_t n, float *p, const float *g, float *m, float *v,
                    long step, float lr, const dm_adam_cfg *cfg,
                    const float *lr_mult, int nthreads) {
  adam_consts c;
  c.b1 = cfg->beta1;
  c.b2 = cfg->beta2;
  c.eps = cfg->eps;
  c.step_size = lr / (float)(1.0 - pow(cfg->beta1, (double)step));
  c.inv_sqrt_bc2 = (float)(1.0 / sqrt(1.0 - pow(cfg->beta2, (double)step)));
  c.decay = lr * cfg->weight_decay;
  const ptrdiff_t nn = (ptrdiff_t)n;
  if (n < ADAM_PAR_MIN || nthreads < 2) {
    adam_range(0, nn, p, g, m, v, lr_mult, c);
    return;
  }
  /* Element-wise: how the range is split cannot change any result. Blocks
   * are multiples of 64 elements. */
  const ptrdiff_t blocks = (nn + 63) / 64;
#pragma omp parallel num_threads(nthreads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    const ptrdiff_t lo = blocks * t / nt * 64, hi = DM_MIN(nn, blocks * (t + 1) / nt * 64);
    if (lo < hi) adam_range(lo, hi, p, g, m, v, lr_mult, c);
  }
}
