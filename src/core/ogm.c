#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_ogm.h"
#include "dm_rng.h"

void dm_ogm_coeffs(int E, const double *s, float alpha, float *k) {
  double total = 0.0;
  for (int e = 0; e < E; e++) total += s[e];
  for (int e = 0; e < E; e++) {
    const double others = (total - s[e]) / (E - 1);
    /* a batch where the others score 0 leaves the encoder as it is */
    const double rho = others > 0.0 ? s[e] / others : 0.0;
    k[e] = rho > 1.0 ? (float)(1.0 - tanh(alpha * rho)) : 1.0f;
  }
}

dm_status dm_ogm_init(dm_ogm *o, dm_net *net, const dm_ogm_cfg *cfg) {
  memset(o, 0, sizeof(*o));
  if (net->n_enc < 2 || net->head.n_layers != 1 || net->n_heads != 1 || !(cfg->alpha > 0.0f))
    return DM_ERR_ARG;
  o->net = net;
  o->cfg = *cfg;
  o->score = malloc(sizeof(double) * (size_t)net->n_enc);
  o->coef = malloc(sizeof(float) * (size_t)net->n_enc);
  if (!o->score || !o->coef) return DM_ERR_NOMEM;
  for (int e = 0; e < net->n_enc; e++) o->coef[e] = 1.0f;
  return DM_OK;
}

void dm_ogm_free(dm_ogm *o) {
  free(o->score);
  free(o->coef);
  o->score = NULL;
  o->coef = NULL;
}

/* Sample standard deviation (n - 1), as torch.std(). */
static double sd_of(const float *g, size_t n) {
  if (n < 2) return 0.0;
  double m = 0.0, ss = 0.0;
  for (size_t i = 0; i < n; i++) m += g[i];
  m /= (double)n;
  for (size_t i = 0; i < n; i++) ss += (g[i] - m) * (g[i] - m);
  return sqrt(ss / (double)(n - 1));
}

void dm_ogm_modulate(dm_ogm *o, const double *score, float *grad, uint64_t key) {
  const dm_net *net = o->net;
  const int E = net->n_enc;
  if (o->epoch < o->cfg.start || o->epoch > o->cfg.end) {
    for (int e = 0; e < E; e++) o->coef[e] = 1.0f;
    return;
  }
  dm_ogm_coeffs(E, score, o->cfg.alpha, o->coef);
  for (int e = 0; e < E; e++) {
    const dm_mlp *m = &net->enc[e];
    size_t off = m->offset;
    for (int l = 0; l < m->n_layers; l++) {
      const size_t nw = (size_t)m->dims[l + 1] * m->dims[l];
      float *g = grad + off;
      const float k = o->coef[e];
      if (o->cfg.ge) {
        const float sd = (float)(sd_of(g, nw) + 1e-8);
        float z[256]; /* an even chunk, so the stream continues across chunks */
        dm_rng r;
        dm_rng_init(&r, dm_rng_derive(key, (uint64_t)e * DM_MLP_MAX_LAYERS + (uint64_t)l));
        for (size_t i0 = 0; i0 < nw; i0 += 256) {
          const int c = (int)DM_MIN((size_t)256, nw - i0);
          dm_rng_normals(&r, z, c);
          for (int i = 0; i < c; i++) g[i0 + i] = g[i0 + i] * k + sd * z[i];
        }
      } else if (k != 1.0f) {
        for (size_t i = 0; i < nw; i++) g[i] *= k;
      }
      off += nw + (size_t)m->dims[l + 1]; /* the layer's bias follows its weights */
    }
  }
}

static dm_status ogm_batch_grad(void *self, const float *theta, const dm_data *data,
                                const int *rows, int nb, float *grad, double *loss_sum,
                                uint64_t key, int nthreads) {
  dm_ogm *o = self;
  const dm_net_extras ex = {.enc_score = o->score};
  dm_status st = dm_net_batch_grad(o->net, theta, data, rows, nb, grad, loss_sum, nthreads, &ex);
  if (st != DM_OK) return st;
  dm_ogm_modulate(o, o->score, grad, key);
  return DM_OK;
}

static void ogm_epoch_begin(void *self, int epoch) {
  ((dm_ogm *)self)->epoch = epoch;
}

dm_model dm_ogm_model(dm_ogm *o) {
  dm_model m = dm_net_variant_model(o, ogm_batch_grad);
  m.epoch_begin = ogm_epoch_begin;
  return m;
}
