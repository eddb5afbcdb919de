/* dmil_stages.c -- staged training of the DMIL network: each stage trains
 * its parameter groups on its loss, and is kept or reverted by validation
 * accuracy. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_dmil.h"
#include "dm_rng.h"
#include "dm_streams.h"

dm_status dm_dmil_train_stages(dm_dmil *net, float *theta, const dm_data *data,
                               const int *train_rows, int n_train, const int *val_rows,
                               int n_val, dm_dmil_stage *stages, int n_stages, uint64_t key,
                               int nthreads, dm_tick_fn tick, void *tick_ctx, double total,
                               dm_dmil_stage_result *res) {
  const size_t P = net->n_params;
  float *before = malloc(sizeof(float) * (P + 1)), *mult = malloc(sizeof(float) * (P + 1));
  dm_status status = before && mult ? DM_OK : DM_ERR_NOMEM;
  dm_model model = dm_dmil_model(net);
  double done = 0.0;
  /* Validation accuracy of the current parameters (posterior-mean
   * predictions, which the loss settings do not affect): evaluated once
   * here, then carried from stage to stage. */
  double acc_now = NAN, vl = NAN;
  if (status == DM_OK && n_val > 0)
    status = dm_evaluate(&model, theta, data, val_rows, n_val, nthreads, &vl, &acc_now);
  for (int s = 0; s < n_stages && status == DM_OK; s++) {
    dm_dmil_stage *c = &stages[s];
    dm_dmil_stage_result *r = &res[s];
    r->acc_before = acc_now;
    net->loss = c->loss;
    net->beta_scale = 1.0f;
    memcpy(before, theta, sizeof(float) * P);
    dm_dmil_lr_mult(net, c->groups, c->enc_mult, mult);
    c->train.lr_mult = mult;
    status = dm_train(&model, theta, data, train_rows, n_train, val_rows, n_val, &c->train,
                      dm_rng_derive(key, DM_STREAM_STAGES + (uint64_t)s), nthreads, tick,
                      tick_ctx, &done, total, &r->hist);
    c->train.lr_mult = NULL;
    if (status != DM_OK) break;
    /* dm_train left the best epoch's parameters, whose accuracy it recorded */
    const dm_history *h = &r->hist;
    r->acc_after = n_val > 0 && h->best_epoch > 0 ? h->val_accuracy[h->best_epoch - 1] : NAN;
    r->kept = 1;
    acc_now = r->acc_after;
    if (!isnan(c->tolerance) && n_val > 0 && r->acc_after < r->acc_before - c->tolerance) {
      r->kept = 0;
      acc_now = r->acc_before;
      memcpy(theta, before, sizeof(float) * P);
    }
    if (r->theta)
      for (size_t k = 0; k < P; k++) r->theta[k] = theta[k];
  }
  free(before);
  free(mult);
  return status;
}
