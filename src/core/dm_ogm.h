/* dm_ogm.h -- on-the-fly gradient modulation with generalisation
 * enhancement (OGM-GE; Peng et al., CVPR 2022) for a late-fusion net
 * (dm_net with one encoder per view and a linear head).
 *
 * Each batch, encoder e's score s_e is the summed probability of the true
 * class under its share of the head (dm_net_batch_grad). Its discrepancy
 * ratio is rho_e = s_e / mean_{j != e} s_j (with two views, s_1 / s_2 as in
 * the paper), and its coefficient k_e = 1 - tanh(alpha * rho_e) when
 * rho_e > 1, else 1: only encoders ahead of the others are slowed. Inside
 * the modulation window the gradients of every encoder's weight matrices
 * (not biases, as the authors' code modulates weights only) are multiplied
 * by k_e, and with `ge` each gets Gaussian noise whose standard deviation is
 * that of its unmodulated gradient (plus 1e-8). The head is never
 * modulated. Noise comes from the batch's key, so results do not depend on
 * the number of threads. */
#ifndef DM_OGM_H
#define DM_OGM_H

#include "dm_common.h"
#include "dm_net.h"
#include "dm_train.h"

typedef struct {
  float alpha;    /* > 0 */
  int start, end; /* 0-based epochs, inclusive, in which gradients are modulated */
  int ge;         /* add the generalisation-enhancement noise */
} dm_ogm_cfg;

typedef struct {
  dm_net *net;    /* not owned; first, for dm_net_variant_model */
  dm_ogm_cfg cfg;
  int epoch;      /* current epoch (0-based), set by the trainer */
  double *score;  /* n_enc: the batch's scores (buffer of ogm's batch_grad) */
  float *coef;    /* n_enc: of the last batch (1 outside the window) */
} dm_ogm;

/* Coefficients k[0..E-1] from scores s[0..E-1] (E >= 2). */
void dm_ogm_coeffs(int E, const double *s, float alpha, float *k);

/* DM_ERR_ARG unless net has at least 2 encoders and a linear head and
 * alpha > 0; DM_ERR_NOMEM. Release with dm_ogm_free (also after a
 * failure). */
dm_status dm_ogm_init(dm_ogm *o, dm_net *net, const dm_ogm_cfg *cfg);
void dm_ogm_free(dm_ogm *o);

/* Modulates a gradient of the net in place (the step after
 * dm_net_batch_grad): coefficients from score, noise from key. Sets
 * o->coef. */
void dm_ogm_modulate(dm_ogm *o, const double *score, float *grad, uint64_t key);

/* The dm_model of the modulated training (logits as the net's). */
dm_model dm_ogm_model(dm_ogm *o);

#endif
