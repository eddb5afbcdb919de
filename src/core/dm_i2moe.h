/* dm_i2moe.h -- interaction experts (I2MoE; Xin et al., ICML 2025) on a
 * net with one encoder per view and a mixture of n_enc + 2 heads
 * (dm_net.h): head e < n_enc is the uniqueness expert of view e, head
 * n_enc the synergy expert, head n_enc + 1 the redundancy expert, and the
 * gate's weights say per sample how much each expert's logits count.
 *
 * Training adds, to the cross-entropy of the mixed logits, lambda / (n_enc
 * + 2) times the sum of the experts' interaction losses. Each expert is run
 * once more per view with that view's encoding replaced by standard-normal
 * noise (the authors perturb the fusion model's inputs, which are the
 * encodings); with a the expert's clean logits and p_m its logits with view
 * m perturbed, per row:
 *   uniqueness expert e: mean over m != e of the triplet margin loss
 *     max(0, |a - p_m| - |a - p_e| + 1) (Euclidean distances): perturbing
 *     its own view must move it more than perturbing any other;
 *   synergy expert:    mean over m of cos(a, p_m): any view's loss must
 *     change its output;
 *   redundancy expert: mean over m of 1 - cos(a, p_m): no view's loss may.
 * The noise is drawn per batch, shard and view from the batch's key, shared
 * by the experts, so results do not depend on the number of threads. No
 * gradient flows into the encoder whose output was replaced. */
#ifndef DM_I2MOE_H
#define DM_I2MOE_H

#include "dm_common.h"
#include "dm_net.h"
#include "dm_train.h"

typedef struct {
  dm_net *net;   /* not owned; first, for dm_net_variant_model */
  float lambda;  /* >= 0; 0 trains the mixture on the cross-entropy alone */
  /* Per shard: perturbed encodings (n_enc x cap x concat_dim), the experts'
   * activations and logits on them and the logits' gradients. */
  float *block[DM_MAX_SHARDS];
  float *xp[DM_MAX_SHARDS], *acts[DM_MAX_SHARDS], *logits[DM_MAX_SHARDS],
      *dlogits[DM_MAX_SHARDS];
} dm_i2moe;

/* DM_ERR_ARG unless the net has at least 2 encoders, each on one view, and
 * n_enc + 2 heads, and lambda >= 0; DM_ERR_NOMEM. Release with
 * dm_i2moe_free (also after a failure). */
dm_status dm_i2moe_init(dm_i2moe *o, dm_net *net, float lambda);
void dm_i2moe_free(dm_i2moe *o);

/* The dm_model of I2MoE training (logits: the net's mixture). */
dm_model dm_i2moe_model(dm_i2moe *o);

#endif
