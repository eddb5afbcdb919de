/* Ince's I_ccs (common change in surprisal), and the maximum-entropy
 * distribution it shares with I_dep.
 *
 * The maximum-entropy distribution with the pairwise marginals (x1,x2),
 * (x1,y), (x2,y) of p is fitted by iterative proportional fitting from the
 * uniform distribution; its redundancy is the expected local co-information
 * c = i(x1;y) + i(x2;y) - i(x1,x2;y), counted only where c and the three
 * local mutual informations have the same sign. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_pid.h"

#define IPF_MAX_SWEEPS 1000000

static int sgn(double v) { return (v > 0) - (v < 0); }

/* A pairwise marginal of a joint array q over (x1, x2, y), x1 fastest: cell
 * (a, b, y) adds to entry a*sa + b*sb + y*sy of a table of len entries. */
typedef struct {
  int sa, sb, sy;
  size_t len;
} pair_map;

static void marginal(const double *q, int n1, int n2, int ny, pair_map m, double *out) {
  memset(out, 0, sizeof(double) * m.len);
  size_t k = 0;
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++, k++) out[a * m.sa + b * m.sb + y * m.sy] += q[k];
}

/* One IPF step: rescale q so that its marginal `cur` becomes `target`. */
static void scale_to(double *q, int n1, int n2, int ny, pair_map m, const double *target,
                     const double *cur) {
  size_t k = 0;
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++, k++) {
        const size_t j = (size_t)a * m.sa + (size_t)b * m.sb + (size_t)y * m.sy;
        q[k] = cur[j] > 0 ? q[k] * target[j] / cur[j] : 0.0;
      }
}

dm_status dm_pid_maxent(int n1, int n2, int ny, const double *p, double tol, double *q,
                        double *achieved, dm_tick_fn tick, void *tick_ctx) {
  const size_t N = (size_t)n1 * n2 * ny;
  const pair_map m12 = {1, n1, 0, (size_t)n1 * n2}, m1y = {1, 0, n1, (size_t)n1 * ny},
                 m2y = {0, 1, n2, (size_t)n2 * ny};
  dm_status st = DM_OK;
  const size_t len = m12.len + m1y.len + m2y.len;
  double *block = malloc(sizeof(double) * (2 * len + 1));
  if (!block) return DM_ERR_NOMEM;
  double *t12 = block, *t1y = t12 + m12.len, *t2y = t1y + m1y.len;
  double *c12 = t2y + m2y.len, *c1y = c12 + m12.len, *c2y = c1y + m1y.len;
  marginal(p, n1, n2, ny, m12, t12);
  marginal(p, n1, n2, ny, m1y, t1y);
  marginal(p, n1, n2, ny, m2y, t2y);
  for (size_t k = 0; k < N; k++) q[k] = 1.0 / (double)N;

  /* Scale to each pairwise marginal in turn. After the last step that
   * marginal holds exactly; the sweep ends by checking the other two, and
   * the (x1, x2) marginal computed for the check starts the next sweep. */
  marginal(q, n1, n2, ny, m12, c12);
  for (int sweep = 0; sweep < IPF_MAX_SWEEPS; sweep++) {
    if (tick && sweep % 256 == 255 && tick(tick_ctx, sweep, IPF_MAX_SWEEPS)) {
      st = DM_ERR_INTERRUPT;
      break;
    }
    scale_to(q, n1, n2, ny, m12, t12, c12);
    marginal(q, n1, n2, ny, m1y, c1y);
    scale_to(q, n1, n2, ny, m1y, t1y, c1y);
    marginal(q, n1, n2, ny, m2y, c2y);
    scale_to(q, n1, n2, ny, m2y, t2y, c2y);
    marginal(q, n1, n2, ny, m12, c12);
    marginal(q, n1, n2, ny, m1y, c1y);
    double err = 0.0;
    for (size_t k = 0; k < m12.len; k++) err = fmax(err, fabs(c12[k] - t12[k]));
    for (size_t k = 0; k < m1y.len; k++) err = fmax(err, fabs(c1y[k] - t1y[k]));
    *achieved = err;
    if (err < tol) break;
  }
  free(block);
  return st;
}

dm_status dm_pid_ccs(int n1, int n2, int ny, const double *p, double tol, double *achieved,
                     double *atoms, dm_tick_fn tick, void *tick_ctx) {
  const size_t N = (size_t)n1 * n2 * ny;
  const pair_map m12 = {1, n1, 0, (size_t)n1 * n2}, m1y = {1, 0, n1, (size_t)n1 * ny},
                 m2y = {0, 1, n2, (size_t)n2 * ny};
  const pair_map m1 = {1, 0, 0, (size_t)n1}, m2 = {0, 1, 0, (size_t)n2}, my = {0, 0, 1, (size_t)ny};
  for (int k = 0; k < 4; k++) atoms[k] = NAN;
  double *q = malloc(sizeof(double) * (N + m12.len + m1y.len + m2y.len + n1 + n2 + ny + 1));
  if (!q) return DM_ERR_NOMEM;
  double *c12 = q + N, *c1y = c12 + m12.len, *c2y = c1y + m1y.len, *q1 = c2y + m2y.len,
         *q2 = q1 + n1, *qy = q2 + n2;
  dm_status st = dm_pid_maxent(n1, n2, ny, p, tol, q, achieved, tick, tick_ctx);
  if (st != DM_OK) {
    free(q);
    return st;
  }
  /* Local values under the maximum-entropy distribution q, from its own
   * marginals. */
  marginal(q, n1, n2, ny, m12, c12);
  marginal(q, n1, n2, ny, m1y, c1y);
  marginal(q, n1, n2, ny, m2y, c2y);
  marginal(q, n1, n2, ny, m1, q1);
  marginal(q, n1, n2, ny, m2, q2);
  marginal(q, n1, n2, ny, my, qy);
  double red = 0.0;
  size_t k = 0;
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++, k++) {
        double v = q[k];
        if (!(v > 0)) continue;
        double i1 = log(c1y[a + n1 * y] / (q1[a] * qy[y]));
        double i2 = log(c2y[b + n2 * y] / (q2[b] * qy[y]));
        double i12 = log(v / (c12[a + n1 * b] * qy[y]));
        double co = i1 + i2 - i12;
        if (sgn(co) == sgn(i1) && sgn(co) == sgn(i2) && sgn(co) == sgn(i12))
          red += v * co;
      }
  double mi[3];
  dm_pid_mis(n1, n2, ny, p, mi);
  dm_pid_atoms(red, mi, atoms);
  free(q);
  return DM_OK;
}
