/* dm_minimize.h -- unconstrained minimisation of small smooth functions.
 *
 * A BFGS quasi-Newton method with a dense inverse-Hessian approximation and
 * a backtracking (Armijo) line search, for problems of a few dozen
 * parameters at most (the calibration maps of dm_calib.h). Double precision
 * throughout; deterministic. */
#ifndef DM_MINIMIZE_H
#define DM_MINIMIZE_H

#include "dm_common.h"

/* Value of the objective at x; writes its gradient to grad (length p). */
typedef double (*dm_objective_fn)(void *ctx, const double *x, double *grad);

/* Doubles of workspace dm_bfgs needs for p parameters. */
#define DM_BFGS_WORK(p) ((size_t)(p) * (p) + 5 * (size_t)(p))

/* Minimises f from x (overwritten by the best point found). Stops after
 * max_iter iterations, when the largest gradient component is below gtol,
 * or when a line search cannot decrease f. work: DM_BFGS_WORK(p) doubles.
 * Returns the value at x. The value never exceeds f at the starting point. */
double dm_bfgs(int p, double *x, dm_objective_fn f, void *ctx, int max_iter,
               double gtol, double *work);

#endif
