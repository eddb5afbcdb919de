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
#include "dm_lattice.h"

/* ---- pointwise decompositions ------------------------------------------ */

typedef enum {
  DM_PW_PMMI = 0, /* r = min_m i(x_m; y) */
  DM_PW_PM = 1    /* r = min_m h(x_m) - min_m h(x_m | y)  (Finn-Lizier I+-) */
} dm_pw_measure;

/* One sample with M >= 1 sources. i[m] = i(x_m; y), i_joint = i(x_1..x_M; y);
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

/* The dataset means of the pointwise measures (pointwise MMI; I+-; I+-
 * after the RUS shift: LSMI, the one pid_discrete() takes from here, the
 * others being redundancies of dm_pid_redundancies()). */
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
 * entropy distribution with the pairwise marginals of p (dm_pid_maxent()),
 * counted where the co-information and the three local mutual informations
 * share a sign. *achieved: the largest error of a pairwise marginal when
 * the fitting stopped (above tol when it hit its sweep cap: without the
 * exact support, IPF converges slowly towards cells that must vanish). tick (optional) is called every 256 sweeps with the sweeps done
 * out of the cap; nonzero stops the fitting with DM_ERR_INTERRUPT. */
dm_status dm_pid_ccs(int n1, int n2, int ny, const double *p, double tol, int support_max,
                     double *achieved, double *atoms, dm_tick_fn tick, void *tick_ctx);

/* The maximum-entropy distribution q (n1*n2*ny) with the pairwise marginals
 * (x1,x2), (x1,y), (x2,y) of p, by iterative proportional fitting to `tol`
 * (as for dm_pid_ccs(): *achieved, tick) from the uniform distribution on
 * its support, which linear programs find first (dm_lp.h) when at most
 * `support_max` cells may be positive, so that the cells that must vanish
 * are exactly zero; beyond, from the uniform distribution on every cell. */
dm_status dm_pid_maxent(int n1, int n2, int ny, const double *p, double tol, int support_max,
                        double *q, double *achieved, dm_tick_fn tick, void *tick_ctx);

/* James, Emenheiser and Crutchfield's I_dep: the unique information of a
 * source is the least gain in I(X1,X2;Y) over the edges of the dependency
 * lattice that add its constraint with y; needs the maximum-entropy
 * distribution of dm_pid_maxent() (tol, support_max, *achieved, tick as
 * there). */
dm_status dm_pid_dep(int n1, int n2, int ny, const double *p, double tol, int support_max,
                     double *achieved, double *atoms, dm_tick_fn tick, void *tick_ctx);

/* Harder, Salge and Polani's I_proj: R = min of the projected informations
 * PI(X1 -> X2), PI(X2 -> X1), each from the KL projections of p(y | x_a)
 * onto the convex hull of the p(y | x_b). *violation: the largest
 * violation of the projections' optimality conditions (below 1e-14 when
 * the Newton steps converged). */
dm_status dm_pid_proj(int n1, int n2, int ny, const double *p, double *atoms, double *violation);

/* ---- redundancy functions on the lattice of 2 or 3 sources -------------- */

/* p: an array over (x_1, ..., x_M, y) of n[0] x ... x n[M-1] x ny cells,
 * x_1 fastest, non-negative, summing to 1. A source of a node is a set of
 * the variables (a bit mask) taking their joint values. For every node a
 * of `lat` (built for M), red[a] is the redundancy of the antichain:
 *  DM_RED_IMIN   Williams-Beer: sum_y p(y) min_A I(X_A; Y = y);
 *  DM_RED_MMI    min_A I(X_A; Y);
 *  DM_RED_PMMI   E min_A i(x_A; y);
 *  DM_RED_PM     Finn-Lizier I+-: E [min_A h(x_A) - min_A h(x_A | y)];
 *  DM_RED_SX     Makkeh et al. I_sx: E log p(y | x_A1 or ... or x_Ak) / p(y);
 *  DM_RED_WEDGE  Griffith et al. I_wedge: I(Q; Y), Q the Gacs-Koerner
 *                common part of the sources;
 *  DM_RED_RDR    Mages and Rohner I_RDR: sum_y p(y) times the information
 *                about the event Y = y of the decision regions every
 *                source reaches (its ROC curve), by inclusion-exclusion
 *                over the concave hulls of the curves.
 * red_cells (optional, N x L, cell fastest; pointwise measures only): the
 * local redundancy of every node at every cell, NaN where p is 0. The atoms
 * are dm_lattice_invert() of red. DM_ERR_ARG for M outside
 * 2..DM_PID_MAX_SOURCES or a lattice of another M. */
#define DM_PID_MAX_SOURCES 3
typedef enum {
  DM_RED_IMIN, DM_RED_MMI, DM_RED_PMMI, DM_RED_PM, DM_RED_SX, DM_RED_WEDGE, DM_RED_RDR
} dm_red_measure;
dm_status dm_pid_redundancies(int M, const int *n, int ny, const double *p, dm_red_measure measure,
                              const dm_lattice *lat, double *red, double *red_cells);

#endif
