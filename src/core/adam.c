#include <math.h>
#include "dm_adam.h"
#include "dm_omp.h"

dm_adam_cfg dm_adam_defaults(void) {
  dm_adam_cfg c = {0.9f, 0.999f, 1e-8f, 0.0f};
  return c;
}

/* Below this many parameters a parallel region costs more than it saves. */
#define ADAM_PAR_MIN 65536

void dm_adam_update(size_t n, float *p, const float *g, float *m, float *v,
                    long step, float lr, const dm_adam_cfg *cfg,
                    const float *lr_mult, int nthreads) {
  const float b1 = cfg->beta1, b2 = cfg->beta2, eps = cfg->eps;
  const float bc1 = (float)(1.0 - pow(b1, (double)step));
  const float bc2 = (float)(1.0 - pow(b2, (double)step));
  const float step_size = lr / bc1;
  const float inv_sqrt_bc2 = (float)(1.0 / sqrt((double)bc2));
  const float decay = lr * cfg->weight_decay;
  int nt = n >= ADAM_PAR_MIN ? nthreads : 1;
  (void)nt;
  ptrdiff_t nn = (ptrdiff_t)n;
#pragma omp parallel for num_threads(nt) schedule(static)
  for (ptrdiff_t i = 0; i < nn; i++) {
    const float mult = lr_mult ? lr_mult[i] : 1.0f;
    if (mult == 0.0f) continue;
    float gi = g[i];
    float mi = b1 * m[i] + (1.0f - b1) * gi;
    float vi = b2 * v[i] + (1.0f - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    float denom = sqrtf(vi) * inv_sqrt_bc2 + eps;
    p[i] -= mult * (step_size * mi / denom + decay * p[i]);
  }
}
