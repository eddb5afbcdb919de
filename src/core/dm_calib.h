/* dm_calib.h -- calibration and stacking of held-out class posteriors.
 *
 * Pointwise mutual informations, i = log p(y | x) - log p(y), are only as
 * good as the calibration of the posteriors behind them: a confidently
 * wrong discriminator makes them very negative, and a discriminator that
 * fits noise within a region where the views carry no information makes
 * them scatter around zero. The discriminators of dm_interact.h, one per
 * nonempty subset A of the M views, are calibrated here on held-out
 * predictions, and the discriminator of each subset is stacked with those
 * of its parts, so that it knows at least what they know.
 *
 * Subsets are numbered s = 0 .. 2^M - 2, subset s holding the views whose
 * bits are set in s + 1 (view m is bit m). Posteriors are n x K column-major
 * matrices of log probabilities, element (i, k) at [k * n + i] (R's layout).
 *
 * Notation: prior pi with logs lp; for a row l of log posteriors, the
 * centred log-likelihood ratio is z_k = (l_k - lp_k) - mean_j (l_j - lp_j),
 * its strength t = |z| (Euclidean norm).
 *
 * Map of one discriminator (`bins` = B): z' = z h(t) / t with
 *   h(t) = sum_b slope_b * clamp(t - e_{b-1}, 0, e_b - e_{b-1}),
 * e_0 = 0, e_1 <= ... <= e_{B-1} the b/B quantiles of t on the fitting
 * rows, e_B = infinity, slopes >= 0: a monotone map of the strength of the
 * evidence that keeps its direction (B = 1 is temperature scaling). Where
 * strong evidence is reliable and weak evidence is noise, the map keeps the
 * first and flattens the second.
 * Stack of subset A (every subset; for one view it is its map):
 *   u = lp + sum_{s in A} w_s z'_s over the mapped ratios of every
 *   discriminator whose views lie in A (w_s >= 0), and
 *   p = (1 - eps_A) softmax(u) + eps_A pi.
 * The family of A contains the calibrated posterior of every part of A.
 *
 * Fitting: penalised maximum likelihood by BFGS on the fitting rows (at
 * most DM_CALIB_MAX_ROWS of them, evenly spaced), with a Beta(2, 1) prior
 * on eps -- one pseudo-observation that only the prior explains, so that a
 * finite sample never calibrates a probability to 0 -- a weak Gaussian
 * prior (sd DM_CALIB_PRIOR_SD) on the slopes around 1, which matters only
 * when the classes are perfectly separated, and a Gaussian prior (sd
 * DM_CALIB_STACK_SD) on a stack's weights around those of its starting
 * point. Maps are fitted first; stacks in order of subset size, each
 * started from the best of its parts' solutions, so that on the fitting
 * rows a subset's stack is never worse than any part's, and with few rows
 * it stays close to the best part rather than fit noise in the others.
 *
 * Parameters (caller-owned):
 *   maps[s * DM_CALIB_MAP_LEN(B) ...]: knots e_1..e_{B-1}, slopes 1..B,
 *     eps of the map alone;
 *   stacks[s * DM_CALIB_STACK_LEN(M) ...]: weights w of subsets 0..S-1
 *     (zero outside A), eps_A. */
#ifndef DM_CALIB_H
#define DM_CALIB_H

#include "dm_common.h"

#define DM_CALIB_MAX_VIEWS 4
#define DM_CALIB_MAX_BINS 16
#define DM_CALIB_MAX_ROWS 20000
#define DM_CALIB_PRIOR_SD 10.0
#define DM_CALIB_STACK_SD 1.0
#define DM_CALIB_MAP_LEN(B) (2 * (B))
#define DM_CALIB_STACK_LEN(M) ((1 << (M)))

/* Fits every map and stack on rows[0..n_rows-1] (of n rows in total).
 * logp[s]: n x K log posteriors of subset s; y: labels 0..K-1; lp: log
 * prior (K). DM_ERR_ARG for M outside 1..DM_CALIB_MAX_VIEWS or bins outside
 * 1..DM_CALIB_MAX_BINS. */
dm_status dm_calib_fit(int M, int K, int n, const double *const *logp,
                       const int *y, const int *rows, int n_rows,
                       const double *lp, int bins, double *maps,
                       double *stacks);

/* Calibrated log posteriors of rows[0..n_rows-1], written to the same rows
 * of out[s] (n x K each; may not alias logp). */
dm_status dm_calib_apply(int M, int K, int n, const double *const *logp,
                         const int *rows, int n_rows, const double *lp,
                         int bins, const double *maps, const double *stacks,
                         double *const *out);

/* Cross-fitted calibration: for each fold f (fold[i] in 0..F-1), fits on
 * the rows outside f with the log prior lp_fold[f + F * k] and calibrates
 * the rows of f. Folds run in parallel; the result does not depend on
 * nthreads. */
dm_status dm_calib_crossfit(int M, int K, int n, const double *const *logp,
                            const int *y, const int *fold, int F,
                            const double *lp_fold, int bins, int nthreads,
                            double *const *out);

/* The penalised objectives fitted here, per fitting row, with their
 * gradients: exposed for the finite-difference checks of dm_gradcheck.h.
 * Map: z holds n rows of K centred ratios (row-major), knots the B - 1
 * inner bin edges, x the B slopes on the softplus scale and then eps on the
 * logit scale. Stack: z holds n_parts blocks of n x K mapped ratios
 * (row-major), x the n_parts weights on the softplus scale and then eps on
 * the logit scale. NaN when memory runs out. */
double dm_calib_map_objective(int n, int K, const double *z, const int *y,
                              const double *lp, int bins, const double *knots,
                              const double *x, double *grad);
double dm_calib_stack_objective(int n, int K, int n_parts, const double *z,
                                const int *y, const double *lp,
                                const double *x, double *grad);

#endif
