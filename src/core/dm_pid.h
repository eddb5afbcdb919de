/* dm_pid.h -- partial information decomposition (PID).
 *
 * Two kinds of functions:
 *  - exact PIDs of a discrete joint distribution p(x1, x2, y), stored as an
 *    n1 x n2 x ny array in R's layout (x1 fastest): p[x1 + n1*(x2 + n2*y)];
 *    p must be non-negative and sum to 1;
 *  - the pointwise decompositions used per sample (pointwise MMI and the
 *    Finn-Lizier I+- measure of LSMI), shared by the discrete code and the
 *    per-sample estimators so both compute the same thing.
 * Everything is in nats (natural logarithms); callers convert units.
 * Atoms are returned in the order R, U1, U2, S. */
#ifndef DM_PID_H
#define DM_PID_H

#include "dm_common.h"

/* ---- pointwise decompositions ------------------------------------------ */

typedef enum {
  DM_PW_PMMI = 0, /* r = min_m i(x_m; y) */
  DM_PW_PM = 1    /* r = min_m h(x_m) - min_m h(x_m | y)  (Finn-Lizier I+-) */
} dm_pw_measure;

/* One sample with M >= 2 sources. i[m] = i(x_m; y), i_joint = i(x_1..x_M; y);
 * h[m] = h(x_m) (surprisal; read only for DM_PW_PM, where
 * h(x_m | y) = h[m] - i[m]). Writes r, u[0..M-1] = i[m] - r and
 * s = i_joint - r - sum_m u[m]. */
void dm_pid_pointwise(int M, const double *i, double i_joint, const double *h,
                      dm_pw_measure measure, double *r, double *u, double *s);

/* The RUS adjustment of LSMI: the constant a added to every sample's r (and
 * (M - 1) a to s, -a to each u) given the dataset means. If Rbar < 0 or
 * Sbar < 0, a = -min(Rbar, Sbar); else if some Ubar[m] < 0,
 * a = min_m Ubar[m]; else a = 0. Keeps r + u_m and r + sum u + s fixed. */
double dm_rus_shift(int M, double Rbar, const double *Ubar, double Sbar);

/* ---- exact measures on discrete distributions -------------------------- */

/* Mutual informations I(X1;Y), I(X2;Y), I(X1,X2;Y). */
void dm_pid_mis(int n1, int n2, int ny, const double *p, double *mi);

/* The atoms (R, U1, U2, S) given a redundancy red and mi from dm_pid_mis():
 * the consistency equations U_m = I_m - R, S = I_12 - I_1 - I_2 + R. */
void dm_pid_atoms(double red, const double *mi, double *atoms);

/* Williams-Beer I_min, minimum mutual information, and the dataset means of
 * the pointwise measures (pointwise MMI; I+-; I+- after the RUS shift). */
void dm_pid_imin(int n1, int n2, int ny, const double *p, double *atoms);
void dm_pid_mmi(int n1, int n2, int ny, const double *p, double *atoms);
void dm_pid_pointwise_mean(int n1, int n2, int ny, const double *p,
                           dm_pw_measure measure, int adjust, double *atoms);

/* Per outcome (cell of p; NaN where p = 0): r, u1, u2, s and the local
 * mutual informations i1, i2, i12. Each output has n1*n2*ny entries. With
 * `adjust`, the RUS shift of the means is applied (LSMI). */
void dm_pid_pointwise_cells(int n1, int n2, int ny, const double *p,
                            dm_pw_measure measure, int adjust, double *r,
                            double *u1, double *u2, double *s, double *i1,
                            double *i2, double *i12);

/* BROJA (Bertschinger et al. 2014): minimises I_Q(X1,X2;Y) over the
 * distributions Q with the (x1,y) and (x2,y) marginals of p, by a
 * log-barrier interior-point Newton method on the free coordinates of the
 * coupling polytope. On return *gap bounds the distance of the minimum
 * found from the true minimum (nats): below 1e-12 when the Newton steps
 * converged, larger when they stalled. q (optional, n1*n2*ny) receives the
 * optimal Q. tick (optional) is called with the progress (in outer
 * iterations of the barrier) many times a second; when it returns nonzero
 * the solve stops with DM_ERR_INTERRUPT. DM_ERR_ARG if the polytope has
 * more than DM_BROJA_MAX_FREE free coordinates. */
#define DM_BROJA_MAX_FREE 20000
dm_status dm_pid_broja(int n1, int n2, int ny, const double *p, double *atoms,
                       double *q, double *gap, dm_tick_fn tick, void *tick_ctx);

/* Ince's I_ccs: redundancy from the local co-information under the maximum
 * entropy distribution with the pairwise marginals of p (fitted by
 * iterative proportional fitting to `tol`), counted where the co-information
 * and the three local mutual informations share a sign. *achieved: the
 * largest error of a pairwise marginal when the fitting stopped (above tol
 * when it hit its sweep cap: IPF converges slowly towards cells that must
 * vanish). tick (optional) is called every 256 sweeps with the sweeps done
 * out of the cap; nonzero stops the fitting with DM_ERR_INTERRUPT. */
dm_status dm_pid_ccs(int n1, int n2, int ny, const double *p, double tol, double *achieved,
                     double *atoms, dm_tick_fn tick, void *tick_ctx);

#endif
