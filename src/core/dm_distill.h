/* dm_distill.h -- feature distillation into a baseline net (the Uni-Modal
 * Teacher, UMT; Du et al. 2023): the net's encoders are pulled towards
 * fixed target encodings, each row's loss being the cross-entropy plus
 * weight * sum_e mean_j (h_ej - t_ej)^2 (dm_net_extras). The targets are
 * frozen teachers' encodings of every data row, computed before training. */
#ifndef DM_DISTILL_H
#define DM_DISTILL_H

#include "dm_common.h"
#include "dm_net.h"
#include "dm_train.h"

typedef struct {
  dm_net *net;          /* not owned; first, for dm_net_variant_model */
  const float *target;  /* per data row, net->concat_dim floats; not owned */
  float weight;         /* >= 0 */
} dm_distill;

/* The dm_model of the distilled training (logits as the net's). */
dm_model dm_distill_model(dm_distill *d);

#endif
