/* Ince's I_ccs (common change in surprisal).
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

dm_status dm_pid_ccs(int n1, int n2, int ny, const double *p, double tol,
                     double *atoms) {
  const size_t N = (size_t)n1 * n2 * ny;
  double *q = malloc(sizeof(double) * (N + 1));
  double *t12 = calloc((size_t)n1 * n2 + 1, sizeof(double));
  double *t1y = calloc((size_t)n1 * ny + 1, sizeof(double));
  double *t2y = calloc((size_t)n2 * ny + 1, sizeof(double));
  double *c12 = malloc(sizeof(double) * ((size_t)n1 * n2 + 1));
  double *c1y = malloc(sizeof(double) * ((size_t)n1 * ny + 1));
  double *c2y = malloc(sizeof(double) * ((size_t)n2 * ny + 1));
  for (int k = 0; k < 4; k++) atoms[k] = NAN;
  if (!q || !t12 || !t1y || !t2y || !c12 || !c1y || !c2y) {
    free(q); free(t12); free(t1y); free(t2y); free(c12); free(c1y); free(c2y);
    return DM_ERR_NOMEM;
  }
#define AT(a, b, y) ((a) + (size_t)n1 * ((b) + (size_t)n2 * (y)))
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++) {
        double v = p[AT(a, b, y)];
        t12[a + n1 * b] += v;
        t1y[a + n1 * y] += v;
        t2y[b + n2 * y] += v;
      }
  for (size_t k = 0; k < N; k++) q[k] = 1.0 / (double)N;

  for (int sweep = 0; sweep < IPF_MAX_SWEEPS; sweep++) {
    /* Scale to each pairwise marginal in turn. */
    memset(c12, 0, sizeof(double) * n1 * n2);
    for (int y = 0; y < ny; y++)
      for (int b = 0; b < n2; b++)
        for (int a = 0; a < n1; a++) c12[a + n1 * b] += q[AT(a, b, y)];
    for (int y = 0; y < ny; y++)
      for (int b = 0; b < n2; b++)
        for (int a = 0; a < n1; a++) {
          double m = c12[a + n1 * b];
          q[AT(a, b, y)] = m > 0 ? q[AT(a, b, y)] * t12[a + n1 * b] / m : 0.0;
        }
    memset(c1y, 0, sizeof(double) * n1 * ny);
    for (int y = 0; y < ny; y++)
      for (int b = 0; b < n2; b++)
        for (int a = 0; a < n1; a++) c1y[a + n1 * y] += q[AT(a, b, y)];
    for (int y = 0; y < ny; y++)
      for (int b = 0; b < n2; b++)
        for (int a = 0; a < n1; a++) {
          double m = c1y[a + n1 * y];
          q[AT(a, b, y)] = m > 0 ? q[AT(a, b, y)] * t1y[a + n1 * y] / m : 0.0;
        }
    memset(c2y, 0, sizeof(double) * n2 * ny);
    for (int y = 0; y < ny; y++)
      for (int b = 0; b < n2; b++)
        for (int a = 0; a < n1; a++) c2y[b + n2 * y] += q[AT(a, b, y)];
    for (int y = 0; y < ny; y++)
      for (int b = 0; b < n2; b++)
        for (int a = 0; a < n1; a++) {
          double m = c2y[b + n2 * y];
          q[AT(a, b, y)] = m > 0 ? q[AT(a, b, y)] * t2y[b + n2 * y] / m : 0.0;
        }
    /* The last marginal now holds exactly; check the other two. */
    memset(c12, 0, sizeof(double) * n1 * n2);
    memset(c1y, 0, sizeof(double) * n1 * ny);
    for (int y = 0; y < ny; y++)
      for (int b = 0; b < n2; b++)
        for (int a = 0; a < n1; a++) {
          c12[a + n1 * b] += q[AT(a, b, y)];
          c1y[a + n1 * y] += q[AT(a, b, y)];
        }
    double err = 0.0;
    for (int k = 0; k < n1 * n2; k++) err = fmax(err, fabs(c12[k] - t12[k]));
    for (int k = 0; k < n1 * ny; k++) err = fmax(err, fabs(c1y[k] - t1y[k]));
    if (err < tol) break;
  }

  /* Local values under the maximum-entropy distribution q. */
  double *q1 = calloc(n1, sizeof(double)), *q2 = calloc(n2, sizeof(double));
  double *qy = calloc(ny, sizeof(double));
  if (!q1 || !q2 || !qy) {
    free(q); free(t12); free(t1y); free(t2y); free(c12); free(c1y); free(c2y);
    free(q1); free(q2); free(qy);
    return DM_ERR_NOMEM;
  }
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++) {
        double v = q[AT(a, b, y)];
        q1[a] += v;
        q2[b] += v;
        qy[y] += v;
      }
  /* c12, c1y, c2y hold the marginals of q (c2y from the last scaling step
   * equals t2y up to rounding; recompute to be exact for q). */
  memset(c2y, 0, sizeof(double) * n2 * ny);
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++) c2y[b + n2 * y] += q[AT(a, b, y)];
  double red = 0.0;
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++) {
        double v = q[AT(a, b, y)];
        if (!(v > 0)) continue;
        double i1 = log(c1y[a + n1 * y] / (q1[a] * qy[y]));
        double i2 = log(c2y[b + n2 * y] / (q2[b] * qy[y]));
        double i12 = log(v / (c12[a + n1 * b] * qy[y]));
        double co = i1 + i2 - i12;
        if (sgn(co) == sgn(i1) && sgn(co) == sgn(i2) && sgn(co) == sgn(i12))
          red += v * co;
      }
#undef AT
  double mi[3];
  dm_pid_mis(n1, n2, ny, p, mi);
  atoms[0] = red;
  atoms[1] = mi[0] - red;
  atoms[2] = mi[1] - red;
  atoms[3] = mi[2] - mi[0] - mi[1] + red;
  free(q); free(t12); free(t1y); free(t2y); free(c12); free(c1y); free(c2y);
  free(q1); free(q2); free(qy);
  return DM_OK;
}
