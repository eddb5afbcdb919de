#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_calib.h"
#include "dm_interact.h"
#include "dm_knife.h"
#include "dm_loss.h"
#include "dm_rng.h"
#include "dm_streams.h"

void dm_assign_folds(const int *y, int n, int K, int F, uint64_t key,
                     int *fold) {
  int *idx = malloc(sizeof(int) * ((size_t)n + 1));
  if (!idx) {
    for (int i = 0; i < n; i++) fold[i] = i % F;
    return;
  }
  int offset = 0;
  for (int c = 0; c < K; c++) {
    int m = 0;
    for (int i = 0; i < n; i++)
      if (y[i] == c) idx[m++] = i;
    dm_rng r;
    dm_rng_init(&r, dm_rng_derive(key, (uint64_t)c));
    dm_rng_shuffle(&r, idx, m);
    /* Continue the round robin across classes so fold sizes stay even. */
    for (int k = 0; k < m; k++) fold[idx[k]] = (offset + k) % F;
    offset = (offset + m) % F;
  }
  free(idx);
}

static void copy_theta(const float *src, size_t n, double *dst) {
  for (size_t k = 0; k < n; k++) dst[k] = src[k];
}

/* The rows of one fold: held out, and the inner training and validation
 * parts of the rest. Arrays of n ints each, allocated once per fit. */
typedef struct {
  int *test, *train, *inner_tr, *inner_va, *ytrain;
  int n_test, n_it, n_iv;
} fold_rows;

/* Progress, counted in batches over the whole fit. */
typedef struct {
  dm_tick_fn tick;
  void *ctx;
  double done, total;
} progress;

/* Splits fold f of `fold`, writing the class frequencies of its training
 * rows to prior[f + F * k]. */
static dm_status split_fold(const dm_data *data, const int *fold, int f, int F,
                            double inner_val, uint64_t key, double *prior, fold_rows *r) {
  const int n = data->n, K = data->K;
  int n_train = 0;
  r->n_test = 0;
  for (int i = 0; i < n; i++) {
    if (fold[i] == f) r->test[r->n_test++] = i;
    else r->train[n_train++] = i;
  }
  for (int k = 0; k < K; k++) prior[f + (size_t)F * k] = 0.0;
  for (int t = 0; t < n_train; t++) {
    r->ytrain[t] = data->y[r->train[t]];
    prior[f + (size_t)F * r->ytrain[t]] += 1.0 / n_train;
  }
  /* Inner split of the training rows (positions mapped back to rows);
   * none when inner_val is 0, and then the last epoch is kept. */
  r->n_iv = dm_split_validation(r->ytrain, n_train, K, inner_val,
                                dm_rng_derive(key, DM_STREAM_INNER), r->inner_va, r->inner_tr);
  if (r->n_iv < 0) return DM_ERR_NOMEM;
  r->n_it = n_train - r->n_iv;
  for (int t = 0; t < r->n_it; t++) r->inner_tr[t] = r->train[r->inner_tr[t]];
  for (int t = 0; t < r->n_iv; t++) r->inner_va[t] = r->train[r->inner_va[t]];
  return DM_OK;
}

/* Trains one discriminator on the fold's training rows and writes its log
 * posteriors of the held-out rows to logp (n x K, column-major); its
 * parameters to theta_out unless NULL. z: scratch of n x K floats. */
