#include <math.h>
#include "dm_omp.h"
#include "dm_standardize.h"

void dm_colstats(int n, int d, const double *x, double *mean, double *sd,
                 int *n_bad, int *first_bad, int nthreads) {
  (void)nthreads; /* unused without OpenMP */
#pragma omp parallel for num_threads(nthreads) schedule(static)
  for (int j = 0; j < d; j++) {
    const double *c = x + (size_t)j * n;
    double s = 0.0;
    int ok = 0, bad = 0, first = -1;
    for (int i = 0; i < n; i++) {
      if (isfinite(c[i])) {
        s += c[i];
        ok++;
      } else {
        if (first < 0) first = i;
        bad++;
      }
    }
    double mu = ok > 0 ? s / ok : 0.0;
    double ss = 0.0;
    for (int i = 0; i < n; i++)
      if (isfinite(c[i])) ss += (c[i] - mu) * (c[i] - mu);
    double sdv = ok > 1 ? sqrt(ss / (ok - 1)) : 0.0;
    if (!isfinite(mu) || !isfinite(sdv)) {
      /* Values near the double range overflow the sums: the same two
       * passes on the values divided by the largest magnitude (only then,
       * so that ordinary data keep their exact statistics). */
      double big = 0.0;
      for (int i = 0; i < n; i++)
        if (isfinite(c[i])) big = fmax(big, fabs(c[i]));
      double t = 0.0;
      for (int i = 0; i < n; i++)
        if (isfinite(c[i])) t += c[i] / big;
      const double m = t / ok;
      double q = 0.0;
      for (int i = 0; i < n; i++)
        if (isfinite(c[i])) q += (c[i] / big - m) * (c[i] / big - m);
      mu = m * big;
      sdv = ok > 1 ? sqrt(q / (ok - 1)) * big : 0.0;
    }
    mean[j] = mu;
    sd[j] = sdv;
    n_bad[j] = bad;
    first_bad[j] = first;
  }
}

void dm_standardize(const double *x, int ldx, int n_rows, const int *rows,
                    int d_out, const int *cols, const double *center,
                    const double *scale, float *out, int ldo) {
  /* Column by column keeps the reads of x sequential when rows is NULL. */
  for (int j = 0; j < d_out; j++) {
    const double *c = x + (size_t)(cols ? cols[j] : j) * ldx;
    const double mu = center[j], inv = 1.0 / scale[j];
    for (int i = 0; i < n_rows; i++) {
      int r = rows ? rows[i] : i;
      out[(size_t)i * ldo + j] = dm_standardize_one(c[r], mu, inv);
    }
  }
}
