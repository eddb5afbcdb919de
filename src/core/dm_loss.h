/* dm_loss.h -- softmax cross-entropy from logits, via log-sum-exp. */
#ifndef DM_LOSS_H
#define DM_LOSS_H

#include "dm_common.h"

/* For each row i of Z (B x K, leading dim ldz) with label y[i] in 0..K-1 and
 * weight w[i] (w NULL = all 1), the loss is w[i] * (logsumexp(Z_i) - Z_i[y_i]).
 * Returns the sum over rows, in double. If dZ is not NULL, writes (or adds,
 * when `accumulate`) scale * w[i] * (softmax(Z_i) - onehot(y_i)) to row i. */
double dm_softmax_ce(int B, int K, const float *Z, int ldz, const int *y,
                     const float *w, float scale, float *dZ, int lddz,
                     int accumulate);

/* out_i = log softmax(Z_i), rows of length K. out may alias Z when the
 * leading dimensions agree. */
void dm_log_softmax(int B, int K, const float *Z, int ldz, float *out,
                    int ldo);

/* log(exp(a) + exp(b)) without overflow; -Inf when both are -Inf. */
double dm_log_add(double a, double b);

/* Index of the largest entry of each row (first on ties). */
void dm_argmax_rows(int B, int K, const float *Z, int ldz, int *out);

#endif
