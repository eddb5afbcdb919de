/* dm_interact.h -- cross-fitted estimation of the quantities behind
 * per-sample multimodal interactions: class posteriors from every subset of
 * the views (each view alone, all views together, and the subsets in
 * between) and, for the LSMI measure, each view's density.
 *
 * Samples are split into F stratified folds; for each fold the
 * discriminators (baseline networks, dm_net) and densities (dm_knife) are
 * trained on the other folds -- with an inner stratified validation part
 * for epoch selection by validation loss when inner_val > 0, else for a
 * fixed number of epochs -- and then score the fold. Every sample is thus
 * scored by models that never saw it. The whole is repeated with `repeats`
 * independent fold assignments (and initialisations), so that estimates
 * can be averaged over repeats and their spread measured. */
#ifndef DM_INTERACT_H
#define DM_INTERACT_H

#include "dm_common.h"
#include "dm_data.h"
#include "dm_net.h"
#include "dm_train.h"

typedef struct {
  int folds;               /* F >= 2 */
  int repeats;             /* R >= 1 */
  double inner_val;        /* fraction of the training folds for selection */
  dm_train_cfg net_train;  /* discriminators */
  int density;             /* also fit a density per view */
  int knife_K;             /* mixture components */
  dm_train_cfg knife_train;
} dm_interact_cfg;

/* Trains and scores everything. specs: n_nets discriminator architectures
 * (any dm_net). Outputs, all caller-owned (r = repeat, 0-based):
 *   fold[r * n + i]                0-based fold of sample i in repeat r;
 *   logp[r * n_nets + j][k * n + i]
 *                                  log p(class k | sample i) from net j in
 *                                  repeat r, column-major n x K (R layout);
 *   logdens[(r * M + m) * n + i]   log density of view m at sample i
 *                                  (only with cfg->density);
 *   prior[r * F * K + f + F * k]   class-k frequency in fold f's training
 *                                  rows;
 *   theta_net[f * n_nets + j]      parameters of net j fitted for fold f of
 *                                  repeat 0;
 *   theta_knife[f * M + m]         parameters of view m's density, repeat 0.
 * Sizes of the parameter vectors: dm_net_param_count() and
 * dm_knife_param_count(). fold_given (optional): 0-based fold of each
 * sample, used in every repeat instead of a stratified random assignment
 * (e.g. to keep bootstrap duplicates together). */
dm_status dm_interact_fit(const dm_data *data, const dm_interact_cfg *cfg,
                          int n_nets, const dm_net_spec *specs, uint64_t key,
                          int nthreads, dm_tick_fn tick, void *tick_ctx,
                          double total_ticks, const int *fold_given,
                          int *fold, double **logp, double *logdens,
                          double *prior, double **theta_net,
                          double **theta_knife);

/* The estimates from the outputs of dm_interact_fit, for nets that are one
 * per nonempty subset of the M views in dm_calib.h's order (S = 2^M - 1):
 * each repeat's held-out posteriors raw[r * S + s] are calibrated with
 * dm_calib_crossfit on that repeat's folds and training priors (bins > 0;
 * bins = 0 keeps them raw), then
 *   avg[s][k * n + i]      log of the probability averaged over repeats;
 *   logp_y[s][r * n + i]   log posterior of sample i's label in repeat r;
 * and, with maps not NULL (and bins > 0), maps, stacks and their log prior
 * lp_all (K: of the mean fold prior) fitted on all of repeat 0, for new
 * data. All outputs caller-owned. */
dm_status dm_interact_combine(int M, int K, int n, int F, int R, const double *const *raw,
                              const int *y, const int *fold, const double *prior, int bins,
                              int nthreads, double *const *avg, double *const *logp_y,
                              double *maps, double *stacks, double *lp_all);

/* Stratified assignment of n samples with labels y (0..K-1) to F folds. */
void dm_assign_folds(const int *y, int n, int K, int F, uint64_t key,
                     int *fold);

#endif
