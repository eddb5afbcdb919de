#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_interact.h"
#include "dm_knife.h"
#include "dm_loss.h"
#include "dm_rng.h"

enum { STREAM_FOLDS = 1, STREAM_FOLD = 10, STREAM_REPEAT = 1000 };
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

static void copy_theta(const float *src, size_t n, double *dst) {
  for (size_t k = 0; k < n; k++) dst[k] = src[k];
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
  int *train = malloc(sizeof(int) * ((size_t)n + 1));
  int *test = malloc(sizeof(int) * ((size_t)n + 1));
  int *inner_tr = malloc(sizeof(int) * ((size_t)n + 1));
  int *inner_va = malloc(sizeof(int) * ((size_t)n + 1));
  int *ytrain = malloc(sizeof(int) * ((size_t)n + 1));
  float *z = malloc(sizeof(float) * ((size_t)n * K + 1));
  double *ld = malloc(sizeof(double) * ((size_t)n + 1));
  if (!train || !test || !inner_tr || !inner_va || !ytrain || !z || !ld) {
    st = DM_ERR_NOMEM;
    goto out;
  }
  double done = 0.0;

  for (int rep = 0; rep < cfg->repeats && st == DM_OK; rep++) {
    const uint64_t rkey = dm_rng_derive(key, STREAM_REPEAT + (uint64_t)rep);
    int *rfold = fold + (size_t)rep * n;
    double *rprior = prior + (size_t)rep * F * K;
    if (fold_given) memcpy(rfold, fold_given, sizeof(int) * (size_t)n);
    else dm_assign_folds(data->y, n, K, F, dm_rng_derive(rkey, STREAM_FOLDS), rfold);

    for (int f = 0; f < F && st == DM_OK; f++) {
      const uint64_t fkey = dm_rng_derive(rkey, STREAM_FOLD + (uint64_t)f);
      int n_train = 0, n_test = 0;
      for (int i = 0; i < n; i++) {
        if (rfold[i] == f) test[n_test++] = i;
        else train[n_train++] = i;
      }
      for (int k = 0; k < K; k++) rprior[f + (size_t)F * k] = 0.0;
      for (int t = 0; t < n_train; t++) {
        ytrain[t] = data->y[train[t]];
        rprior[f + (size_t)F * ytrain[t]] += 1.0 / n_train;
      }
      /* Inner split of the training rows (positions mapped back to rows);
       * none when inner_val is 0, and then the last epoch is kept. */
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
        if (st == DM_OK) {
          model.logits(model.self, theta, data, test, n_test, z, nthreads);
          dm_log_softmax(n_test, K, z, K, z, K);
          double *lp = logp[(size_t)rep * n_nets + j];
          for (int t = 0; t < n_test; t++)
            for (int k = 0; k < K; k++)
              lp[(size_t)k * n + test[t]] = z[(size_t)t * K + k];
          if (rep == 0) copy_theta(theta, net.n_params, theta_net[(size_t)f * n_nets + j]);
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
        if (!theta) {
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
          double *dst = logdens + ((size_t)rep * M + m) * n;
          for (int t = 0; t < n_test; t++) dst[test[t]] = ld[t];
          if (rep == 0) copy_theta(theta, kn.n_params, theta_knife[(size_t)f * M + m]);
        }
        free(theta);
        dm_knife_destroy(&kn);
      }
    }
  }
out:
  free(train); free(test); free(inner_tr); free(inner_va); free(ytrain); free(z); free(ld);
  return st;
}
