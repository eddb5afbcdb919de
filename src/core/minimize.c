#include <math.h>
#include <string.h>
#include "dm_minimize.h"

static double max_abs(int p, const double *g) {
  double m = 0.0;
  for (int j = 0; j < p; j++) m = fmax(m, fabs(g[j]));
  return m;
}

double dm_bfgs(int p, double *x, dm_objective_fn f, void *ctx, int max_iter,
               double gtol, double *work) {
  double *H = work;             /* p x p inverse Hessian approximation */
  double *g = H + (size_t)p * p;
  double *d = g + p;            /* search direction */
  double *xn = d + p;           /* trial point */
  double *gn = xn + p;          /* gradient at the trial point */
  double *Hy = gn + p;
  double fx = f(ctx, x, g);
  if (!isfinite(fx)) return fx;
  memset(H, 0, sizeof(double) * (size_t)p * p);
  for (int j = 0; j < p; j++) H[(size_t)j * p + j] = 1.0;
  int scaled = 0;
  for (int it = 0; it < max_iter && max_abs(p, g) > gtol; it++) {
    double slope = 0.0;
    for (int j = 0; j < p; j++) {
      double s = 0.0;
      for (int k = 0; k < p; k++) s -= H[(size_t)j * p + k] * g[k];
      d[j] = s;
      slope += s * g[j];
    }
    if (!(slope < 0.0)) {
      /* Not a descent direction (the approximation lost positive
       * definiteness through rounding): restart from steepest descent. */
      memset(H, 0, sizeof(double) * (size_t)p * p);
      for (int j = 0; j < p; j++) {
        H[(size_t)j * p + j] = 1.0;
        d[j] = -g[j];
      }
      slope = 0.0;
      for (int j = 0; j < p; j++) slope -= g[j] * g[j];
    }
    double step = 1.0, fn = INFINITY;
    int found = 0;
    for (int ls = 0; ls < 40; ls++, step *= 0.5) {
      for (int j = 0; j < p; j++) xn[j] = x[j] + step * d[j];
      fn = f(ctx, xn, gn);
      if (isfinite(fn) && fn <= fx + 1e-4 * step * slope) {
        found = 1;
        break;
      }
    }
    if (!found) break;
    /* s = xn - x (stored in d), y = gn - g (stored in g). */
    double sy = 0.0, yy = 0.0, ss = 0.0;
    for (int j = 0; j < p; j++) {
      d[j] = xn[j] - x[j];
      g[j] = gn[j] - g[j];
      sy += d[j] * g[j];
      yy += g[j] * g[j];
      ss += d[j] * d[j];
    }
    const double decrease = fx - fn;
    memcpy(x, xn, sizeof(double) * p);
    /* Update only where the curvature condition holds. */
    if (sy > 1e-10 * sqrt(ss * yy)) {
      if (!scaled) {
        /* Scale the initial approximation to the curvature seen (Nocedal
         * and Wright, eq. 6.20) before the first update. */
        const double gamma = sy / yy;
        for (int j = 0; j < p; j++) H[(size_t)j * p + j] = gamma;
        scaled = 1;
      }
      double yHy = 0.0;
      for (int j = 0; j < p; j++) {
        double s = 0.0;
        for (int k = 0; k < p; k++) s += H[(size_t)j * p + k] * g[k];
        Hy[j] = s;
        yHy += g[j] * s;
      }
      const double rho = 1.0 / sy, c = (1.0 + rho * yHy) * rho;
      for (int j = 0; j < p; j++)
        for (int k = 0; k < p; k++)
          H[(size_t)j * p + k] += c * d[j] * d[k] - rho * (Hy[j] * d[k] + d[j] * Hy[k]);
    }
    fx = fn;
    memcpy(g, gn, sizeof(double) * p);
    if (decrease <= 1e-14 * (fabs(fx) + 1e-10)) break;
  }
  return fx;
}
