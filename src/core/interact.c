#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_interact.h"
#include "dm_knife.h"
#include "dm_loss.h"
#include "dm_rng.h"

enum { STREAM_FOLDS = 1, STREAM_FOLD = 10 };
enum { STREAM_INNER = 1, STREAM_NET = 100, STREAM_KNIFE = 200 };
enum { STREAM_INIT = 1, STREAM_TRAIN = 2 };

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

/* Temperature T minimising the mean cross-entropy of logits / T on the
 * given rows (a one-dimensional convex problem in 1/T, solved by Newton's
 * method on log(1/T)), kept within [1, 20]: it only softens. When the
 * validation rows are all classified correctly the unconstrained optimum is
 * T -> 0, an arbitrarily confident network. 1 when there is nothing to
 * fit. */
static double fit_temperature(const float *z, const int *y, int n, int K) {
  if (n < 2) return 1.0;
  double lb = 0.0; /* log(1/T) */
  for (int it = 0; it < 50; it++) {
    const double b = exp(lb);
    double g = 0.0, h = 0.0;
    for (int i = 0; i < n; i++) {
      const float *zi = z + (size_t)i * K;
      double mx = zi[0];
      for (int k = 1; k < K; k++) mx = fmax(mx, zi[k]);
      double se = 0.0, sz = 0.0, szz = 0.0;
      for (int k = 0; k < K; k++) {
        double e = exp(b * (zi[k] - mx));
        se += e;
        sz += e * zi[k];
        szz += e * (double)zi[k] * zi[k];
      }
      const double mean = sz / se, var = szz / se - mean * mean;
      /* d/db of CE = E[z] - z_y; d2/db2 = Var[z]. */
      g += mean - zi[y[i]];
      h += var;
    }
    /* Chain rule to the log scale: b' = b. */
    double gl = g * b, hl = h * b * b + g * b;
    if (!(hl > 0)) hl = fabs(gl) + 1e-12;
    double step = -gl / hl;
    if (step > 2) step = 2;
    if (step < -2) step = -2;
    lb += step;
    if (lb > 0.0) lb = 0.0;              /* T >= 1 */
    if (lb < -log(20.0)) lb = -log(20.0); /* T <= 20 */
    if (fabs(step) < 1e-10) break;
  }
  return exp(-lb);
}

static void copy_theta(const float *src, size_t n, double *dst) {
  for (size_t k = 0; k < n; k++) dst[k] = src[k];
}

