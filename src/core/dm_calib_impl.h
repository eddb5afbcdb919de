/* dm_calib_impl.h -- internals shared by calib.c (fitting and applying
 * the calibration maps and stacks) and calib_objective.c (their penalised
 * likelihood); not part of the core's interface (dm_calib.h). */
#ifndef DM_CALIB_IMPL_H
#define DM_CALIB_IMPL_H

#include <math.h>
#include "dm_calib.h"

#define MAX_PARTS ((1 << DM_CALIB_MAX_VIEWS) - 1)
#define MAX_PARAMS (MAX_PARTS + DM_CALIB_MAX_BINS + 1)

static inline double softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }
static inline double sigmoid(double x) {
  return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));
}
static inline double softplus_inv(double y) { return y > 30 ? y : log(expm1(y)); }
static inline double logit(double p) { return log(p) - log1p(-p); }

static inline double log_sum_exp(const double *u, int K) {
  double mx = u[0];
  for (int k = 1; k < K; k++) mx = fmax(mx, u[k]);
  double se = 0.0;
  for (int k = 0; k < K; k++) se += exp(u[k] - mx);
  return mx + log(se);
}

/* One calibration problem on n rows. In both kinds the calibrated evidence
 * is linear in J nonnegative parameters a_j (softplus of the optimised
 * x_j): u = lp + sum_j a_j B_j(i), with the K-vectors
 *   map (J = bins):     B_b(i) = z_i * seg_b(t_i) / t_i, the part of the
 *                       ratio whose strength lies in bin b (a_b: slopes);
 *   stack (J = parts):  B_c(i) = the mapped ratio of part c (a_c: weights);
 * and p = (1 - eps) softmax(u) + eps pi, eps the sigmoid of x_J. */
typedef struct {
  int n, K;
  const double *lp;   /* K log prior */
  const int *y;
  int stack;          /* 0: map, 1: stack */
  int J;              /* parameters a_j */
  double edges[DM_CALIB_MAX_BINS + 1];  /* map: bin edges */
  const double *z;    /* map: n x K centred ratios (row-major) */
  const double *t;    /* map: n strengths */
  const double *zp[MAX_PARTS];  /* stack: each n x K mapped ratios */
  double mean[MAX_PARAMS];  /* Gaussian prior on each a_j */
  double sd;
  double *scratch;    /* (MAX_PARAMS + 2) x K */
} dm_calib_problem;

/* The penalised negative log-likelihood per row and its gradient in x (a
 * dm_minimize objective; ctx is a dm_calib_problem). */
double dm_calib_objective(void *ctx, const double *x, double *grad);

/* A problem's bins from the knots of a map; a stack of C parts whose
 * weights' prior is centred on w0; the mapped ratio of z (strength t). */
void dm_calib_set_map(dm_calib_problem *P, int bins, const double *knots);
void dm_calib_set_stack(dm_calib_problem *P, int C, const double *w0, double sd);
void dm_calib_map_ratio(const dm_calib_problem *P, const double *slope, const double *z, double t,
                        double *out);

#endif