static dm_status score_net(const dm_data *data, const dm_interact_cfg *cfg,
                           const dm_net_spec *spec, const fold_rows *r, uint64_t key,
                           int nthreads, progress *pg, float *z, double *logp,
                           double *theta_out) {
  const int n = data->n, K = data->K;
  dm_net net;
  dm_status st = dm_net_create(&net, spec, data->dims, data->n_views,
                               cfg->net_train.batch_size, nthreads);
  if (st != DM_OK) return st;
  float *theta = malloc(sizeof(float) * (net.n_params + 1));
  if (!theta) {
    dm_net_destroy(&net);
    return DM_ERR_NOMEM;
  }
  dm_net_init(&net, theta, dm_rng_derive(key, DM_STREAM_INIT));
  dm_model model = dm_net_model(&net);
  st = dm_train(&model, theta, data, r->inner_tr, r->n_it, r->inner_va, r->n_iv,
                &cfg->net_train, dm_rng_derive(key, DM_STREAM_TRAIN), nthreads, pg->tick,
                pg->ctx, &pg->done, pg->total, NULL);
  if (st == DM_OK) {
    model.logits(model.self, theta, data, r->test, r->n_test, z, nthreads);
    dm_log_softmax(r->n_test, K, z, K, z, K);
    for (int t = 0; t < r->n_test; t++)
      for (int k = 0; k < K; k++) logp[(size_t)k * n + r->test[t]] = z[(size_t)t * K + k];
    if (theta_out) copy_theta(theta, net.n_params, theta_out);
  }
  free(theta);
  dm_net_destroy(&net);
  return st;
}

/* The same for the density of view m: log densities of the held-out rows
 * into logdens (n); ld: scratch of n doubles. */
static dm_status score_density(const dm_data *data, const dm_interact_cfg *cfg, int m,
                               const fold_rows *r, uint64_t key, int nthreads, progress *pg,
                               double *ld, double *logdens, double *theta_out) {
  dm_knife kn;
  dm_status st = dm_knife_create(&kn, data->dims[m], cfg->knife_K, m,
                                 cfg->knife_train.batch_size, nthreads);
  if (st != DM_OK) return st;
  float *theta = malloc(sizeof(float) * (kn.n_params + 1));
  if (!theta) {
    dm_knife_destroy(&kn);
    return DM_ERR_NOMEM;
  }
  dm_knife_init(&kn, theta, data, r->inner_tr, r->n_it, dm_rng_derive(key, DM_STREAM_INIT));
  dm_model model = dm_knife_model(&kn);
  st = dm_train(&model, theta, data, r->inner_tr, r->n_it, r->inner_va, r->n_iv,
                &cfg->knife_train, dm_rng_derive(key, DM_STREAM_TRAIN), nthreads, pg->tick,
                pg->ctx, &pg->done, pg->total, NULL);
  if (st == DM_OK) {
    dm_knife_logdens(&kn, theta, data, r->test, r->n_test, ld, nthreads);
    for (int t = 0; t < r->n_test; t++) logdens[r->test[t]] = ld[t];
    if (theta_out) copy_theta(theta, kn.n_params, theta_out);
  }
  free(theta);
  dm_knife_destroy(&kn);
  return st;
}

dm_status dm_interact_fit(const dm_data *data, const dm_interact_cfg *cfg,
                          int n_nets, const dm_net_spec *specs, uint64_t key,
                          int nthreads, dm_tick_fn tick, void *tick_ctx,
                          double total_ticks, const int *fold_given,
                          int *fold, double **logp, double *logdens,
                          double *prior, double **theta_net,
                          double **theta_knife) {
  const int n = data->n, K = data->K, F = cfg->folds, M = data->n_views;
  dm_status st = DM_OK;
  const size_t rows = (size_t)n + 1;
  fold_rows r;
  r.test = malloc(sizeof(int) * rows);
  r.train = malloc(sizeof(int) * rows);
  r.inner_tr = malloc(sizeof(int) * rows);
  r.inner_va = malloc(sizeof(int) * rows);
  r.ytrain = malloc(sizeof(int) * rows);
  float *z = malloc(sizeof(float) * ((size_t)n * K + 1));
  double *ld = malloc(sizeof(double) * rows);
  progress pg = {tick, tick_ctx, 0.0, total_ticks};
  if (!r.test || !r.train || !r.inner_tr || !r.inner_va || !r.ytrain || !z || !ld)
    st = DM_ERR_NOMEM;

  for (int rep = 0; rep < cfg->repeats && st == DM_OK; rep++) {
    const uint64_t rkey = dm_rng_derive(key, DM_STREAM_REPEAT + (uint64_t)rep);
    int *rfold = fold + (size_t)rep * n;
    if (fold_given) memcpy(rfold, fold_given, sizeof(int) * (size_t)n);
    else dm_assign_folds(data->y, n, K, F, dm_rng_derive(rkey, DM_STREAM_FOLDS), rfold);
    for (int f = 0; f < F && st == DM_OK; f++) {
      const uint64_t fkey = dm_rng_derive(rkey, DM_STREAM_FOLD + (uint64_t)f);
      st = split_fold(data, rfold, f, F, cfg->inner_val, fkey, prior + (size_t)rep * F * K, &r);
      /* parameters are kept for the first repeat only */
      for (int j = 0; j < n_nets && st == DM_OK; j++)
        st = score_net(data, cfg, &specs[j], &r, dm_rng_derive(fkey, DM_STREAM_SCORE_NETS + (uint64_t)j),
                       nthreads, &pg, z, logp[(size_t)rep * n_nets + j],
                       rep == 0 ? theta_net[(size_t)f * n_nets + j] : NULL);
      for (int m = 0; m < M && cfg->density && st == DM_OK; m++)
        st = score_density(data, cfg, m, &r, dm_rng_derive(fkey, DM_STREAM_KNIFE + (uint64_t)m),
                           nthreads, &pg, ld, logdens + ((size_t)rep * M + m) * n,
                           rep == 0 ? theta_knife[(size_t)f * M + m] : NULL);
    }
  }
  free(r.test); free(r.train); free(r.inner_tr); free(r.inner_va); free(r.ytrain);
  free(z); free(ld);
  return st;
}

