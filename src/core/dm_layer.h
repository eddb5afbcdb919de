/* dm_layer.h -- dense (fully connected) layer with optional ReLU.
 *
 * Parameters: W is out x in (row-major, like torch.nn.Linear), b has length
 * out. Forward: Y[B x out] = act(X[B x in] W^T + b). */
#ifndef DM_LAYER_H
#define DM_LAYER_H

#include "dm_common.h"
#include "dm_rng.h"

typedef enum { DM_ACT_NONE = 0, DM_ACT_RELU = 1 } dm_act;

void dm_dense_forward(int B, int in, int out, const float *X, int ldx,
                      const float *W, const float *b, float *Y, int ldy,
                      dm_act act);

/* Backward pass. On entry dY (B x out, leading dim lddy) holds dL/dY; with
 * ReLU it is overwritten by dL/d(pre-activation), using Y > 0 as the mask
 * (Y is not read without ReLU). dW and db are accumulated (+=) when
 * `accumulate` is nonzero, else overwritten. dX (B x in), if not NULL, is
 * overwritten with dL/dX. */
void dm_dense_backward(int B, int in, int out, const float *X, int ldx,
                       const float *W, const float *Y, int ldy, float *dY,
                       int lddy, float *dW, float *db, float *dX, int lddx,
                       int accumulate, dm_act act);

/* He initialisation: W ~ N(0, gain / in) with gain 2 before a ReLU and 1
 * for a linear output layer; b = 0. */
void dm_dense_init(int in, int out, float *W, float *b, dm_act act,
                   dm_rng *r);

#endif
