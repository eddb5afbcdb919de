/* dm_standardize.h -- column statistics and standardisation of feature
 * matrices given column-major in double (R's layout) into the core's
 * row-major float layout. */
#ifndef DM_STANDARDIZE_H
#define DM_STANDARDIZE_H

#include <math.h>
#include "dm_common.h"

/* For each of the d columns of x (n x d, column-major, leading dim n):
 * mean and sample sd (n - 1 denominator; 0 when n < 2) of the finite
 * values, the number of non-finite values (NA, NaN, +-Inf) and the 0-based
 * row of the first one (-1 if none). Two passes per column, in double,
 * repeated on the values divided by the column's largest magnitude when
 * the sums overflow (the sd is then infinite only if it truly exceeds the
 * double range, which the caller must refuse); columns are
 * independent, so the split over threads does not matter. */
void dm_colstats(int n, int d, const double *x, double *mean, double *sd,
                 int *n_bad, int *first_bad, int nthreads);

/* out[i, j] = (x[rows[i], cols[j]] - center[j]) / scale[j] as float, for
 * i < n_rows and j < d_out, with out row-major (leading dim ldo). x is
 * column-major with leading dim ldx. rows NULL means rows 0..n_rows-1;
 * cols NULL means columns 0..d_out-1. */
void dm_standardize(const double *x, int ldx, int n_rows, const int *rows,
                    int d_out, const int *cols, const double *center,
                    const double *scale, float *out, int ldo);

/* One standardised value, (x - mu) * inv as float, inv = 1 / scale; the
 * dense and the sparse layouts both use it, so they give the same floats.
 * A difference beyond the double range is scaled first. */
static inline float dm_standardize_one(double x, double mu, double inv) {
  double z = (x - mu) * inv;
  if (!isfinite(z) && isfinite(x)) z = x * inv - mu * inv;
  return (float)z;
}

#endif
