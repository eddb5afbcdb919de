/* gradcheck_models.c -- the finite-difference checks of the larger models:
 * the KNIFE density, the DMIL network one loss term at a time, and the
 * calibration objectives (dm_gradcheck.h lists them). Test-only code. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dm_calib.h"
#include "dm_dmil.h"
#include "dm_gradcheck.h"
#include "dm_gradcheck_impl.h"
#include "dm_knife.h"
#include "dm_rng.h"

/* ---- KNIFE density: negative log-likelihood of a batch ----------------- */

double dm_gc_knife(uint64_t seed) {
  enum { N = 70, D = 4, K = 3 };
  const int dims[1] = {D};
  dm_data data;
  dm_knife kn;
  double err = NAN;
  if (dm_data_alloc(&data, N, 1, dims, 0, 0, NULL) != DM_OK) return NAN;
  if (dm_knife_create(&kn, D, K, 0, N, 2) != DM_OK) {
    dm_data_free(&data);
    return NAN;
  }
  dm_rng r;
  dm_rng_init(&r, seed);
  dm_gc_fill_normal(data.x[0], (size_t)N * D, &r, 1.0);
  int rows[N];
  for (int i = 0; i < N; i++) rows[i] = (i * 37) % N;
  float *theta = malloc(sizeof(float) * kn.n_params);
  float *grad = malloc(sizeof(float) * kn.n_params);
  if (theta && grad) {
    /* Random parameters everywhere, including the ignored upper part of
     * each L (whose gradient must then be zero). */
    dm_gc_fill_normal(theta, kn.n_params, &r, 0.5);
    dm_gc_model_ctx c = {dm_knife_model(&kn), &data, rows, N, grad};
    err = dm_gradcheck(kn.n_params, theta, dm_gc_model_loss, dm_gc_model_grad, &c, 1e-3);
  }
  free(theta);
  free(grad);
  dm_knife_destroy(&kn);
  dm_data_free(&data);
  return err;
}

/* ---- DMIL network, one loss term at a time ------------------------------ */

/* Marks about a third of the rows as lacking one or two of the V views
 * (never all) and overwrites the absent values with noise, as a model
 * must not read them. */
static dm_status drop_views(dm_data *data, dm_rng *r) {
  const int N = data->n, V = data->n_views;
  data->present = malloc((size_t)N * V);
  if (!data->present) return DM_ERR_NOMEM;
  for (int i = 0; i < N; i++) {
    unsigned char *p = data->present + (size_t)i * V;
    for (int m = 0; m < V; m++) p[m] = 1;
    if (dm_rng_unif(r) < 0.35) {
      const int keep = (int)dm_rng_below(r, (uint32_t)V);
      for (int m = 0; m < V; m++)
        if (m != keep && dm_rng_unif(r) < 0.6) p[m] = 0;
    }
    for (int m = 0; m < V; m++)
      if (!p[m])
        for (int j = 0; j < data->dims[m]; j++)
          data->x[m][(size_t)i * data->dims[m] + j] = (float)(3.0 * dm_rng_normal(r));
  }
  return DM_OK;
}

/* term: a loss term (see dm_gradcheck.h), with "_missing" when rows lack
 * views; "leak": every term on rows lacking views, returning the largest
 * change of the loss or gradient when the absent values are redrawn (0
 * when nothing absent is read); "absent": every term with the second view
 * absent from every row, returning the largest gradient of that view's own
 * parameters and of the synergy channel (0 when the rows train nothing
 * that needs the view). */
