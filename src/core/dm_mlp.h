/* dm_mlp.h -- a stack of dense layers.
 *
 * Layer l maps dims[l] -> dims[l + 1]; hidden layers use ReLU, the last one
 * `act_last`. Parameters live in a flat float vector shared by a whole
 * model, starting at `offset`: for each layer W (dims[l+1] x dims[l]) then
 * b (dims[l+1]). Hidden activations are kept in a caller-owned buffer of
 * dm_mlp_act_floats() floats; the last layer writes to a caller buffer with
 * its own leading dimension, so several MLPs can fill the columns of one
 * concatenated matrix. */
#ifndef DM_MLP_H
#define DM_MLP_H

#include "dm_common.h"
#include "dm_layer.h"
#include "dm_rng.h"

#define DM_MLP_MAX_LAYERS 32

typedef struct {
  int n_layers;
  int dims[DM_MLP_MAX_LAYERS + 1];
  dm_act act_last;
  size_t offset;
  size_t n_params;
} dm_mlp;

/* n_layers layers: in -> width -> ... -> width -> out. Returns DM_ERR_ARG
 * for sizes < 1 or more than DM_MLP_MAX_LAYERS layers. */
dm_status dm_mlp_setup(dm_mlp *m, int in, int width, int n_layers, int out,
                       dm_act act_last, size_t offset);

int dm_mlp_in(const dm_mlp *m);
int dm_mlp_out(const dm_mlp *m);
/* Largest layer width, input included. */
int dm_mlp_max_dim(const dm_mlp *m);
size_t dm_mlp_act_floats(const dm_mlp *m, int B);

void dm_mlp_init(const dm_mlp *m, float *theta, dm_rng *r);

void dm_mlp_forward(const dm_mlp *m, const float *theta, int B,
                    const float *X, int ldx, float *acts, float *Y, int ldy);

/* Backward pass through the whole stack. dY (B x out, leading dim lddy) is
 * consumed (overwritten). Parameter gradients are ADDED to grad (the same
 * flat layout as theta). dX, if not NULL, receives dL/dX. scratch holds
 * 2 * B * dm_mlp_max_dim() floats. */
void dm_mlp_backward(const dm_mlp *m, const float *theta, int B,
                     const float *X, int ldx, const float *acts,
                     const float *Y, int ldy, float *dY, int lddy,
                     float *grad, float *dX, int lddx, float *scratch);

#endif