dm_status dm_interact_fit(const dm_data *data, const dm_interact_cfg *cfg,
                          int n_nets, const dm_net_spec *specs, uint64_t key,
                          int nthreads, dm_tick_fn tick, void *tick_ctx,
                          double total_ticks, const int *fold_given,
                          int *fold, double **logp,
                          double *logdens, double *prior, double **theta_net,
                          double **theta_knife) {
  const int n = data->n, K = data->K, F = cfg->folds, M = data->n_views;
  dm_status st = DM_OK;
  int *train = malloc(sizeof(int) * ((size_t)n + 1));
  int *test = malloc(sizeof(int) * ((size_t)n + 1));
  int *inner_tr = malloc(sizeof(int) * ((size_t)n + 1));
  int *inner_va = malloc(sizeof(int) * ((size_t)n + 1));
  int *ytrain = malloc(sizeof(int) * ((size_t)n + 1));
  float *z = malloc(sizeof(float) * ((size_t)n * K + 1));
  if (!train || !test || !inner_tr || !inner_va || !ytrain || !z) {
    st = DM_ERR_NOMEM;
    goto out;
  }
  if (fold_given) memcpy(fold, fold_given, sizeof(int) * (size_t)n);
  else dm_assign_folds(data->y, n, K, F, dm_rng_derive(key, STREAM_FOLDS), fold);
  double done = 0.0;

  for (int f = 0; f < F && st == DM_OK; f++) {
    const uint64_t fkey = dm_rng_derive(key, STREAM_FOLD + (uint64_t)f);
    int n_train = 0, n_test = 0;
    for (int i = 0; i < n; i++) {
      if (fold[i] == f) test[n_test++] = i;
      else train[n_train++] = i;
    }
    for (int k = 0; k < K; k++) prior[f + (size_t)F * k] = 0.0;
    for (int t = 0; t < n_train; t++) {
      ytrain[t] = data->y[train[t]];
      prior[f + (size_t)F * ytrain[t]] += 1.0 / n_train;
    }
    /* Inner split of the training rows (positions mapped back to rows). */
    int n_iv = dm_split_validation(ytrain, n_train, K, cfg->inner_val,
                                   dm_rng_derive(fkey, STREAM_INNER), inner_va,
                                   inner_tr);
    if (n_iv < 0) {
      st = DM_ERR_NOMEM;
      break;
    }
    const int n_it = n_train - n_iv;
    for (int t = 0; t < n_it; t++) inner_tr[t] = train[inner_tr[t]];
    for (int t = 0; t < n_iv; t++) inner_va[t] = train[inner_va[t]];

    for (int j = 0; j < n_nets && st == DM_OK; j++) {
      const uint64_t nkey = dm_rng_derive(fkey, STREAM_NET + (uint64_t)j);
      dm_net net;
      st = dm_net_create(&net, &specs[j], data->dims, M,
                         cfg->net_train.batch_size, nthreads);
      if (st != DM_OK) break;
      float *theta = malloc(sizeof(float) * (net.n_params + 1));
      if (!theta) {
        dm_net_destroy(&net);
        st = DM_ERR_NOMEM;
        break;
      }
      dm_net_init(&net, theta, dm_rng_derive(nkey, STREAM_INIT));
      dm_model model = dm_net_model(&net);
      st = dm_train(&model, theta, data, inner_tr, n_it, inner_va, n_iv,
                    &cfg->net_train, dm_rng_derive(nkey, STREAM_TRAIN),
                    nthreads, tick, tick_ctx, &done, total_ticks, NULL);
      if (st == DM_OK && cfg->calibrate && n_iv > 1) {
        /* Temperature scaling on the inner validation rows, folded into
         * the output layer so the stored network is already calibrated. */
        model.logits(model.self, theta, data, inner_va, n_iv, z, nthreads);
        for (int t = 0; t < n_iv; t++) ytrain[t] = data->y[inner_va[t]];
        const double T = fit_temperature(z, ytrain, n_iv, K);
        const dm_mlp *head = &net.head;
        size_t off = head->offset;
        for (int l = 0; l + 1 < head->n_layers; l++)
          off += (size_t)head->dims[l + 1] * (head->dims[l] + 1);
        const size_t last = (size_t)K * (head->dims[head->n_layers - 1] + 1);
        for (size_t k = 0; k < last; k++) theta[off + k] = (float)(theta[off + k] / T);
      }
      if (st == DM_OK) {
        model.logits(model.self, theta, data, test, n_test, z, nthreads);
        dm_log_softmax(n_test, K, z, K, z, K);
        double *lp = logp[j];
        for (int t = 0; t < n_test; t++)
          for (int k = 0; k < K; k++)
            lp[(size_t)k * n + test[t]] = z[(size_t)t * K + k];
        copy_theta(theta, net.n_params, theta_net[(size_t)f * n_nets + j]);
      }
      free(theta);
      dm_net_destroy(&net);
    }

    for (int m = 0; m < M && cfg->density && st == DM_OK; m++) {
      const uint64_t kkey = dm_rng_derive(fkey, STREAM_KNIFE + (uint64_t)m);
      dm_knife kn;
      st = dm_knife_create(&kn, data->dims[m], cfg->knife_K, m,
                           cfg->knife_train.batch_size, nthreads);
      if (st != DM_OK) break;
      float *theta = malloc(sizeof(float) * (kn.n_params + 1));
      double *ld = malloc(sizeof(double) * ((size_t)n_test + 1));
      if (!theta || !ld) {
        free(theta);
        free(ld);
        dm_knife_destroy(&kn);
        st = DM_ERR_NOMEM;
        break;
      }
      dm_knife_init(&kn, theta, data, inner_tr, n_it,
                    dm_rng_derive(kkey, STREAM_INIT));
      dm_model model = dm_knife_model(&kn);
      st = dm_train(&model, theta, data, inner_tr, n_it, inner_va, n_iv,
                    &cfg->knife_train, dm_rng_derive(kkey, STREAM_TRAIN),
                    nthreads, tick, tick_ctx, &done, total_ticks, NULL);
      if (st == DM_OK) {
        dm_knife_logdens(&kn, theta, data, test, n_test, ld, nthreads);
        for (int t = 0; t < n_test; t++) logdens[(size_t)m * n + test[t]] = ld[t];
        copy_theta(theta, kn.n_params, theta_knife[(size_t)f * M + m]);
      }
      free(theta);
      free(ld);
      dm_knife_destroy(&kn);
    }
  }
out:
  free(train); free(test); free(inner_tr); free(inner_va); free(ytrain); free(z);
  return st;
}
