/* dm_gradcheck.h -- finite-difference checks of the hand-written backward
 * passes, shared by the R test suite (through an internal .Call) and the
 * stand-alone C test program. */
#ifndef DM_GRADCHECK_H
#define DM_GRADCHECK_H

#include "dm_common.h"

typedef double (*dm_loss_fn)(void *ctx, const float *theta);
typedef void (*dm_grad_fn)(void *ctx, const float *theta, float *grad);

/* Central differences with step eps on every coordinate of theta (restored
 * afterwards). Returns ||g - fd||_2 / max(||g||_2, ||fd||_2); the step
 * actually taken in float is used in the quotient. */
double dm_gradcheck(size_t n, float *theta, dm_loss_fn f, dm_grad_fn g,
                    void *ctx, double eps);
/* The same restricted to the coordinates with mask[i] != 0 (mask NULL: all):
 * for losses with stop-gradients, whose gradient is the true derivative only
 * for the parameters upstream of no stopped path. */
double dm_gradcheck_masked(size_t n, float *theta, dm_loss_fn f, dm_grad_fn g,
                           void *ctx, double eps, const float *mask);

/* Named checks on small random problems built from `seed`:
 *   "dense_linear", "dense_relu"   dense layer, gradients of W, b and X;
 *   "softmax_ce", "softmax_ce_weighted"   loss w.r.t. the logits;
 *   "mlp"                          3-layer stack, parameters and input;
 *   "net_joint", "net_late", "net_early", "net_unimodal"
 *                                  whole baseline networks through the
 *                                  sharded batch gradient used in training;
 *   "net_distill"                  the joint net with UMT's feature-target
 *                                  term (dm_distill.h);
 *   "net_i2moe"                    the joint net with four heads mixed by a
 *                                  gate and I2MoE's interaction losses
 *                                  (dm_i2moe.h);
 *   "knife"                        Gaussian-mixture density (all of mu, s,
 *                                  L, w) through its batch gradient;
 *   "dmil_<term>"                  the DMIL network (3 views) with one loss
 *                                  term on: full, uni, red, uni_sg, syn_sg,
 *                                  align, kl, orth, anova (the terms with
 *                                  stop-gradients on the parameters they
 *                                  train); "dmil_all" with every term but
 *                                  those, per-sample weights and sampling;
 *                                  "dmil_deterministic" without sampling;
 *                                  "dmil_<term>_missing" the same with a third
 *                                  of the rows lacking views;
 *   "dmil_leak"                    not a gradient check: the largest change
 *                                  of DMIL's loss or gradient (every term)
 *                                  when the values of absent views are
 *                                  redrawn, exactly 0 if none is read;
 *   "dmil_absent"                  not a gradient check either: the largest
 *                                  gradient of the second view's parameters
 *                                  and the synergy channel when that view
 *                                  is absent from every row, exactly 0;
 *   "calib_map", "calib_stack"     the calibration objectives of
 *                                  dm_calib.h (double precision, checked
 *                                  with central differences in double);
 *   "broken_dense"                 a deliberately wrong gradient, to show
 *                                  that the checker catches errors.
 * Writes the relative error to *err; DM_ERR_ARG for an unknown name. */
dm_status dm_gradcheck_case(const char *name, uint64_t seed, double *err);

/* Names of the cases above, NULL-terminated. */
extern const char *const dm_gradcheck_cases[];

#endif
