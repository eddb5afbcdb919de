#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_distill.h"
#include "dm_gradcheck.h"
#include "dm_gradcheck_impl.h"
#include "dm_i2moe.h"
#include "dm_layer.h"
#include "dm_loss.h"
#include "dm_mlp.h"
#include "dm_net.h"
#include "dm_rng.h"

const char *const dm_gradcheck_cases[] = {
    "dense_linear", "dense_relu", "softmax_ce", "softmax_ce_weighted", "mlp",
    "net_joint",    "net_late",   "net_early",  "net_unimodal", "net_distill", "net_i2moe",
    "knife",        "dmil_full",  "dmil_uni",   "dmil_red",
    "dmil_uni_sg",  "dmil_syn_sg", "dmil_align", "dmil_kl",
    "dmil_orth",    "dmil_anova", "dmil_all",   "dmil_deterministic",
    "dmil_all_missing", "dmil_uni_sg_missing", "dmil_syn_sg_missing", "dmil_align_missing",
    "dmil_orth_missing", "dmil_anova_missing", "dmil_leak", "dmil_absent",
    "calib_map",    "calib_stack", "broken_dense", NULL};

double dm_gradcheck(size_t n, float *theta, dm_loss_fn f, dm_grad_fn g,
                    void *ctx, double eps) {
  return dm_gradcheck_masked(n, theta, f, g, ctx, eps, NULL);
}

double dm_gradcheck_masked(size_t n, float *theta, dm_loss_fn f, dm_grad_fn g,
                           void *ctx, double eps, const float *mask) {
  float *an = malloc(sizeof(float) * (n + 1));
  if (!an) return NAN;
  g(ctx, theta, an);
  double diff2 = 0.0, an2 = 0.0, fd2 = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (mask && mask[i] == 0.0f) continue;
    const float t0 = theta[i];
    const float tp = (float)(t0 + eps), tm = (float)(t0 - eps);
    theta[i] = tp;
    double fp = f(ctx, theta);
    theta[i] = tm;
    double fm = f(ctx, theta);
    theta[i] = t0;
    double fd = (fp - fm) / ((double)tp - (double)tm);
    diff2 += (an[i] - fd) * (an[i] - fd);
    an2 += (double)an[i] * an[i];
    fd2 += fd * fd;
  }
  free(an);
  double denom = sqrt(DM_MAX(an2, fd2));
  return denom > 0 ? sqrt(diff2) / denom : sqrt(diff2);
}

void dm_gc_fill_normal(float *x, size_t n, dm_rng *r, double sd) {
  for (size_t i = 0; i < n; i++) x[i] = (float)(sd * dm_rng_normal(r));
}

/* ---- dense layer: theta = [W, b, X], loss = sum(C * Y) ---------------- */

typedef struct {
  int B, in, out;
  dm_act act;
  const float *C;
  float *Y, *dY;
  int broken;
} dense_ctx;

static double dense_loss(void *vctx, const float *theta) {
  dense_ctx *c = vctx;
  const float *W = theta, *b = W + c->out * c->in, *X = b + c->out;
  dm_dense_forward(c->B, c->in, c->out, X, c->in, W, b, c->Y, c->out, c->act);
  double s = 0.0;
  for (int k = 0; k < c->B * c->out; k++) s += (double)c->C[k] * c->Y[k];
  return s;
}

static void dense_grad(void *vctx, const float *theta, float *grad) {
  dense_ctx *c = vctx;
  const float *W = theta, *b = W + c->out * c->in, *X = b + c->out;
  dm_dense_forward(c->B, c->in, c->out, X, c->in, W, b, c->Y, c->out, c->act);
  memcpy(c->dY, c->C, sizeof(float) * c->B * c->out);
  float *dW = grad, *db = dW + c->out * c->in, *dX = db + c->out;
  dm_dense_backward(c->B, c->in, c->out, X, c->in, W, c->Y, c->out, c->dY,
                    c->out, dW, db, dX, c->in, 0, c->act);
  if (c->broken) db[0] *= 2.0f;
}