double dm_gc_dmil(uint64_t seed, const char *term_) {
  enum { N = 70, V = 3, K = 3 };
  const int dims[V] = {4, 3, 5};
  char term[32];
  const int leak = strcmp(term_, "leak") == 0, absent = strcmp(term_, "absent") == 0;
  snprintf(term, sizeof term, "%s", leak || absent ? "all_missing" : term_);
  char *suffix = strstr(term, "_missing");
  const int missing = suffix != NULL;
  if (suffix) *suffix = '\0';
  dm_data data;
  dm_dmil net;
  double err = NAN;
  dm_rng r;
  dm_rng_init(&r, seed);
  if (dm_gc_random_data(&data, N, V, dims, K, &r) != DM_OK) return NAN;
  if (missing && drop_views(&data, &r) != DM_OK) {
    dm_data_free(&data);
    return NAN;
  }
  if (absent)
    for (int i = 0; i < N; i++) {
      data.present[(size_t)i * V + 0] = 1;
      data.present[(size_t)i * V + 1] = 0;
    }
  dm_dmil_arch arch = {V, K, 6, 3, 2, dims};
  if (dm_dmil_create(&net, &arch, N, 3, 2) != DM_OK) {
    dm_data_free(&data);
    return NAN;
  }
  float w_full[N], w_red[N], w_syn[N], w_uni[N * V];
  for (int i = 0; i < N; i++) {
    w_full[i] = (float)(0.5 + dm_rng_unif(&r));
    w_red[i] = (float)(0.5 + dm_rng_unif(&r));
    w_syn[i] = (float)(0.5 + dm_rng_unif(&r));
    for (int m = 0; m < V; m++) w_uni[i * V + m] = (float)(0.5 + dm_rng_unif(&r));
  }
  dm_dmil_loss L;
  memset(&L, 0, sizeof(L));
  L.partners = 3;
  L.variational = 1;
  unsigned groups = ~0u;
  int all = strcmp(term, "all") == 0;
  if (all || strcmp(term, "full") == 0 || strcmp(term, "deterministic") == 0) L.lambda_full = 1.0f;
  if (all || strcmp(term, "uni") == 0) L.lambda_uni = 0.7f;
  if (all || strcmp(term, "red") == 0) L.lambda_red = 0.6f;
  if (all || strcmp(term, "align") == 0) L.lambda_align = 0.5f;
  if (all || strcmp(term, "kl") == 0) {
    L.beta_R = 0.3f;
    L.beta_U = 0.2f;
    L.beta_S = 0.4f;
  }
  if (all || strcmp(term, "orth") == 0) L.lambda_orth = 0.5f;
  if (leak || absent) { /* with the terms of Phase C too */
    L.lambda_anova = 0.8f;
    L.lambda_uni_sg = 0.9f;
    L.lambda_syn_sg = 0.7f;
  }
  /* The ANOVA penalty treats encodings as constants (a stop-gradient into
   * the encoders), so it is checked on the synergy channel's parameters. */
  if (strcmp(term, "anova") == 0) {
    L.lambda_anova = 0.8f;
    groups = DM_DMIL_FUSE | DM_DMIL_SPOST | DM_DMIL_AS;
  }
  if (strcmp(term, "uni_sg") == 0) {
    L.lambda_uni_sg = 1.0f;
    groups = DM_DMIL_UPOST | DM_DMIL_AU;
  }
  if (strcmp(term, "syn_sg") == 0) {
    L.lambda_syn_sg = 1.0f;
    groups = DM_DMIL_FUSE | DM_DMIL_SPOST | DM_DMIL_AS;
  }
  if (strcmp(term, "deterministic") == 0) {
    L.variational = 0;
    L.lambda_red = 0.5f;
    L.lambda_uni = 0.5f;
  }
  if (all) {
    L.w_full = w_full;
    L.w_red = w_red;
  }
  if (strcmp(term, "uni_sg") == 0 || leak || absent) L.w_uni = w_uni;
  if (strcmp(term, "syn_sg") == 0 || leak || absent) L.w_syn = w_syn;
  net.loss = L;
  net.beta_scale = 1.0f;
  int rows[N];
  for (int i = 0; i < N; i++) rows[i] = (i * 37) % N;
  float *theta = malloc(sizeof(float) * net.n_params);
  float *grad = malloc(sizeof(float) * net.n_params);
  float *mask = malloc(sizeof(float) * net.n_params);
  if (theta && grad && mask) {
    dm_dmil_init(&net, theta, dm_rng_derive(seed, 99));
    for (size_t k = 0; k < net.n_params; k++) theta[k] += (float)(0.1 * dm_rng_normal(&r));
    dm_dmil_lr_mult(&net, groups, 1.0f, mask);
    dm_gc_model_ctx c = {dm_dmil_model(&net), &data, rows, N, grad};
    if (absent) {
      dm_gc_model_grad(&c, theta, grad);
      err = 0.0;
      const unsigned synergy = DM_DMIL_FUSE | DM_DMIL_SPOST | DM_DMIL_AS;
      for (int b = 0; b < DM_DMIL_N_BLOCKS(V); b++) {
        const dm_dmil_block *bl = &net.blocks[b];
        if (bl->view != 1 && !(bl->group & synergy)) continue;
        for (size_t k = 0; k < bl->length; k++) err = fmax(err, fabs(grad[bl->offset + k]));
      }
    } else if (leak) {
      /* mask holds the first gradient */
      const double l0 = dm_gc_model_loss(&c, theta);
      dm_gc_model_grad(&c, theta, mask);
      for (int i = 0; i < N; i++)
        for (int m = 0; m < V; m++)
          if (!data.present[(size_t)i * V + m])
            for (int j = 0; j < dims[m]; j++)
              data.x[m][(size_t)i * dims[m] + j] = (float)(100.0 * dm_rng_normal(&r));
      err = fabs(dm_gc_model_loss(&c, theta) - l0);
      dm_gc_model_grad(&c, theta, grad);
      for (size_t k = 0; k < net.n_params; k++) err = fmax(err, fabs(grad[k] - mask[k]));
    } else {
      err = dm_gradcheck_masked(net.n_params, theta, dm_gc_model_loss, dm_gc_model_grad, &c, 3e-4,
                                groups == ~0u ? NULL : mask);
    }
  }
  free(theta);
  free(grad);
  free(mask);
  dm_dmil_destroy(&net);
  dm_data_free(&data);
  return err;
}

