/* dm_adam.h -- Adam with decoupled weight decay (AdamW).
 *
 * For step t >= 1 and gradient g:
 *   m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,
 *   p <- p - lr * (mhat / (sqrt(vhat) + eps) + wd * p),
 * with mhat = m / (1 - b1^t), vhat = v / (1 - b2^t). With wd = 0 this is
 * exactly Adam. The update is element-wise, so splitting it over threads
 * cannot change the result. */
#ifndef DM_ADAM_H
#define DM_ADAM_H

#include "dm_common.h"

typedef struct {
  float beta1, beta2, eps, weight_decay;
} dm_adam_cfg;

/* Defaults of torch.optim.Adam: 0.9, 0.999, 1e-8, no decay. */
dm_adam_cfg dm_adam_defaults(void);

/* lr_mult (optional, length n) scales the learning rate of each parameter;
 * a parameter with multiplier 0 is frozen: neither it nor its moment
 * estimates change. */
void dm_adam_update(size_t n, float *p, const float *g, float *m, float *v,
                    long step, float lr, const dm_adam_cfg *cfg,
                    const float *lr_mult, int nthreads);

#endif