static double check_dense(uint64_t seed, dm_act act, int broken) {
  dense_ctx c = {5, 7, 4, act, NULL, NULL, NULL, broken};
  size_t n = (size_t)c.out * c.in + c.out + (size_t)c.B * c.in;
  float *theta = malloc(sizeof(float) * n);
  float *C = malloc(sizeof(float) * c.B * c.out);
  c.Y = malloc(sizeof(float) * c.B * c.out);
  c.dY = malloc(sizeof(float) * c.B * c.out);
  double err = NAN;
  if (theta && C && c.Y && c.dY) {
    dm_rng r;
    dm_rng_init(&r, seed);
    dm_gc_fill_normal(theta, n, &r, 1.0);
    dm_gc_fill_normal(C, (size_t)c.B * c.out, &r, 1.0);
    c.C = C;
    err = dm_gradcheck(n, theta, dense_loss, dense_grad, &c, 1e-2);
  }
  free(theta); free(C); free(c.Y); free(c.dY);
  return err;
}

/* ---- softmax cross-entropy: theta = logits ---------------------------- */

typedef struct {
  int B, K;
  const int *y;
  const float *w;
  float *dZ;
} ce_ctx;

static double ce_loss(void *vctx, const float *theta) {
  ce_ctx *c = vctx;
  return dm_softmax_ce(c->B, c->K, theta, c->K, c->y, c->w, 0.0f, NULL, 0, 0) /
         c->B;
}

static void ce_grad(void *vctx, const float *theta, float *grad) {
  ce_ctx *c = vctx;
  dm_softmax_ce(c->B, c->K, theta, c->K, c->y, c->w, 1.0f / c->B, grad, c->K,
                0);
}

static double check_ce(uint64_t seed, int weighted) {
  enum { B = 6, K = 4 };
  float Z[B * K], w[B];
  int y[B];
  dm_rng r;
  dm_rng_init(&r, seed);
  dm_gc_fill_normal(Z, B * K, &r, 2.0);
  for (int i = 0; i < B; i++) {
    y[i] = (int)dm_rng_below(&r, K);
    w[i] = (float)(0.2 + dm_rng_unif(&r));
  }
  ce_ctx c = {B, K, y, weighted ? w : NULL, NULL};
  return dm_gradcheck(B * K, Z, ce_loss, ce_grad, &c, 1e-2);
}

/* ---- MLP: theta = [parameters, X], loss = sum(C * Y) ------------------- */

typedef struct {
  dm_mlp m;
  int B;
  const float *C;
  float *acts, *Y, *dY, *scratch;
} mlp_ctx;

static double mlp_loss(void *vctx, const float *theta) {
  mlp_ctx *c = vctx;
  const float *X = theta + c->m.n_params;
  int out = dm_mlp_out(&c->m);
  dm_mlp_forward(&c->m, theta, c->B, X, dm_mlp_in(&c->m), c->acts, c->Y, out);
  double s = 0.0;
  for (int k = 0; k < c->B * out; k++) s += (double)c->C[k] * c->Y[k];
  return s;
}

static void mlp_grad(void *vctx, const float *theta, float *grad) {
  mlp_ctx *c = vctx;
  const float *X = theta + c->m.n_params;
  int out = dm_mlp_out(&c->m), in = dm_mlp_in(&c->m);
  dm_mlp_forward(&c->m, theta, c->B, X, in, c->acts, c->Y, out);
  memcpy(c->dY, c->C, sizeof(float) * c->B * out);
  memset(grad, 0, sizeof(float) * c->m.n_params);
  dm_mlp_backward(&c->m, theta, c->B, X, in, c->acts, c->Y, out, c->dY, out,
                  grad, grad + c->m.n_params, in, c->scratch);
}