/* ---- calibration objectives (double precision) -------------------------- */

typedef struct {
  int stack, n, K, bins, parts;
  double *z, *knots, *lp;
  int *y;
} calib_ctx;

static double calib_eval(const calib_ctx *c, const double *x, double *g) {
  return c->stack ? dm_calib_stack_objective(c->n, c->K, c->parts, c->z, c->y, c->lp, x, g)
                  : dm_calib_map_objective(c->n, c->K, c->z, c->y, c->lp, c->bins, c->knots,
                                           x, g);
}

/* A random problem: 40 rows, 3 classes; a map with 3 bins (knots inside
 * the range of the strengths) or a stack of 3 parts. */
double dm_gc_calib(uint64_t seed, int stack) {
  dm_rng r;
  dm_rng_init(&r, dm_rng_derive(seed, 7));
  calib_ctx c = {stack, 40, 3, 3, 3, NULL, NULL, NULL, NULL};
  const int blocks = stack ? c.parts : 1, p = (stack ? c.parts : c.bins) + 1;
  c.z = malloc(sizeof(double) * (size_t)blocks * c.n * c.K);
  c.y = malloc(sizeof(int) * c.n);
  c.lp = malloc(sizeof(double) * c.K);
  c.knots = malloc(sizeof(double) * c.bins);
  double *x = malloc(sizeof(double) * p), *g = malloc(sizeof(double) * p);
  double *gp = malloc(sizeof(double) * p);
  double err = NAN;
  if (c.z && c.y && c.lp && c.knots && x && g && gp) {
    for (int i = 0; i < c.n; i++) {
      c.y[i] = (int)dm_rng_below(&r, (uint32_t)c.K);
      for (int b = 0; b < blocks; b++) {
        double *zi = c.z + ((size_t)b * c.n + i) * c.K, mean = 0.0;
        for (int k = 0; k < c.K; k++) mean += zi[k] = 2.0 * dm_rng_normal(&r);
        for (int k = 0; k < c.K; k++) zi[k] -= mean / c.K;
      }
    }
    c.lp[0] = log(0.5);
    c.lp[1] = log(0.3);
    c.lp[2] = log(0.2);
    c.knots[0] = 1.0;
    c.knots[1] = 2.5;
    for (int j = 0; j < p; j++) x[j] = 0.5 * dm_rng_normal(&r);
    x[p - 1] = -2.0 + 0.5 * dm_rng_normal(&r);
    calib_eval(&c, x, g);
    double diff2 = 0.0, an2 = 0.0, fd2 = 0.0;
    for (int j = 0; j < p; j++) {
      const double h = 1e-6, x0 = x[j];
      x[j] = x0 + h;
      const double fp = calib_eval(&c, x, gp);
      x[j] = x0 - h;
      const double fm = calib_eval(&c, x, gp);
      x[j] = x0;
      const double fd = (fp - fm) / (2 * h);
      diff2 += (g[j] - fd) * (g[j] - fd);
      an2 += g[j] * g[j];
      fd2 += fd * fd;
    }
    const double denom = sqrt(DM_MAX(an2, fd2));
    err = denom > 0 ? sqrt(diff2) / denom : sqrt(diff2);
  }
  free(c.z); free(c.y); free(c.lp); free(c.knots); free(x); free(g); free(gp);
  return err;
}
