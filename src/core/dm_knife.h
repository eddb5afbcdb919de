/* dm_knife.h -- a Gaussian-mixture density with full covariances in the
 * parametrisation of KNIFE (Pichler et al. 2022), as used by LSMI to turn
 * features into surprisals h(x) = -log p(x).
 *
 *   p(x) = sum_k pi_k (2 pi)^(-d/2) |det A_k| exp(-|A_k (x - mu_k)|^2 / 2),
 *   A_k = (I + L_k) diag(a_k),  a_k = exp(tanh(s_k)),  pi = softmax(w),
 * with L_k strictly lower triangular, so log|det A_k| = sum_j tanh(s_kj)
 * and every precision scale stays in [1/e, e] (features must therefore be
 * standardised).
 *
 * Parameters (flat): for each component mu_k (d), s_k (d), L_k (d x d,
 * row-major, only the strictly lower part used), then w (K). */
#ifndef DM_KNIFE_H
#define DM_KNIFE_H

#include "dm_common.h"
#include "dm_data.h"
#include "dm_train.h"

typedef struct {
  int d;          /* features */
  int K;          /* components */
  int view;       /* which view of the data it models */
  size_t n_params;
  int n_ws;
  struct knife_ws *ws;
  double *eval;   /* log-densities of one evaluation span of rows */
} dm_knife;

/* max_rows: the largest training batch; nthreads: most threads used. */
dm_status dm_knife_create(dm_knife *kn, int d, int K, int view, int max_rows,
                          int nthreads);
void dm_knife_destroy(dm_knife *kn);
size_t dm_knife_param_count(int d, int K);

/* Initialisation: means at K distinct random training rows, unit scales
 * (s = 0), no correlation (L = 0), equal weights (w = 0). */
void dm_knife_init(const dm_knife *kn, float *theta, const dm_data *data,
                   const int *rows, int n_rows, uint64_t key);

/* log p(x) of rows[0..n-1] of the knife's view, in double. */
void dm_knife_logdens(dm_knife *kn, const float *theta, const dm_data *data,
                      const int *rows, int n, double *out, int nthreads);

/* The dm_model view (loss: negative log-density; accuracy: NaN). */
dm_model dm_knife_model(dm_knife *kn);

#endif
