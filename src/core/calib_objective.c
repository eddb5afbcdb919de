/* calib_objective.c -- the penalised likelihood of a calibration map or
 * stack (dm_calib_impl.h), and its entry points for the gradient checks
 * (dm_calib.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_calib_impl.h"
#include "dm_loss.h"

/* seg[b] = clamp(t - e_b, 0, e_{b+1} - e_b), the part of t in bin b. */
static void bin_parts(const double *edges, int bins, double t, double *seg) {
  for (int b = 0; b < bins; b++) {
    const double lo = edges[b], hi = edges[b + 1];
    seg[b] = t <= lo ? 0.0 : (t >= hi ? hi - lo : t - lo);
  }
}

/* The J basis vectors B_j(i) of row i, one after the other. */
static void row_basis(const dm_calib_problem *P, int i, double *basis) {
  const int K = P->K;
  if (P->stack) {
    for (int c = 0; c < P->J; c++) memcpy(basis + (size_t)c * K, P->zp[c] + (size_t)i * K,
                                          sizeof(double) * K);
    return;
  }
  const double *z = P->z + (size_t)i * K, t = P->t[i];
  double seg[DM_CALIB_MAX_BINS];
  bin_parts(P->edges, P->J, t, seg);
  for (int b = 0; b < P->J; b++) {
    /* as t -> 0 only the first bin holds the ratio (and z = 0 anyway) */
    const double f = t > 0 ? seg[b] / t : (b == 0);
    for (int k = 0; k < K; k++) basis[(size_t)b * K + k] = f * z[k];
  }
}


/* log softmax(u)_y and softmax(u) into p; returns the former. */
static double log_softmax_at(const double *u, int K, int y, double *p) {
  const double lse = log_sum_exp(u, K);
  for (int k = 0; k < K; k++) p[k] = exp(u[k] - lse);
  return u[y] - lse;
}

/* Penalised negative log-likelihood per row, and its gradient in x. */
double dm_calib_objective(void *ctx, const double *x, double *grad) {
  const dm_calib_problem *P = ctx;
  const int J = P->J, K = P->K;
  double a[MAX_PARAMS], da[MAX_PARAMS];
  double *p = P->scratch, *u = p + K, *basis = u + K;
  for (int j = 0; j < J; j++) {
    a[j] = softplus(x[j]);
    da[j] = sigmoid(x[j]);
    grad[j] = 0.0;
  }
  const double gam = x[J], eps = sigmoid(gam);
  const double leps = -softplus(-gam), l1eps = -softplus(gam);
  double ll = 0.0, geps = 0.0;
  for (int i = 0; i < P->n; i++) {
    const int y = P->y[i];
    row_basis(P, i, basis);
    for (int k = 0; k < K; k++) u[k] = P->lp[k];
    for (int j = 0; j < J; j++)
      for (int k = 0; k < K; k++) u[k] += a[j] * basis[(size_t)j * K + k];
    const double lpy = log_softmax_at(u, K, y, p);
    /* log q = log((1 - eps) p_y + eps pi_y); w = d log q / d log p_y */
    const double lq = dm_log_add(l1eps + lpy, leps + P->lp[y]);
    const double w = exp(l1eps + lpy - lq);
    ll += lq;
    for (int j = 0; j < J; j++) {
      const double *bj = basis + (size_t)j * K;
      double eb = 0.0;
      for (int k = 0; k < K; k++) eb += p[k] * bj[k];
      grad[j] -= w * (bj[y] - eb) * da[j];
    }
    geps -= (1.0 - w) - eps;
  }
  /* priors: Beta(2, 1) on eps, Gaussian on the a_j */
  double pen = leps;
  geps -= 1.0 - eps;
  for (int j = 0; j < J; j++) {
    const double d = (a[j] - P->mean[j]) / P->sd;
    pen -= 0.5 * d * d;
    grad[j] += d / P->sd * da[j];
  }
  const double inv = 1.0 / P->n;
  for (int j = 0; j < J; j++) grad[j] *= inv;
  grad[J] = geps * inv;
  return -(ll + pen) * inv;
}

/* A dm_calib_problem's bins from the knots of a map. */
void dm_calib_set_map(dm_calib_problem *P, int bins, const double *knots) {
  P->stack = 0;
  P->J = bins;
  P->edges[0] = 0.0;
  for (int b = 1; b < bins; b++) P->edges[b] = fmax(knots[b - 1], P->edges[b - 1]);
  P->edges[bins] = INFINITY;
  for (int b = 0; b < bins; b++) P->mean[b] = 1.0;
  P->sd = DM_CALIB_PRIOR_SD;
}

/* The mapped ratio of z (strength t): sum_b slope_b B_b. */
void dm_calib_map_ratio(const dm_calib_problem *P, const double *slope, const double *z, double t,
                      double *out) {
  double seg[DM_CALIB_MAX_BINS], h = 0.0;
  bin_parts(P->edges, P->J, t, seg);
  for (int b = 0; b < P->J; b++) h += slope[b] * seg[b];
  const double ratio = t > 0 ? h / t : slope[0];
  for (int k = 0; k < P->K; k++) out[k] = ratio * z[k];
}

/* A stack of C parts whose weights' prior is centred on w0. */
void dm_calib_set_stack(dm_calib_problem *P, int C, const double *w0, double sd) {
  P->stack = 1;
  P->J = C;
  for (int c = 0; c < C; c++) P->mean[c] = w0[c];
  P->sd = sd;
}

/* ---- objectives for the gradient checks ------------------------------------ */

double dm_calib_map_objective(int n, int K, const double *z, const int *y,
                              const double *lp, int bins, const double *knots,
                              const double *x, double *grad) {
  if (bins < 1 || bins > DM_CALIB_MAX_BINS) return NAN;
  dm_calib_problem P;
  memset(&P, 0, sizeof(P));
  double *t = malloc(sizeof(double) * ((size_t)n + 1));
  double *scratch = malloc(sizeof(double) * ((MAX_PARAMS + 2) * (size_t)K + 1));
  double f = NAN;
  if (t && scratch) {
    for (int i = 0; i < n; i++) {
      double t2 = 0.0;
      for (int k = 0; k < K; k++) t2 += z[(size_t)i * K + k] * z[(size_t)i * K + k];
      t[i] = sqrt(t2);
    }
    P.n = n;
    P.K = K;
    P.lp = lp;
    P.y = y;
    P.z = z;
    P.t = t;
    P.scratch = scratch;
    dm_calib_set_map(&P, bins, knots);
    f = dm_calib_objective(&P, x, grad);
  }
  free(t);
  free(scratch);
  return f;
}

double dm_calib_stack_objective(int n, int K, int n_parts, const double *z,
                                const int *y, const double *lp,
                                const double *x, double *grad) {
  if (n_parts < 1 || n_parts > MAX_PARTS) return NAN;
  dm_calib_problem P;
  memset(&P, 0, sizeof(P));
  double *scratch = malloc(sizeof(double) * ((MAX_PARAMS + 2) * (size_t)K + 1));
  if (!scratch) return NAN;
  const double w0[MAX_PARAMS] = {0};
  P.n = n;
  P.K = K;
  P.lp = lp;
  P.y = y;
  for (int c = 0; c < n_parts; c++) P.zp[c] = z + (size_t)c * n * K;
  P.scratch = scratch;
  dm_calib_set_stack(&P, n_parts, w0, DM_CALIB_PRIOR_SD);
  const double f = dm_calib_objective(&P, x, grad);
  free(scratch);
  return f;
}
