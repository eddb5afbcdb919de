#include "dm_distill.h"

static dm_status distill_batch_grad(void *self, const float *theta, const dm_data *data,
                                    const int *rows, int nb, float *grad, double *loss_sum,
                                    uint64_t key, int nthreads) {
  dm_distill *d = self;
  (void)key; /* no randomness per batch */
  const dm_net_extras ex = {.target = d->target, .target_weight = d->weight};
  return dm_net_batch_grad(d->net, theta, data, rows, nb, grad, loss_sum, nthreads, &ex);
}

dm_model dm_distill_model(dm_distill *d) {
  return dm_net_variant_model(d, distill_batch_grad);
}
