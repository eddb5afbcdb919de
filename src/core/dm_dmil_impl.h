/* dm_dmil_impl.h -- internals shared by the files of the DMIL network
 * (dmil_layout.c, dmil_forward.c, dmil_loss.c, dmil_backward.c, dmil.c);
 * not part of the core's interface (dm_dmil.h).
 *
 * A training batch is split into shards (dm_shard_plan); each shard runs
 * forward, losses and backward in its own workspace (struct dmil_ws), and
 * the batch-level terms (orthogonality, ANOVA) read every shard's. */
#ifndef DM_DMIL_IMPL_H
#define DM_DMIL_IMPL_H

#include <math.h>
#include "dm_dmil.h"

#define LOGVAR_MIN (-8.0f)
#define LOGVAR_MAX 8.0f
#define EVAL_ROWS 256

/* Latent codes of a row: redundant per view, unique per view, the fused
 * redundant code, the synergy code. */
#define CODE_R(m) (m)
#define CODE_U(m) (M + (m))
#define CODE_BAR (2 * M)
#define CODE_S (2 * M + 1)

struct dmil_ws {
  int cap;
  float *xin;       /* per view cap x d_m, back to back */
  float *eacts;     /* encoder hidden activations */
  float *hcat;      /* cap x M*H */
  float *rp, *up;   /* M x cap x 2D: [mu | raw log-variance] */
  float *sp;        /* cap x 2D */
  float *fs;        /* cap x H, fusion output */
  float *eps, *z;   /* (2M+2) x cap x D */
  float *sd;        /* (2M+2) x cap x D: exp(lv / 2) of each code, reused by the backward pass */
  float *tau, *mubar;
  float *arbar, *au, *as; /* head outputs: cap x K, M x cap x K, cap x K */
  float *l_red, *l_view, *l; /* logits: each view's redundant code alone, each view
                               * alone (M x cap x K), the prediction (cap x K) */
  float *dau, *das, *dl_red, *dl_add, *dl; /* their gradients; dl_add: of the additive part */
  float *dz;
  float *drp, *dup, *dsp;
  float *dfs, *dhcat, *tmp, *scratch;
  float *fshare;    /* M x cap x H: each view's share of the fusion layer's pre-activation */
  /* ANOVA partner rows (R = cap x M x partners): fusion outputs, synergy
   * means, synergy head outputs and their gradients; the mean over a
   * sample's partners (K) */
  float *part_f, *part_mu, *part_a, *dpart_a, *dpart_mu, *dpart_f, *part_mean;
  float *scatter;   /* M x bcap x H: fusion gradients scattered to batch rows */
  float *noise;     /* (2M+2) x D noise of one row */
  float *grad;
  int *labels;
  /* the views each row of the shard has (cap x M) and whether it has all
   * (cap); filled by dm_dmil_forward_trunk from the data */
  unsigned char *pres, *all;
  unsigned char *pres_part; /* R: whether each ANOVA partner row counts */
  float *block;
  size_t *xin_off, *act_off;
};

/* Whether row i of the shard has view m, and every view. */
static inline int has_view(const struct dmil_ws *ws, int M, int i, int m) {
  return ws->pres[(size_t)i * M + m];
}

static inline float clampf(float v, float lo, float hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/* Pointer to the [mu | raw logvar] row of code c for row i. */
static inline float *code_row(const dm_dmil *net, struct dmil_ws *ws, int c, int i) {
  const int M = net->a.M, D = net->a.D;
  if (c < M) return ws->rp + ((size_t)c * ws->cap + i) * 2 * D;
  if (c < 2 * M) return ws->up + ((size_t)(c - M) * ws->cap + i) * 2 * D;
  return ws->sp + (size_t)i * 2 * D; /* CODE_S */
}

static inline float *zbuf(const struct dmil_ws *ws, float *base, int c, int D) {
  return base + (size_t)c * ws->cap * D;
}

/* f += the M first-layer fusion shares of sample i, then ReLU: the fusion
 * layer's pre-activation is the bias plus one share per view. */
static inline void add_shares_relu(float *DM_RESTRICT f, const struct dmil_ws *ws, int i, int M, int H) {
  for (int m = 0; m < M; m++) {
    const float *DM_RESTRICT am = ws->fshare + ((size_t)m * ws->cap + i) * H;
#pragma omp simd
    for (int j = 0; j < H; j++) f[j] += am[j];
  }
#pragma omp simd
  for (int j = 0; j < H; j++) f[j] = f[j] > 0.0f ? f[j] : 0.0f;
}

/* dmil_forward.c: encoders, posterior layers and fusion for B rows
 * (gathered here); then samples (or means) of every code, the product of
 * experts, head outputs and logits (row0: position of the shard's first
 * row in the batch, for the noise stream). */
void dm_dmil_forward_trunk(const dm_dmil *net, const float *theta, const dm_data *data,
                           const int *rows, int B, struct dmil_ws *ws);
void dm_dmil_forward_heads(const dm_dmil *net, const float *theta, int B, struct dmil_ws *ws,
                           uint64_t key, int row0);

/* dmil_loss.c: the per-sample terms of net->loss for a shard (their sum,
 * gradients up to the posterior outputs, head gradients into grad), and
 * the batch-level orthogonality term (its value times nb; gradients into
 * the shards' posterior gradients). */
double dm_dmil_sample_losses(const dm_dmil *net, const float *theta, const dm_data *data,
                             const int *rows, int B, struct dmil_ws *ws, float scale,
                             float *grad);
double dm_dmil_orth_term(dm_dmil *net, const int *starts, int ns, int nb);

/* dmil_backward.c: back through posterior layers, fusion and encoders; the
 * functional-ANOVA penalty of shard s and its fusion-weight gradient. */
void dm_dmil_backward_trunk(const dm_dmil *net, const float *theta, int B, struct dmil_ws *ws,
                            float *grad);
double dm_dmil_anova_term(dm_dmil *net, const float *theta, const int *starts, int nb, int s,
                          uint64_t key, float *grad);
void dm_dmil_anova_weight_grad(dm_dmil *net, int ns, int nb, const float *hall, float *grad,
                               int nthreads);

#endif
