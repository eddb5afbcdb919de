/* dmil.c -- the DMIL network as a dm_model: the sharded batch gradient
 * (forward, per-sample losses, batch-level terms, backward) and the
 * warm-up schedule. The parts live in dmil_layout.c, dmil_forward.c,
 * dmil_loss.c and dmil_backward.c (dm_dmil_impl.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_dmil_impl.h"
#include "dm_omp.h"
#include "dm_rng.h"
#include "dm_streams.h"

static dm_status dmil_batch_grad(void *self, const float *theta,
                                 const dm_data *data, const int *rows, int nb,
                                 float *grad, double *loss_sum, uint64_t key,
                                 int nthreads) {
  dm_dmil *net = self;
  /* the partner buffers hold at most max_partners per row */
  if (net->loss.lambda_anova != 0 &&
      (net->loss.partners < 1 || net->loss.partners > net->max_partners))
    return DM_ERR_ARG;
  int starts[DM_MAX_SHARDS + 1];
  const int ns = dm_shard_plan(nb, starts);
  double part[DM_MAX_SHARDS], part2[DM_MAX_SHARDS];
  float *parts[DM_MAX_SHARDS];
  const float scale = 1.0f / (float)nb;
  const uint64_t sample_key = dm_rng_derive(key, DM_STREAM_SAMPLE),
                 anova_key = dm_rng_derive(key, DM_STREAM_ANOVA);
  int nt = DM_MIN(nthreads, ns);
  (void)nt;
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int s = 0; s < ns; s++) {
    struct dmil_ws *ws = &net->ws[s];
    const int B = starts[s + 1] - starts[s];
    memset(ws->grad, 0, sizeof(float) * net->n_params);
    dm_dmil_forward_trunk(net, theta, data, rows + starts[s], B, ws);
    dm_dmil_forward_heads(net, theta, B, ws, sample_key, starts[s]);
    part[s] = dm_dmil_sample_losses(net, theta, data, rows + starts[s], B, ws, scale, ws->grad);
    parts[s] = ws->grad;
  }
  const double orth = dm_dmil_orth_term(net, starts, ns, nb);
  /* The batch's encodings side by side, for the ANOVA term's gradient. */
  const int MH = net->a.M * net->a.H;
  if (net->loss.lambda_anova != 0)
    for (int s = 0; s < ns; s++)
      memcpy(net->bhall + (size_t)starts[s] * MH, net->ws[s].hcat,
             sizeof(float) * (size_t)(starts[s + 1] - starts[s]) * MH);
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int s = 0; s < ns; s++) {
    struct dmil_ws *ws = &net->ws[s];
    const int B = starts[s + 1] - starts[s];
    dm_dmil_backward_trunk(net, theta, B, ws, ws->grad);
    part2[s] = dm_dmil_anova_term(net, theta, starts, nb, s, anova_key, ws->grad);
  }
  if (net->loss.lambda_anova != 0)
    dm_dmil_anova_weight_grad(net, ns, nb, net->bhall, net->ws[0].grad, nthreads);
  double total = orth;
  for (int s = 0; s < ns; s++) total += part[s] + part2[s];
  *loss_sum = total;
  dm_reduce_shards(grad, parts, ns, net->n_params, nthreads);
  return DM_OK;
}

static void dmil_logits(void *self, const float *theta, const dm_data *data,
                        const int *rows, int n, float *out, int nthreads) {
  dm_dmil_predict(self, theta, data, rows, n, out, NULL, nthreads);
}

static void dmil_epoch_begin(void *self, int epoch) {
  dm_dmil *net = self;
  const int w = net->loss.warmup_epochs;
  net->beta_scale = w > 0 && epoch < w ? (float)epoch / (float)w : 1.0f;
}

dm_model dm_dmil_model(dm_dmil *net) {
  dm_model m;
  m.self = net;
  m.n_params = net->n_params;
  m.K = net->a.K;
  m.batch_grad = dmil_batch_grad;
  m.logits = dmil_logits;
  m.evaluate = NULL;
  m.epoch_begin = dmil_epoch_begin;
  return m;
}