dm_status dm_interact_combine(int M, int K, int n, int F, int R, const double *const *raw,
                              const int *y, const int *fold, const double *prior, int bins,
                              int nthreads, double *const *avg, double *const *logp_y,
                              double *maps, double *stacks, double *lp_all) {
  const int S = (1 << M) - 1;
  dm_status st = DM_OK;
  double *block = malloc(sizeof(double) * ((size_t)S * n * K + (size_t)F * K + 1));
  double **cal = malloc(sizeof(double *) * (size_t)S);
  int *rows = malloc(sizeof(int) * ((size_t)n + 1));
  if (!block || !cal || !rows) {
    st = DM_ERR_NOMEM;
    goto out;
  }
  for (int s = 0; s < S; s++) cal[s] = block + (size_t)s * n * K;
  double *lp_fold = block + (size_t)S * n * K;
  for (int i = 0; i < n; i++) rows[i] = i;
  for (int rep = 0; rep < R && st == DM_OK; rep++) {
    const double *const *src = raw + (size_t)rep * S;
    const double *rprior = prior + (size_t)rep * F * K;
    if (bins > 0) {
      for (size_t q = 0; q < (size_t)F * K; q++) lp_fold[q] = log(rprior[q]);
      st = dm_calib_crossfit(M, K, n, src, y, fold + (size_t)rep * n, F, lp_fold, bins,
                             nthreads, cal);
      if (st == DM_OK && rep == 0 && maps) {
        for (int k = 0; k < K; k++) {
          double m = 0.0;
          for (int f = 0; f < F; f++) m += rprior[f + (size_t)F * k] / F;
          lp_all[k] = log(m);
        }
        st = dm_calib_fit(M, K, n, src, y, rows, n, lp_all, bins, maps, stacks);
      }
      if (st != DM_OK) break;
    } else {
      for (int s = 0; s < S; s++) memcpy(cal[s], src[s], sizeof(double) * (size_t)n * K);
    }
    for (int s = 0; s < S; s++) {
      for (size_t q = 0; q < (size_t)n * K; q++)
        avg[s][q] = rep == 0 ? cal[s][q] : dm_log_add(avg[s][q], cal[s][q]);
      for (int i = 0; i < n; i++) logp_y[s][(size_t)rep * n + i] = cal[s][(size_t)y[i] * n + i];
    }
  }
  if (st == DM_OK)
    for (int s = 0; s < S; s++)
      for (size_t q = 0; q < (size_t)n * K; q++) avg[s][q] -= log((double)R);
out:
  free(block);
  free(cal);
  free(rows);
  return st;
}
