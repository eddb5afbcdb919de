/* dm_gradcheck_impl.h -- shared by gradcheck.c and gradcheck_models.c:
 * random fill and the model cases dm_gradcheck_case() dispatches to. */
#ifndef DM_GRADCHECK_IMPL_H
#define DM_GRADCHECK_IMPL_H

#include "dm_common.h"
#include "dm_data.h"
#include "dm_rng.h"
#include "dm_train.h"

/* n draws of N(0, sd^2) into x. */
void dm_gc_fill_normal(float *x, size_t n, dm_rng *r, double sd);

/* Allocates data of N rows, V views of dims features and K classes, with
 * N(0, 1) features and uniform labels drawn from r. */
dm_status dm_gc_random_data(dm_data *data, int N, int V, const int *dims, int K, dm_rng *r);

/* A model checked through its batch gradient on rows[0..nb-1] (with the
 * batch key 0, so that sampled noise is the same in every evaluation): the
 * mean loss, and its gradient into grad (ctx->grad is scratch). */
typedef struct {
  dm_model model;
  const dm_data *data;
  const int *rows;
  int nb;
  float *grad;
} dm_gc_model_ctx;
double dm_gc_model_loss(void *ctx, const float *theta);
void dm_gc_model_grad(void *ctx, const float *theta, float *grad);

/* Relative errors of the cases "knife", "dmil_<term>" and "calib_map" /
 * "calib_stack" (stack = 1). */
double dm_gc_knife(uint64_t seed);
double dm_gc_dmil(uint64_t seed, const char *term);
double dm_gc_calib(uint64_t seed, int stack);

#endif