static double check_mlp(uint64_t seed) {
  mlp_ctx c;
  c.B = 6;
  dm_mlp_setup(&c.m, 5, 8, 3, 3, DM_ACT_NONE, 0);
  size_t n = c.m.n_params + (size_t)c.B * 5;
  float *theta = malloc(sizeof(float) * n);
  float *C = malloc(sizeof(float) * c.B * 3);
  c.acts = malloc(sizeof(float) * dm_mlp_act_floats(&c.m, c.B));
  c.Y = malloc(sizeof(float) * c.B * 3);
  c.dY = malloc(sizeof(float) * c.B * 3);
  c.scratch = malloc(sizeof(float) * 2 * c.B * dm_mlp_max_dim(&c.m));
  double err = NAN;
  if (theta && C && c.acts && c.Y && c.dY && c.scratch) {
    dm_rng r;
    dm_rng_init(&r, seed);
    dm_gc_fill_normal(theta, n, &r, 1.0);
    dm_gc_fill_normal(C, (size_t)c.B * 3, &r, 1.0);
    c.C = C;
    err = dm_gradcheck(n, theta, mlp_loss, mlp_grad, &c, 3e-4);
  }
  free(theta); free(C); free(c.acts); free(c.Y); free(c.dY); free(c.scratch);
  return err;
}

/* ---- whole networks through the training batch gradient ---------------- */

dm_status dm_gc_random_data(dm_data *data, int N, int V, const int *dims, int K, dm_rng *r) {
  dm_status st = dm_data_alloc(data, N, V, dims, K, 1, NULL);
  if (st != DM_OK) return st;
  for (int v = 0; v < V; v++) dm_gc_fill_normal(data->x[v], (size_t)N * dims[v], r, 1.0);
  for (int i = 0; i < N; i++) data->y[i] = (int)dm_rng_below(r, K);
  return DM_OK;
}

double dm_gc_model_loss(void *vctx, const float *theta) {
  dm_gc_model_ctx *c = vctx;
  double loss = 0.0;
  c->model.batch_grad(c->model.self, theta, c->data, c->rows, c->nb, c->grad,
                      &loss, 0, 1);
  return loss / c->nb;
}

void dm_gc_model_grad(void *vctx, const float *theta, float *grad) {
  dm_gc_model_ctx *c = vctx;
  double loss;
  c->model.batch_grad(c->model.self, theta, c->data, c->rows, c->nb, grad,
                      &loss, 0, 2);
}

static double check_net(uint64_t seed, const char *kind) {
  enum { N = 70, V = 2, K = 3 };
  const int dims[V] = {4, 3};
  int enc_n_views[2], enc_views[2], enc_layers[2], enc_width[2];
  dm_net_spec spec;
  memset(&spec, 0, sizeof(spec));
  spec.K = K;
  spec.head_width = 6;
  const int distill = strcmp(kind, "distill") == 0, i2moe = strcmp(kind, "i2moe") == 0;
  if (i2moe) {
    spec.n_heads = 4;
    spec.gate_layers = 2;
    spec.gate_width = 5;
    spec.gate_temperature = 2.0f;
  }
  if (strcmp(kind, "joint") == 0 || strcmp(kind, "late") == 0 || distill || i2moe) {
    spec.n_enc = 2;
    for (int e = 0; e < 2; e++) {
      enc_n_views[e] = 1;
      enc_views[e] = e;
      enc_layers[e] = 2;
      enc_width[e] = 5;
    }
    spec.head_layers = strcmp(kind, "late") == 0 ? 1 : 2;
  } else if (strcmp(kind, "early") == 0) {
    spec.n_enc = 1;
    enc_n_views[0] = 2;
    enc_views[0] = 0;
    enc_views[1] = 1;
    enc_layers[0] = 2;
    enc_width[0] = 5;
    spec.head_layers = 1;
  } else {
    spec.n_enc = 1;
    enc_n_views[0] = 1;
    enc_views[0] = 1;
    enc_layers[0] = 1;
    enc_width[0] = 5;
    spec.head_layers = 1;
  }
  spec.enc_n_views = enc_n_views;
  spec.enc_views = enc_views;
  spec.enc_layers = enc_layers;
  spec.enc_width = enc_width;

  dm_data data;
  dm_net net;
  double err = NAN;
  dm_rng r;
  dm_rng_init(&r, seed);
  if (dm_gc_random_data(&data, N, V, dims, K, &r) != DM_OK) return NAN;
  if (dm_net_create(&net, &spec, dims, V, N, 2) != DM_OK) {
    dm_data_free(&data);
    return NAN;
  }
  int rows[N];
  for (int i = 0; i < N; i++) rows[i] = (i * 37) % N; /* a permutation */
  float *theta = malloc(sizeof(float) * net.n_params);
  float *grad = malloc(sizeof(float) * net.n_params);
  float *target = malloc(sizeof(float) * (size_t)N * net.concat_dim);
  if (theta && grad && target) {
    dm_net_init(&net, theta, dm_rng_derive(seed, 99));
    /* He initialisation sets biases to 0, so a sample whose hidden layer is
     * all zero sits exactly on a ReLU kink; jitter every parameter so the
     * check measures the backward pass, not the kink. */
    for (size_t k = 0; k < net.n_params; k++)
      theta[k] += (float)(0.1 * dm_rng_normal(&r));
    /* distillation targets: nonnegative, like ReLU encodings */
    for (size_t k = 0; k < (size_t)N * net.concat_dim; k++)
      target[k] = (float)fabs(dm_rng_normal(&r));
    dm_distill d = {&net, target, 0.7f};
    dm_i2moe im;
    dm_gc_model_ctx c = {distill ? dm_distill_model(&d) : dm_net_model(&net), &data, rows, N, grad};
    if (i2moe) {
      /* a large weight, so the interaction losses dominate the check */
      if (dm_i2moe_init(&im, &net, 3.0f) == DM_OK) {
        c.model = dm_i2moe_model(&im);
        err = dm_gradcheck(net.n_params, theta, dm_gc_model_loss, dm_gc_model_grad, &c, 3e-4);
      }
      dm_i2moe_free(&im);
    } else {
      err = dm_gradcheck(net.n_params, theta, dm_gc_model_loss, dm_gc_model_grad, &c, 3e-4);
    }
  }
  free(theta);
  free(grad);
  free(target);
  dm_net_destroy(&net);
  dm_data_free(&data);
  return err;
}

