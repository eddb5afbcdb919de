#include <math.h>
#include <stdlib.h>
#include "dm_pid.h"

/* ---- pointwise decompositions ------------------------------------------ */

void dm_pid_pointwise(int M, const double *i, double i_joint, const double *h,
                      dm_pw_measure measure, double *r, double *u, double *s) {
  double red;
  if (measure == DM_PW_PM) {
    double spec = h[0], amb = h[0] - i[0];
    for (int m = 1; m < M; m++) {
      spec = fmin(spec, h[m]);
      amb = fmin(amb, h[m] - i[m]);
    }
    red = spec - amb;
  } else {
    red = i[0];
    for (int m = 1; m < M; m++) red = fmin(red, i[m]);
  }
  double syn = i_joint - red;
  for (int m = 0; m < M; m++) {
    u[m] = i[m] - red;
    syn -= u[m];
  }
  *r = red;
  *s = syn;
}

double dm_rus_shift(int M, double Rbar, const double *Ubar, double Sbar) {
  if (Rbar < 0 || Sbar < 0) return -fmin(Rbar, Sbar);
  double umin = Ubar[0];
  for (int m = 1; m < M; m++) umin = fmin(umin, Ubar[m]);
  return umin < 0 ? umin : 0.0;
}

/* ---- marginals of a discrete p(x1, x2, y) ------------------------------ */

typedef struct {
  int n1, n2, ny;
  double *p1, *p2, *py, *p12, *p1y, *p2y;
  double *block;
} marginals;

#define CELL(x1, x2, y) ((x1) + n1 * ((x2) + n2 * (y)))

static int marginals_make(int n1, int n2, int ny, const double *p, marginals *mg) {
  size_t total = n1 + n2 + ny + (size_t)n1 * n2 + (size_t)n1 * ny + (size_t)n2 * ny;
  mg->block = calloc(total + 1, sizeof(double));
  if (!mg->block) return 0;
  mg->n1 = n1; mg->n2 = n2; mg->ny = ny;
  mg->p1 = mg->block;
  mg->p2 = mg->p1 + n1;
  mg->py = mg->p2 + n2;
  mg->p12 = mg->py + ny;
  mg->p1y = mg->p12 + (size_t)n1 * n2;
  mg->p2y = mg->p1y + (size_t)n1 * ny;
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++) {
        double v = p[CELL(a, b, y)];
        mg->p1[a] += v;
        mg->p2[b] += v;
        mg->py[y] += v;
        mg->p12[a + n1 * b] += v;
        mg->p1y[a + n1 * y] += v;
        mg->p2y[b + n2 * y] += v;
      }
  return 1;
}

static void marginals_free(marginals *mg) { free(mg->block); }

/* Local quantities of one cell with p > 0. */
static void local_values(const marginals *mg, const double *p, int a, int b,
                         int y, double *i1, double *i2, double *i12,
                         double *h1, double *h2) {
  const int n1 = mg->n1, n2 = mg->n2;
  *i1 = log(mg->p1y[a + n1 * y]) - log(mg->p1[a]) - log(mg->py[y]);
  *i2 = log(mg->p2y[b + n2 * y]) - log(mg->p2[b]) - log(mg->py[y]);
  *i12 = log(p[CELL(a, b, y)]) - log(mg->p12[a + n1 * b]) - log(mg->py[y]);
  *h1 = -log(mg->p1[a]);
  *h2 = -log(mg->p2[b]);
}

void dm_pid_mis(int n1, int n2, int ny, const double *p, double *mi) {
  marginals mg;
  mi[0] = mi[1] = mi[2] = NAN;
  if (!marginals_make(n1, n2, ny, p, &mg)) return;
  mi[0] = mi[1] = mi[2] = 0.0;
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++) {
        double v = p[CELL(a, b, y)];
        if (v <= 0) continue;
        double i1, i2, i12, h1, h2;
        local_values(&mg, p, a, b, y, &i1, &i2, &i12, &h1, &h2);
        mi[0] += v * i1;
        mi[1] += v * i2;
        mi[2] += v * i12;
      }
  marginals_free(&mg);
}

void dm_pid_atoms(double red, const double *mi, double *atoms) {
  atoms[0] = red;
  atoms[1] = mi[0] - red;
  atoms[2] = mi[1] - red;
  atoms[3] = mi[2] - mi[0] - mi[1] + red;
}

void dm_pid_pointwise_cells(int n1, int n2, int ny, const double *p,
                            dm_pw_measure measure, int adjust, double *r,
                            double *u1, double *u2, double *s, double *i1,
                            double *i2, double *i12) {
  marginals mg;
  const size_t n = (size_t)n1 * n2 * ny;
  for (size_t k = 0; k < n; k++)
    r[k] = u1[k] = u2[k] = s[k] = i1[k] = i2[k] = i12[k] = NAN;
  if (!marginals_make(n1, n2, ny, p, &mg)) return;
  double mean[4] = {0, 0, 0, 0};
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++) {
        size_t k = CELL(a, b, y);
        if (p[k] <= 0) continue;
        double iv[2], h[2], uv[2];
        local_values(&mg, p, a, b, y, &iv[0], &iv[1], &i12[k], &h[0], &h[1]);
        i1[k] = iv[0];
        i2[k] = iv[1];
        dm_pid_pointwise(2, iv, i12[k], h, measure, &r[k], uv, &s[k]);
        u1[k] = uv[0];
        u2[k] = uv[1];
        mean[0] += p[k] * r[k];
        mean[1] += p[k] * u1[k];
        mean[2] += p[k] * u2[k];
        mean[3] += p[k] * s[k];
      }
  marginals_free(&mg);
  if (adjust) {
    double a = dm_rus_shift(2, mean[0], mean + 1, mean[3]);
    for (size_t k = 0; k < n; k++) {
      if (!(p[k] > 0)) continue;
      r[k] += a;
      u1[k] -= a;
      u2[k] -= a;
      s[k] += a;
    }
  }
}

void dm_pid_pointwise_mean(int n1, int n2, int ny, const double *p,
                           dm_pw_measure measure, int adjust, double *atoms) {
  const size_t n = (size_t)n1 * n2 * ny;
  double *buf = malloc(sizeof(double) * (7 * n + 1));
  for (int k = 0; k < 4; k++) atoms[k] = NAN;
  if (!buf) return;
  double *r = buf, *u1 = r + n, *u2 = u1 + n, *s = u2 + n, *i1 = s + n,
         *i2 = i1 + n, *i12 = i2 + n;
  dm_pid_pointwise_cells(n1, n2, ny, p, measure, adjust, r, u1, u2, s, i1, i2,
                         i12);
  for (int k = 0; k < 4; k++) atoms[k] = 0.0;
  for (size_t k = 0; k < n; k++) {
    if (!(p[k] > 0)) continue;
    atoms[0] += p[k] * r[k];
    atoms[1] += p[k] * u1[k];
    atoms[2] += p[k] * u2[k];
    atoms[3] += p[k] * s[k];
  }
  free(buf);
}
