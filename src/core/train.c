#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_loss.h"
#include "dm_omp.h"
#include "dm_rng.h"
#include "dm_streams.h"
#include "dm_train.h"

int dm_shard_plan(int nb, int *starts) {
  int n = DM_MIN(2, nb / DM_SHARD_MIN_ROWS);
  n = DM_MAX(n, DM_MIN(DM_MAX_SHARDS, nb / DM_SHARD_FULL_ROWS));
  n = DM_MAX(1, n);
  int base = nb / n, extra = nb % n;
  starts[0] = 0;
  for (int s = 0; s < n; s++) starts[s + 1] = starts[s] + base + (s < extra);
  return n;
}

int dm_shard_cap(int max_rows) {
  int starts[DM_MAX_SHARDS + 1], cap = 1;
  for (int nb = 1; nb <= max_rows; nb++) {
    dm_shard_plan(nb, starts);
    cap = DM_MAX(cap, starts[1] - starts[0]);
  }
  return cap;
}

#define REDUCE_PAR_MIN 8192

/* Elements [lo, hi). One loop per shard count, so that each is a plain
 * vectorised sum of restrict-qualified rows in the fixed order. */
static void reduce_range(float *DM_RESTRICT out, float *const *parts, int n_parts,
                         ptrdiff_t lo, ptrdiff_t hi) {
  const float *DM_RESTRICT a = parts[0];
  const float *DM_RESTRICT b = n_parts > 1 ? parts[1] : NULL;
  const float *DM_RESTRICT c = n_parts > 2 ? parts[2] : NULL;
  const float *DM_RESTRICT d = n_parts > 3 ? parts[3] : NULL;
  switch (n_parts) {
  case 1:
    memcpy(out + lo, a + lo, sizeof(float) * (size_t)(hi - lo));
    break;
  case 2:
#pragma omp simd
    for (ptrdiff_t i = lo; i < hi; i++) out[i] = a[i] + b[i];
    break;
  case 3:
#pragma omp simd
    for (ptrdiff_t i = lo; i < hi; i++) out[i] = (a[i] + b[i]) + c[i];
    break;
  default:
#pragma omp simd
    for (ptrdiff_t i = lo; i < hi; i++) out[i] = ((a[i] + b[i]) + c[i]) + d[i];
    break;
  }
}

void dm_reduce_shards(float *out, float *const *parts, int n_parts, size_t n,
                      int nthreads) {
  const ptrdiff_t nn = (ptrdiff_t)n;
  if (n < REDUCE_PAR_MIN || nthreads < 2) {
    reduce_range(out, parts, n_parts, 0, nn);
    return;
  }
#pragma omp parallel num_threads(nthreads)
  {
    const int t = omp_get_thread_num(), nt = omp_get_num_threads();
    reduce_range(out, parts, n_parts, nn * t / nt, nn * (t + 1) / nt);
  }
}

#define EVAL_CHUNK 4096

dm_status dm_evaluate(const dm_model *model, const float *theta,
                      const dm_data *data, const int *rows, int n,
                      int nthreads, double *loss, double *acc) {
  if (model->evaluate)
    return model->evaluate(model->self, theta, data, rows, n, nthreads, loss,
                           acc);
  const int K = model->K;
  int chunk = DM_MIN(n, EVAL_CHUNK);
  float *z = malloc(sizeof(float) * ((size_t)chunk * K + 1));
  int *pred = malloc(sizeof(int) * ((size_t)chunk + 1));
  int *lab = malloc(sizeof(int) * ((size_t)chunk + 1));
  if (!z || !pred || !lab) {
    free(z); free(pred); free(lab);
    return DM_ERR_NOMEM;
  }
  double total = 0.0;
  long correct = 0;
  for (int s = 0; s < n; s += chunk) {
    int m = DM_MIN(chunk, n - s);
    model->logits(model->self, theta, data, rows + s, m, z, nthreads);
    for (int i = 0; i < m; i++) lab[i] = data->y[rows[s + i]];
    total += dm_softmax_ce(m, K, z, K, lab, NULL, 0.0f, NULL, 0, 0);
    dm_argmax_rows(m, K, z, K, pred);
    for (int i = 0; i < m; i++) correct += pred[i] == lab[i];
  }
  free(z); free(pred); free(lab);
  *loss = n > 0 ? total / n : NAN;
  *acc = n > 0 ? (double)correct / n : NAN;
  return DM_OK;
}