dm_status dm_gradcheck_case(const char *name, uint64_t seed, double *err) {
  if (strncmp(name, "dmil_", 5) == 0) {
    for (int k = 0; dm_gradcheck_cases[k]; k++)
      if (strcmp(name, dm_gradcheck_cases[k]) == 0) {
        *err = dm_gc_dmil(seed, name + 5);
        return isnan(*err) ? DM_ERR_NOMEM : DM_OK;
      }
    return DM_ERR_ARG;
  }
  if (strcmp(name, "dense_linear") == 0) *err = check_dense(seed, DM_ACT_NONE, 0);
  else if (strcmp(name, "dense_relu") == 0) *err = check_dense(seed, DM_ACT_RELU, 0);
  else if (strcmp(name, "broken_dense") == 0) *err = check_dense(seed, DM_ACT_RELU, 1);
  else if (strcmp(name, "softmax_ce") == 0) *err = check_ce(seed, 0);
  else if (strcmp(name, "softmax_ce_weighted") == 0) *err = check_ce(seed, 1);
  else if (strcmp(name, "mlp") == 0) *err = check_mlp(seed);
  else if (strcmp(name, "net_joint") == 0) *err = check_net(seed, "joint");
  else if (strcmp(name, "net_late") == 0) *err = check_net(seed, "late");
  else if (strcmp(name, "net_early") == 0) *err = check_net(seed, "early");
  else if (strcmp(name, "net_unimodal") == 0) *err = check_net(seed, "unimodal");
  else if (strcmp(name, "net_distill") == 0) *err = check_net(seed, "distill");
  else if (strcmp(name, "net_i2moe") == 0) *err = check_net(seed, "i2moe");
  else if (strcmp(name, "knife") == 0) *err = dm_gc_knife(seed);
  else if (strcmp(name, "calib_map") == 0) *err = dm_gc_calib(seed, 0);
  else if (strcmp(name, "calib_stack") == 0) *err = dm_gc_calib(seed, 1);
  else return DM_ERR_ARG;
  return isnan(*err) ? DM_ERR_NOMEM : DM_OK;
}
