/* dm_lp.h -- small dense linear programs.
 *
 * Maximises c'x subject to A x = b, x >= 0 (A: m x n, column-major; b >= 0)
 * by the two-phase simplex method on a dense tableau with Bland's rule,
 * which cannot cycle on the degenerate programs that probability
 * polytopes give. Pivots smaller than 1e-12 in magnitude count as zero.
 * work: (m + 1) * (n + m + 1) doubles; basis: m ints (see dm_lp_work()).
 * Returns DM_OK with x (n) and *value at an optimum, DM_ERR_ARG if the
 * program is infeasible or unbounded or the pivot cap is reached. */
#ifndef DM_LP_H
#define DM_LP_H

#include <stddef.h>
#include "dm_common.h"

size_t dm_lp_work(int m, int n);
dm_status dm_lp_max(int m, int n, const double *A, const double *b, const double *c,
                    double *x, double *value, double *work, int *basis);

#endif