int dm_split_validation(const int *y, int n, int K, double frac, uint64_t key,
                        int *val_rows, int *train_rows) {
  int *count = calloc((size_t)K + 1, sizeof(int));
  int *idx = malloc(sizeof(int) * ((size_t)n + 1));
  char *is_val = calloc((size_t)n + 1, 1);
  if (!count || !idx || !is_val) {
    free(count); free(idx); free(is_val);
    return -1;
  }
  int n_val = 0, largest = 0;
  if (frac > 0.0) {
    for (int i = 0; i < n; i++) count[y[i]]++;
    for (int c = 0; c < K; c++)
      if (count[c] > count[largest]) largest = c;
    for (int c = 0; c < K; c++) {
      int m = 0;
      for (int i = 0; i < n; i++)
        if (y[i] == c) idx[m++] = i;
      int take = (int)floor(frac * m + 0.5);
      if (take > m - 1) take = m - 1; /* every class keeps a training row */
      if (take < 0) take = 0;
      if (n_val == 0 && take == 0 && c == K - 1 && count[largest] > 1) {
        /* Nothing chosen so far: take one row of the largest class. */
        m = 0;
        for (int i = 0; i < n; i++)
          if (y[i] == largest) idx[m++] = i;
        take = 1;
      }
      dm_rng r;
      dm_rng_init(&r, dm_rng_derive(key, (uint64_t)c));
      dm_rng_shuffle(&r, idx, m);
      for (int k = 0; k < take; k++) is_val[idx[k]] = 1;
      n_val += take;
    }
  }
  int a = 0, b = 0;
  for (int i = 0; i < n; i++) {
    if (is_val[i]) val_rows[a++] = i;
    else train_rows[b++] = i;
  }
  free(count); free(idx); free(is_val);
  return n_val;
}

dm_status dm_train(const dm_model *model, float *theta, const dm_data *data,
                   const int *train_rows, int n_train, const int *val_rows,
                   int n_val, const dm_train_cfg *cfg, uint64_t key,
                   int nthreads, dm_tick_fn tick, void *tick_ctx,
                   double *done, double total, dm_history *hist) {
  const size_t P = model->n_params;
  dm_status st = DM_OK;
  float *grad = malloc(sizeof(float) * (P + 1));
  float *m = calloc(P + 1, sizeof(float));
  float *v = calloc(P + 1, sizeof(float));
  float *best = n_val > 0 ? malloc(sizeof(float) * (P + 1)) : NULL;
  int *order = malloc(sizeof(int) * ((size_t)n_train + 1));
  if (!grad || !m || !v || (n_val > 0 && !best) || !order) {
    st = DM_ERR_NOMEM;
    goto done_;
  }
  memcpy(order, train_rows, sizeof(int) * (size_t)n_train);

  const uint64_t shuffle_key = dm_rng_derive(key, DM_STREAM_SHUFFLE);
  const uint64_t batch_key = dm_rng_derive(key, DM_STREAM_BATCH);
  double best_acc = -1.0, best_loss = INFINITY;
  long step = 0;
  dm_history untracked = {NULL, NULL, NULL, 0, 0};
  if (!hist) hist = &untracked;
  hist->epochs_run = 0;
  hist->best_epoch = 0;

  for (int epoch = 0; epoch < cfg->epochs; epoch++) {
    if (model->epoch_begin) model->epoch_begin(model->self, epoch);
    dm_rng r;
    dm_rng_init(&r, dm_rng_derive(shuffle_key, (uint64_t)epoch));
    dm_rng_shuffle(&r, order, n_train);
    const uint64_t epoch_key = dm_rng_derive(batch_key, (uint64_t)epoch);
    double loss_sum = 0.0;
    int b = 0;
    for (int start = 0; start < n_train; start += cfg->batch_size, b++) {
      int nb = DM_MIN(cfg->batch_size, n_train - start);
      double batch_loss = 0.0;
      st = model->batch_grad(model->self, theta, data, order + start, nb,
                             grad, &batch_loss, dm_rng_derive(epoch_key, b),
                             nthreads);
      if (st != DM_OK) goto done_;
      if (!isfinite(batch_loss)) {
        st = DM_ERR_NONFINITE;
        goto done_;
      }
      loss_sum += batch_loss;
      dm_adam_update(P, theta, grad, m, v, ++step, cfg->lr, &cfg->adam,
                     cfg->lr_mult, nthreads);
      *done += 1.0;
      if (tick && tick(tick_ctx, *done, total)) {
        st = DM_ERR_INTERRUPT;
        goto done_;
      }
    }
    if (hist->train_loss) hist->train_loss[epoch] = loss_sum / n_train;
    hist->epochs_run = epoch + 1;
    if (n_val > 0) {
      double vl, va;
      st = dm_evaluate(model, theta, data, val_rows, n_val, nthreads, &vl,
                       &va);
      if (st != DM_OK) goto done_;
      if (hist->val_log_loss) hist->val_log_loss[epoch] = vl;
      if (hist->val_accuracy) hist->val_accuracy[epoch] = va;
      int better = cfg->select == DM_SELECT_LOSS
                       ? vl < best_loss
                       : (va > best_acc || (va == best_acc && vl < best_loss));
      if (better) {
        best_acc = va;
        best_loss = vl;
        hist->best_epoch = epoch + 1;
        memcpy(best, theta, sizeof(float) * P);
      }
      if (cfg->patience > 0 && epoch + 1 - hist->best_epoch >= cfg->patience)
        break;
    } else {
      if (hist->val_log_loss) hist->val_log_loss[epoch] = NAN;
      if (hist->val_accuracy) hist->val_accuracy[epoch] = NAN;
      hist->best_epoch = epoch + 1;
    }
  }
  if (n_val > 0 && hist->best_epoch > 0) memcpy(theta, best, sizeof(float) * P);

done_:
  free(grad); free(m); free(v); free(best); free(order);
  return st;
}
