#include <math.h>
#include <string.h>
#include "dm_lp.h"

#define LP_EPS 1e-12

size_t dm_lp_work(int m, int n) { return (size_t)(m + 1) * (size_t)(n + m + 1); }

/* Pivot the tableau T (rows m + 1, width W, row-major) on (r, j). */
static void pivot(double *T, int m, int W, int r, int j) {
  double *row = T + (size_t)r * W;
  const double inv = 1.0 / row[j];
  for (int k = 0; k < W; k++) row[k] *= inv;
  row[j] = 1.0;
  for (int i = 0; i <= m; i++) {
    if (i == r) continue;
    double *other = T + (size_t)i * W;
    const double f = other[j];
    if (f == 0.0) continue;
    for (int k = 0; k < W; k++) other[k] -= f * row[k];
    other[j] = 0.0;
  }
}

/* Simplex iterations on columns 0 .. ncols-1: the last row holds the
 * reduced costs z_j - c_j (an optimum when none is negative). */
static dm_status iterate(double *T, int m, int W, int ncols, int *basis) {
  const long cap = 50000L + 50L * W;
  for (long it = 0; it < cap; it++) {
    const double *obj = T + (size_t)m * W;
    int j = -1;
    for (int k = 0; k < ncols; k++)
      if (obj[k] < -LP_EPS) {
        j = k;
        break;
      }
    if (j < 0) return DM_OK;
    int r = -1;
    double best = INFINITY;
    for (int i = 0; i < m; i++) {
      const double a = T[(size_t)i * W + j];
      if (a <= LP_EPS) continue;
      const double ratio = T[(size_t)i * W + W - 1] / a;
      /* the least ratio; among ties, the least basic variable (Bland) */
      if (r < 0 || ratio < best - LP_EPS) {
        best = ratio;
        r = i;
      } else if (ratio <= best + LP_EPS && basis[i] < basis[r]) {
        best = fmin(best, ratio);
        r = i;
      }
    }
    if (r < 0) return DM_ERR_ARG;
    pivot(T, m, W, r, j);
    basis[r] = j;
  }
  return DM_ERR_ARG;
}

dm_status dm_lp_max(int m, int n, const double *A, const double *b, const double *c,
                    double *x, double *value, double *work, int *basis) {
  const int W = n + m + 1;
  double *T = work;
  memset(T, 0, sizeof(double) * dm_lp_work(m, n));
  double *obj = T + (size_t)m * W;
  for (int i = 0; i < m; i++) {
    double *row = T + (size_t)i * W;
    for (int j = 0; j < n; j++) row[j] = A[i + (size_t)m * j];
    row[n + i] = 1.0;
    row[W - 1] = b[i];
    basis[i] = n + i;
    /* phase I maximises minus the sum of the artificial variables */
    for (int j = 0; j < n; j++) obj[j] -= row[j];
    obj[W - 1] -= b[i];
  }
  dm_status st = iterate(T, m, W, n, basis);
  if (st != DM_OK) return st;
  if (obj[W - 1] < -1e-9) return DM_ERR_ARG;
  /* artificial variables left in the basis (at zero) leave it where a
   * structural column can replace them; the rows where none can are
   * redundant and keep them at zero */
  for (int i = 0; i < m; i++) {
    if (basis[i] < n) continue;
    const double *row = T + (size_t)i * W;
    for (int j = 0; j < n; j++)
      if (fabs(row[j]) > 1e-9) {
        pivot(T, m, W, i, j);
        basis[i] = j;
        break;
      }
  }
  /* phase II: reduced costs of c over the current basis */
  for (int k = 0; k < W; k++) obj[k] = 0.0;
  for (int j = 0; j < n; j++) obj[j] = -c[j];
  for (int i = 0; i < m; i++) {
    if (basis[i] >= n) continue;
    const double cb = c[basis[i]];
    if (cb == 0.0) continue;
    const double *row = T + (size_t)i * W;
    for (int k = 0; k < W; k++) obj[k] += cb * row[k];
  }
  st = iterate(T, m, W, n, basis);
  if (st != DM_OK) return st;
  for (int j = 0; j < n; j++) x[j] = 0.0;
  for (int i = 0; i < m; i++)
    if (basis[i] < n) x[basis[i]] = T[(size_t)i * W + W - 1];
  *value = obj[W - 1];
  return DM_OK;
}
