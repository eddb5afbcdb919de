#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_block.h"
#include "dm_dmil.h"
#include "dm_gemm.h"
#include "dm_layer.h"
#include "dm_loss.h"
#include "dm_omp.h"
#include "dm_rng.h"

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
  float *lrm, *lm, *l;
  float *dau, *das, *dlrm, *dladd, *dl;
  float *dz;
  float *drp, *dup, *dsp;
  float *dfs, *dhcat, *tmp, *scratch;
  float *fa;        /* M x cap x H: each view's share of the fusion layer's pre-activation */
  float *pf, *pmu, *pa, *dpa, *dpmu, *dpf, *g;
  float *sb;        /* M x bcap x H: fusion gradients scattered to batch rows */
  float *noise;     /* (2M+2) x D noise of one row */
  float *grad;
  int *labels;
  float *block;
  size_t *xin_off, *act_off;
};

static inline float clampf(float v, float lo, float hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/* ---- layout ---------------------------------------------------------- */

static size_t layout(dm_dmil *net) {
  const dm_dmil_arch *a = &net->a;
  const int M = a->M, H = a->H, D = a->D, K = a->K;
  size_t off = 0;
  for (int m = 0; m < M; m++) {
    dm_mlp_setup(&net->enc[m], a->dims[m], H, a->depth, H, DM_ACT_RELU, off);
    off += net->enc[m].n_params;
  }
  for (int m = 0; m < M; m++) {
    net->off_rpost[m] = off;
    off += (size_t)2 * D * (H + 1);
    net->off_upost[m] = off;
    off += (size_t)2 * D * (H + 1);
  }
  dm_mlp_setup(&net->fuse, M * H, H, 1, H, DM_ACT_RELU, off);
  off += net->fuse.n_params;
  net->off_spost = off;
  off += (size_t)2 * D * (H + 1);
  net->off_ar = off;
  off += (size_t)K * D;
  for (int m = 0; m < M; m++) {
    net->off_au[m] = off;
    off += (size_t)K * D;
  }
  net->off_as = off;
  off += (size_t)K * D;
  net->off_b = off;
  off += K;
  return off;
}

size_t dm_dmil_param_count(const dm_dmil_arch *a) {
  if (a->M < 2 || a->K < 2 || a->H < 1 || a->D < 1 || a->depth < 1) return 0;
  size_t n = 0;
  for (int m = 0; m < a->M; m++) {
    dm_mlp e;
    if (dm_mlp_setup(&e, a->dims[m], a->H, a->depth, a->H, DM_ACT_RELU, 0) != DM_OK) return 0;
    n += e.n_params + (size_t)4 * a->D * (a->H + 1) + (size_t)a->K * a->D;
  }
  n += (size_t)a->H * (a->M * a->H + 1);           /* fusion */
  n += (size_t)2 * a->D * (a->H + 1);              /* synergy posterior */
  n += (size_t)2 * a->K * a->D + (size_t)a->K;     /* a_R, a_S, b */
  return n;
}

/* cap: rows of every buffer; train_cap: rows of a training shard, which
 * sizes the ANOVA partner buffers (partners: most partners used). */
static dm_status ws_alloc(dm_dmil *net, int cap, int train_cap, int partners,
                          struct dmil_ws *ws) {
  const dm_dmil_arch *a = &net->a;
  const size_t M = a->M, H = a->H, D = a->D, K = a->K, P = DM_MAX(partners, 1);
  const size_t c = cap, R = (size_t)train_cap * M * P;
  size_t xin = 0, acts = 0;
  int maxdim = dm_mlp_max_dim(&net->fuse);
  memset(ws, 0, sizeof(*ws));
  ws->xin_off = malloc(sizeof(size_t) * M);
  ws->act_off = malloc(sizeof(size_t) * M);
  if (!ws->xin_off || !ws->act_off) return DM_ERR_NOMEM;
  for (size_t m = 0; m < M; m++) {
    ws->xin_off[m] = xin;
    ws->act_off[m] = acts;
    xin += c * a->dims[m];
    acts += dm_mlp_act_floats(&net->enc[m], cap);
    maxdim = DM_MAX(maxdim, dm_mlp_max_dim(&net->enc[m]));
  }
  const size_t MK = M * c * K, cK = c * K, codes = (2 * M + 2) * c * D;
  const dm_slot slots[] = {
      {&ws->xin, xin}, {&ws->eacts, acts}, {&ws->hcat, c * M * H},
      {&ws->rp, M * c * 2 * D}, {&ws->up, M * c * 2 * D}, {&ws->sp, c * 2 * D},
      {&ws->fs, c * H}, {&ws->eps, codes}, {&ws->z, codes}, {&ws->sd, codes}, {&ws->tau, c * D},
      {&ws->mubar, c * D},
      /* head outputs and logits */
      {&ws->arbar, cK}, {&ws->au, MK}, {&ws->as, cK}, {&ws->lrm, MK}, {&ws->lm, MK},
      {&ws->l, cK},
      /* their gradients */
      {&ws->dau, MK}, {&ws->das, cK}, {&ws->dlrm, MK}, {&ws->dladd, cK}, {&ws->dl, K},
      {&ws->dz, codes}, {&ws->drp, M * c * 2 * D}, {&ws->dup, M * c * 2 * D},
      {&ws->dsp, c * 2 * D}, {&ws->dfs, c * H}, {&ws->dhcat, c * M * H},
      {&ws->tmp, c * M * H}, {&ws->scratch, 2 * c * (size_t)maxdim},
      /* ANOVA partner rows */
      {&ws->fa, M * c * H}, {&ws->pf, R * H}, {&ws->pmu, R * D}, {&ws->pa, R * K},
      {&ws->dpa, R * K}, {&ws->dpmu, R * D}, {&ws->dpf, R * H}, {&ws->g, K},
      {&ws->sb, M * (size_t)net->bcap * H}, {&ws->noise, (2 * M + 2) * D},
      {&ws->grad, net->n_params}};
  ws->block = dm_carve(slots, (int)(sizeof(slots) / sizeof(slots[0])));
  ws->labels = malloc(sizeof(int) * (c + 1));
  if (!ws->block || !ws->labels) return DM_ERR_NOMEM;
  ws->cap = cap;
  return DM_OK;
}

void dm_dmil_destroy(dm_dmil *net) {
  if (net->ws)
    for (int w = 0; w < net->n_ws; w++) {
      free(net->ws[w].block);
      free(net->ws[w].labels);
      free(net->ws[w].xin_off);
      free(net->ws[w].act_off);
    }
  free(net->ws);
  free(net->enc);
  free(net->off_rpost);
  free(net->off_upost);
  free(net->off_au);
  free(net->dims);
  free(net->bmu_r);
  free(net->bmu_u);
  free(net->bgrad_r);
  free(net->bgrad_u);
  free(net->bhall);
  free(net->orth_ws);
  memset(net, 0, sizeof(*net));
}

dm_status dm_dmil_create(dm_dmil *net, const dm_dmil_arch *a, int max_rows,
                         int partners, int nthreads) {
  memset(net, 0, sizeof(*net));
  if (dm_dmil_param_count(a) == 0 || max_rows < 1) return DM_ERR_ARG;
  const int M = a->M;
  net->a = *a;
  net->dims = malloc(sizeof(int) * M);
  net->enc = calloc(M, sizeof(dm_mlp));
  net->off_rpost = malloc(sizeof(size_t) * M);
  net->off_upost = malloc(sizeof(size_t) * M);
  net->off_au = malloc(sizeof(size_t) * M);
  if (!net->dims || !net->enc || !net->off_rpost || !net->off_upost || !net->off_au) {
    dm_dmil_destroy(net);
    return DM_ERR_NOMEM;
  }
  memcpy(net->dims, a->dims, sizeof(int) * M);
  net->a.dims = net->dims;
  net->n_params = layout(net);
  /* Defaults until the caller sets a loss: Phase A without extras. */
  net->loss.c_full = 1.0f;
  net->loss.partners = partners;
  net->loss.variational = 1;
  net->beta_scale = 1.0f;
  const int train_cap = dm_shard_cap(max_rows);
  net->cap = DM_MAX(train_cap, EVAL_ROWS);
  net->max_partners = partners;
  net->bcap = max_rows;
  size_t bsz = (size_t)max_rows * a->D;
  net->bmu_r = malloc(sizeof(float) * (bsz + 1));
  net->bmu_u = malloc(sizeof(float) * (bsz + 1));
  net->bgrad_r = malloc(sizeof(float) * (bsz + 1));
  net->bgrad_u = malloc(sizeof(float) * (bsz + 1));
  net->bhall = malloc(sizeof(float) * ((size_t)max_rows * a->M * a->H + 1));
  net->orth_ws = malloc(sizeof(float) * ((size_t)4 * a->D + (size_t)a->D * a->D));
  net->n_ws = DM_MAX(DM_MAX_SHARDS, nthreads);
  net->ws = calloc(net->n_ws, sizeof(struct dmil_ws));
  if (!net->bmu_r || !net->bmu_u || !net->bgrad_r || !net->bgrad_u || !net->bhall || !net->orth_ws ||
      !net->ws) {
    dm_dmil_destroy(net);
    return DM_ERR_NOMEM;
  }
  for (int w = 0; w < net->n_ws; w++)
    if (ws_alloc(net, net->cap, train_cap, partners, &net->ws[w]) != DM_OK) {
      dm_dmil_destroy(net);
      return DM_ERR_NOMEM;
    }
  return DM_OK;
}

/* A posterior layer H -> 2D ([mean | log-variance]): the log-variance rows
 * start near 0 (unit variance) rather than random, so their weights are
 * scaled down. */
static void init_posterior(float *w, int H, int D, dm_rng *r) {
  dm_dense_init(H, 2 * D, w, w + (size_t)2 * D * H, DM_ACT_NONE, r);
  for (size_t k = (size_t)D * H; k < (size_t)2 * D * H; k++) w[k] *= 0.1f;
}

void dm_dmil_init(const dm_dmil *net, float *theta, uint64_t key) {
  const dm_dmil_arch *a = &net->a;
  const int M = a->M, H = a->H, D = a->D, K = a->K;
  dm_rng r;
  int stream = 0;
  for (int m = 0; m < M; m++) {
    dm_rng_init(&r, dm_rng_derive(key, (uint64_t)stream++));
    dm_mlp_init(&net->enc[m], theta, &r);
  }
  for (int m = 0; m < M; m++) {
    dm_rng_init(&r, dm_rng_derive(key, (uint64_t)stream++));
    init_posterior(theta + net->off_rpost[m], H, D, &r);
    dm_rng_init(&r, dm_rng_derive(key, (uint64_t)stream++));
    init_posterior(theta + net->off_upost[m], H, D, &r);
  }
  dm_rng_init(&r, dm_rng_derive(key, (uint64_t)stream++));
  dm_mlp_init(&net->fuse, theta, &r);
  dm_rng_init(&r, dm_rng_derive(key, (uint64_t)stream++));
  init_posterior(theta + net->off_spost, H, D, &r);
  /* The heads a_R, a_S, a_U^m have no bias of their own; the shared one,
   * b, starts at 0 (which dm_dense_init() writes each time). */
  for (int h = 0; h < M + 2; h++) {
    const size_t off = h == 0 ? net->off_ar : h == 1 ? net->off_as : net->off_au[h - 2];
    dm_rng_init(&r, dm_rng_derive(key, (uint64_t)stream++));
    dm_dense_init(D, K, theta + off, theta + net->off_b, DM_ACT_NONE, &r);
  }
  for (int k = 0; k < K; k++) theta[net->off_b + k] = 0.0f;
  /* The synergy head starts at 0, so the prediction starts as the additive
   * part and synergy grows only where the data ask for it. */
  for (size_t k = 0; k < (size_t)D * K; k++) theta[net->off_as + k] = 0.0f;
}

void dm_dmil_lr_mult(const dm_dmil *net, unsigned groups, float enc_mult,
                     float *mult) {
  const dm_dmil_arch *a = &net->a;
  const int M = a->M, H = a->H, D = a->D, K = a->K;
  for (size_t k = 0; k < net->n_params; k++) mult[k] = 0.0f;
#define SET(off, len, v) for (size_t k_ = 0; k_ < (size_t)(len); k_++) mult[(off) + k_] = (v)
  for (int m = 0; m < M; m++) {
    if (groups & DM_DMIL_ENC) SET(net->enc[m].offset, net->enc[m].n_params, enc_mult);
    if (groups & DM_DMIL_RPOST) SET(net->off_rpost[m], 2 * D * (H + 1), 1.0f);
    if (groups & DM_DMIL_UPOST) SET(net->off_upost[m], 2 * D * (H + 1), 1.0f);
    if (groups & DM_DMIL_AU) SET(net->off_au[m], K * D, 1.0f);
  }
  if (groups & DM_DMIL_FUSE) SET(net->fuse.offset, net->fuse.n_params, 1.0f);
  if (groups & DM_DMIL_SPOST) SET(net->off_spost, 2 * D * (H + 1), 1.0f);
  if (groups & DM_DMIL_AR) SET(net->off_ar, K * D, 1.0f);
  if (groups & DM_DMIL_AS) SET(net->off_as, K * D, 1.0f);
  if (groups & DM_DMIL_BIAS) SET(net->off_b, K, 1.0f);
#undef SET
}

/* ---- forward ----------------------------------------------------------- */

/* f += the M first-layer fusion shares of sample i, then ReLU: the fusion
 * layer's pre-activation is the bias plus one share per view. */
static void add_shares_relu(float *DM_RESTRICT f, const struct dmil_ws *ws, int i, int M, int H) {
  for (int m = 0; m < M; m++) {
    const float *DM_RESTRICT am = ws->fa + ((size_t)m * ws->cap + i) * H;
#pragma omp simd
    for (int j = 0; j < H; j++) f[j] += am[j];
  }
#pragma omp simd
  for (int j = 0; j < H; j++) f[j] = f[j] > 0.0f ? f[j] : 0.0f;
}

/* Encoders, posterior layers and fusion for B rows (gathered here). */
static void forward_trunk(const dm_dmil *net, const float *theta,
                          const dm_data *data, const int *rows, int B,
                          struct dmil_ws *ws) {
  const dm_dmil_arch *a = &net->a;
  const int M = a->M, H = a->H, D = a->D, MH = M * H;
  for (int m = 0; m < M; m++) {
    float *x = ws->xin + ws->xin_off[m];
    dm_data_gather(data, 1, &m, rows, B, x, a->dims[m]);
    dm_mlp_forward(&net->enc[m], theta, B, x, a->dims[m], ws->eacts + ws->act_off[m],
                   ws->hcat + (size_t)m * H, MH);
  }
  for (int m = 0; m < M; m++) {
    const float *W = theta + net->off_rpost[m];
    dm_dense_forward(B, H, 2 * D, ws->hcat + (size_t)m * H, MH, W, W + (size_t)2 * D * H,
                     ws->rp + (size_t)m * ws->cap * 2 * D, 2 * D, DM_ACT_NONE);
    W = theta + net->off_upost[m];
    dm_dense_forward(B, H, 2 * D, ws->hcat + (size_t)m * H, MH, W, W + (size_t)2 * D * H,
                     ws->up + (size_t)m * ws->cap * 2 * D, 2 * D, DM_ACT_NONE);
  }
  /* Fusion f = ReLU(W_F [h_1; ..; h_M] + b_F), computed view by view: the
   * per-view shares W_Fm h_m are reused by the ANOVA partner rows. */
  const float *WF = theta + net->fuse.offset, *bF = WF + (size_t)H * MH;
  for (int m = 0; m < M; m++)
    dm_gemm(0, 1, B, H, H, 1.0f, ws->hcat + (size_t)m * H, MH, WF + (size_t)m * H, MH, 0.0f,
            ws->fa + (size_t)m * ws->cap * H, H);
  for (int i = 0; i < B; i++) {
    float *DM_RESTRICT f = ws->fs + (size_t)i * H;
    for (int j = 0; j < H; j++) f[j] = bF[j];
    add_shares_relu(f, ws, i, M, H);
  }
  const float *W = theta + net->off_spost;
  dm_dense_forward(B, H, 2 * D, ws->fs, H, W, W + (size_t)2 * D * H, ws->sp, 2 * D,
                   DM_ACT_NONE);
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

/* Samples (or means) of every code, the product of experts, head outputs
 * and logits. row0: position of the shard's first row in the batch. */
static void forward_heads(const dm_dmil *net, const float *theta, int B,
                          struct dmil_ws *ws, uint64_t key, int row0) {
  const dm_dmil_arch *a = &net->a;
  const int M = a->M, D = a->D, K = a->K;
  const int variational = net->loss.variational;
  const int C = 2 * M + 2;
  float *e_all = ws->noise;
  for (int i = 0; i < B; i++) {
    if (variational) {
      dm_rng r;
      dm_rng_init(&r, dm_rng_derive(key, (uint64_t)(row0 + i)));
      dm_rng_normals(&r, e_all, C * D);
    } else {
      for (int k = 0; k < C * D; k++) e_all[k] = 0.0f;
    }
    for (int c = 0; c < C; c++)
      memcpy(zbuf(ws, ws->eps, c, D) + (size_t)i * D, e_all + (size_t)c * D, sizeof(float) * D);
    /* per-view and synergy codes */
    for (int c = 0; c < C; c++) {
      if (c == CODE_BAR) continue;
      const float *DM_RESTRICT row = code_row(net, ws, c, i);
      const float *DM_RESTRICT e = e_all + (size_t)c * D;
      float *DM_RESTRICT z = zbuf(ws, ws->z, c, D) + (size_t)i * D;
      float *DM_RESTRICT sd = zbuf(ws, ws->sd, c, D) + (size_t)i * D;
      for (int k = 0; k < D; k++) {
        sd[k] = expf(0.5f * clampf(row[D + k], LOGVAR_MIN, LOGVAR_MAX));
        z[k] = row[k] + sd[k] * e[k];
      }
    }
    /* product of experts of the redundant codes */
    float *DM_RESTRICT tau = ws->tau + (size_t)i * D, *DM_RESTRICT mb = ws->mubar + (size_t)i * D;
    float *DM_RESTRICT zb = zbuf(ws, ws->z, CODE_BAR, D) + (size_t)i * D;
    const float *DM_RESTRICT e = e_all + (size_t)CODE_BAR * D;
    for (int k = 0; k < D; k++) {
      float t = 0.0f, s_ = 0.0f;
      for (int m = 0; m < M; m++) {
        const float *row = code_row(net, ws, CODE_R(m), i);
        const float sd = zbuf(ws, ws->sd, CODE_R(m), D)[(size_t)i * D + k];
        const float w = 1.0f / (sd * sd);
        t += w;
        s_ += w * row[k];
      }
      tau[k] = t;
      mb[k] = s_ / t;
      zb[k] = s_ / t + e[k] / sqrtf(t);
    }
  }
  const float *WR = theta + net->off_ar, *WS = theta + net->off_as, *b = theta + net->off_b;
  const size_t cK = (size_t)ws->cap * K;
  for (int m = 0; m < M; m++) {
    dm_gemm(0, 1, B, K, D, 1.0f, zbuf(ws, ws->z, CODE_R(m), D), D, WR, D, 0.0f,
            ws->lrm + m * cK, K);
    dm_gemm(0, 1, B, K, D, 1.0f, zbuf(ws, ws->z, CODE_U(m), D), D, theta + net->off_au[m], D,
            0.0f, ws->au + m * cK, K);
  }
  dm_gemm(0, 1, B, K, D, 1.0f, zbuf(ws, ws->z, CODE_BAR, D), D, WR, D, 0.0f, ws->arbar, K);
  dm_gemm(0, 1, B, K, D, 1.0f, zbuf(ws, ws->z, CODE_S, D), D, WS, D, 0.0f, ws->as, K);
  for (int i = 0; i < B; i++)
    for (int k = 0; k < K; k++) {
      const size_t ik = (size_t)i * K + k;
      double add = ws->arbar[ik] + b[k];
      for (int m = 0; m < M; m++) {
        ws->lrm[m * cK + ik] += b[k];
        ws->lm[m * cK + ik] = ws->lrm[m * cK + ik] + ws->au[m * cK + ik];
        add += ws->au[m * cK + ik];
      }
      ws->l[ik] = (float)(add + ws->as[ik]);
    }
}

/* ---- per-sample loss and gradient up to the posterior outputs ----------- */

/* KL(N(mu, exp(lv)) || N(0, 1)) and its gradient; sd = exp(lv / 2). */
static double kl_std_normal(float mu, float lv, float sd, float *dmu, float *dlv, float coef) {
  const double ev = (double)sd * sd;
  *dmu += coef * mu;
  *dlv += (float)(coef * 0.5 * (ev - 1.0));
  return 0.5 * (ev + (double)mu * mu - 1.0 - lv);
}

static double sample_losses(const dm_dmil *net, const float *theta,
                            const dm_data *data, const int *rows, int B,
                            struct dmil_ws *ws, float scale, float *grad) {
  const dm_dmil_arch *a = &net->a;
  const dm_dmil_loss *L = &net->loss;
  const int M = a->M, D = a->D, K = a->K;
  const size_t cK = (size_t)ws->cap * K, cD = (size_t)ws->cap * D;
  const float bs = net->beta_scale;
  double total = 0.0;
  int *lab = ws->labels;
  for (int i = 0; i < B; i++) lab[i] = data->y[rows[i]];
  memset(ws->dau, 0, sizeof(float) * M * cK);
  memset(ws->dlrm, 0, sizeof(float) * M * cK);
  memset(ws->das, 0, sizeof(float) * cK);
  memset(ws->dladd, 0, sizeof(float) * cK);
  memset(ws->drp, 0, sizeof(float) * M * 2 * cD);
  memset(ws->dup, 0, sizeof(float) * M * 2 * cD);
  memset(ws->dsp, 0, sizeof(float) * 2 * cD);

  /* Cross-entropies, one row at a time (weights differ per row). */
  for (int i = 0; i < B; i++) {
    const int row = rows[i];
    const size_t ik = (size_t)i * K;
    float *dl = ws->dl; /* K scratch */
    if (L->c_full != 0) {
      float c = L->c_full * (L->w_full ? L->w_full[row] : 1.0f);
      total += c * dm_softmax_ce(1, K, ws->l + ik, K, lab + i, NULL, c * scale, dl, K, 0);
      for (int k = 0; k < K; k++) {
        ws->das[ik + k] += dl[k];
        ws->dladd[ik + k] += dl[k];
      }
    }
    if (L->c_syn_sg != 0) {
      float c = L->c_syn_sg * (L->w_syn ? L->w_syn[row] : 1.0f);
      total += c * dm_softmax_ce(1, K, ws->l + ik, K, lab + i, NULL, c * scale, dl, K, 0);
      for (int k = 0; k < K; k++) ws->das[ik + k] += dl[k]; /* sg(l_add) */
    }
    for (int m = 0; m < M; m++) {
      if (L->c_uni != 0) {
        float c = L->c_uni / M;
        total += c * dm_softmax_ce(1, K, ws->lm + m * cK + ik, K, lab + i, NULL, c * scale, dl, K, 0);
        for (int k = 0; k < K; k++) {
          ws->dau[m * cK + ik + k] += dl[k];
          ws->dlrm[m * cK + ik + k] += dl[k];
        }
      }
      if (L->c_uni_sg != 0) {
        float c = L->c_uni_sg * (L->w_uni ? L->w_uni[(size_t)row * M + m] : 1.0f);
        total += c * dm_softmax_ce(1, K, ws->lm + m * cK + ik, K, lab + i, NULL, c * scale, dl, K, 0);
        for (int k = 0; k < K; k++) ws->dau[m * cK + ik + k] += dl[k]; /* sg(l_R^m) */
      }
      if (L->c_red != 0) {
        float c = L->c_red / M * (L->w_red ? L->w_red[row] : 1.0f);
        total += c * dm_softmax_ce(1, K, ws->lrm + m * cK + ik, K, lab + i, NULL, c * scale, dl, K, 0);
        for (int k = 0; k < K; k++) ws->dlrm[m * cK + ik + k] += dl[k];
      }
    }
  }
  /* Route logit gradients to the heads and the bias. */
  float *db = grad + net->off_b;
  for (int i = 0; i < B; i++)
    for (int k = 0; k < K; k++) {
      const size_t ik = (size_t)i * K + k;
      /* l_add feeds a_Rbar, every a_U^m and b; l_R^m feeds a_R^m and b */
      float g = ws->dladd[ik];
      db[k] += g;
      for (int m = 0; m < M; m++) {
        ws->dau[m * cK + ik] += g;
        db[k] += ws->dlrm[m * cK + ik];
      }
    }
  /* Heads: dW += dA^T z, dz = dA W. */
  const float *WR = theta + net->off_ar, *WS = theta + net->off_as;
  for (int m = 0; m < M; m++) {
    dm_gemm(1, 0, K, D, B, 1.0f, ws->dlrm + m * cK, K, zbuf(ws, ws->z, CODE_R(m), D), D, 1.0f,
            grad + net->off_ar, D);
    dm_gemm(0, 0, B, D, K, 1.0f, ws->dlrm + m * cK, K, WR, D, 0.0f, zbuf(ws, ws->dz, CODE_R(m), D), D);
    dm_gemm(1, 0, K, D, B, 1.0f, ws->dau + m * cK, K, zbuf(ws, ws->z, CODE_U(m), D), D, 1.0f,
            grad + net->off_au[m], D);
    dm_gemm(0, 0, B, D, K, 1.0f, ws->dau + m * cK, K, theta + net->off_au[m], D, 0.0f,
            zbuf(ws, ws->dz, CODE_U(m), D), D);
  }
  dm_gemm(1, 0, K, D, B, 1.0f, ws->dladd, K, zbuf(ws, ws->z, CODE_BAR, D), D, 1.0f,
          grad + net->off_ar, D);
  dm_gemm(0, 0, B, D, K, 1.0f, ws->dladd, K, WR, D, 0.0f, zbuf(ws, ws->dz, CODE_BAR, D), D);
  dm_gemm(1, 0, K, D, B, 1.0f, ws->das, K, zbuf(ws, ws->z, CODE_S, D), D, 1.0f,
          grad + net->off_as, D);
  dm_gemm(0, 0, B, D, K, 1.0f, ws->das, K, WS, D, 0.0f, zbuf(ws, ws->dz, CODE_S, D), D);

  /* Latent terms per row: reparameterisation, product of experts, KL,
   * alignment. Gradients are taken w.r.t. the clamped log-variance and
   * passed to the raw one where the clamp is inactive. */
  const int npairs = M * (M - 1) / 2;
  const float c_align = L->c_align * scale / (npairs > 0 ? npairs : 1);
  for (int i = 0; i < B; i++) {
    for (int k = 0; k < D; k++) {
      /* product of experts backward */
      const double t = ws->tau[(size_t)i * D + k], mub = ws->mubar[(size_t)i * D + k];
      const double dzb = zbuf(ws, ws->dz, CODE_BAR, D)[(size_t)i * D + k];
      const double eb = zbuf(ws, ws->eps, CODE_BAR, D)[(size_t)i * D + k];
      const double dmub = dzb;
      const double dtau = dzb * eb * (-0.5) / (t * sqrt(t)) - dmub * mub / t;
      const double dS = dmub / t;
      for (int m = 0; m < M; m++) {
        float *row = code_row(net, ws, CODE_R(m), i);
        float *drow = ws->drp + ((size_t)m * ws->cap + i) * 2 * D;
        const float raw = row[D + k];
        const float lv = clampf(raw, LOGVAR_MIN, LOGVAR_MAX);
        const float sd = zbuf(ws, ws->sd, CODE_R(m), D)[(size_t)i * D + k];
        const double w = 1.0 / ((double)sd * sd);
        double dmu = dS * w;
        double dlv = -w * (dS * row[k] + dtau);
        /* own sample z_R^m */
        const double dz = zbuf(ws, ws->dz, CODE_R(m), D)[(size_t)i * D + k];
        const double e = zbuf(ws, ws->eps, CODE_R(m), D)[(size_t)i * D + k];
        dmu += dz;
        dlv += dz * e * 0.5 * sd;
        float fdmu = (float)dmu, fdlv = (float)dlv;
        if (L->beta_R != 0) total += L->beta_R * bs * kl_std_normal(row[k], lv, sd, &fdmu, &fdlv, L->beta_R * bs * scale);
        drow[k] += fdmu;
        if (raw > LOGVAR_MIN && raw < LOGVAR_MAX) drow[D + k] += fdlv;
      }
      /* alignment of the views' redundant posteriors */
      if (L->c_align != 0)
        for (int p = 0; p < M; p++)
          for (int q = p + 1; q < M; q++) {
            float *rp_ = code_row(net, ws, CODE_R(p), i), *rq = code_row(net, ws, CODE_R(q), i);
            float *dp = ws->drp + ((size_t)p * ws->cap + i) * 2 * D;
            float *dq = ws->drp + ((size_t)q * ws->cap + i) * 2 * D;
            const float la = clampf(rp_[D + k], LOGVAR_MIN, LOGVAR_MAX);
            const float lb = clampf(rq[D + k], LOGVAR_MIN, LOGVAR_MAX);
            const double diff = (double)rp_[k] - rq[k];
            const double ea = exp(-(double)la), eb2 = exp(-(double)lb);
            const double rab = exp((double)la - lb), rba = 1.0 / rab;
            total += L->c_align / (npairs > 0 ? npairs : 1) *
                     0.25 * (rab + rba + diff * diff * (ea + eb2) - 2.0);
            dp[k] += (float)(c_align * 0.5 * diff * (ea + eb2));
            dq[k] -= (float)(c_align * 0.5 * diff * (ea + eb2));
            if (rp_[D + k] > LOGVAR_MIN && rp_[D + k] < LOGVAR_MAX)
              dp[D + k] += (float)(c_align * 0.25 * (rab - rba - diff * diff * ea));
            if (rq[D + k] > LOGVAR_MIN && rq[D + k] < LOGVAR_MAX)
              dq[D + k] += (float)(c_align * 0.25 * (rba - rab - diff * diff * eb2));
          }
      /* unique and synergy codes */
      for (int c = 0; c < 2 * M + 2; c++) {
        if (c < M || c == CODE_BAR) continue;
        float *row = code_row(net, ws, c, i);
        float *drow = c == CODE_S ? ws->dsp + (size_t)i * 2 * D
                                  : ws->dup + ((size_t)(c - M) * ws->cap + i) * 2 * D;
        const float raw = row[D + k];
        const float lv = clampf(raw, LOGVAR_MIN, LOGVAR_MAX);
        const double dz = zbuf(ws, ws->dz, c, D)[(size_t)i * D + k];
        const double e = zbuf(ws, ws->eps, c, D)[(size_t)i * D + k];
        const float sd = zbuf(ws, ws->sd, c, D)[(size_t)i * D + k];
        float fdmu = (float)dz, fdlv = (float)(dz * e * 0.5 * sd);
        const float beta = c == CODE_S ? L->beta_S : L->beta_U;
        if (beta != 0) total += beta * bs * kl_std_normal(row[k], lv, sd, &fdmu, &fdlv, beta * bs * scale);
        drow[k] += fdmu;
        if (raw > LOGVAR_MIN && raw < LOGVAR_MAX) drow[D + k] += fdlv;
      }
    }
  }
  return total;
}

/* ---- batch-level orthogonality of redundant and unique means ------------ */

/* Adds the term's gradient to the shards' posterior gradients; returns its
 * value times nb. */
static double orth_term(dm_dmil *net, const int *starts, int ns, int nb) {
  const dm_dmil_arch *a = &net->a;
  const int M = a->M, D = a->D;
  const float c = net->loss.c_orth;
  if (c == 0 || nb < 2) return 0.0;
  double total = 0.0;
  float *sd = net->orth_ws, *mA = sd + 2 * D, *C = mA + 2 * D;
  float *X[2] = {net->bmu_r, net->bmu_u}, *G[2] = {net->bgrad_r, net->bgrad_u};
  for (int m = 0; m < M; m++) {
    /* Gather the batch's means and standardise each dimension in place. */
    for (int s = 0; s < ns; s++) {
      struct dmil_ws *ws = &net->ws[s];
      for (int i = starts[s]; i < starts[s + 1]; i++) {
        const int li = i - starts[s];
        memcpy(X[0] + (size_t)i * D, ws->rp + ((size_t)m * ws->cap + li) * 2 * D, sizeof(float) * D);
        memcpy(X[1] + (size_t)i * D, ws->up + ((size_t)m * ws->cap + li) * 2 * D, sizeof(float) * D);
      }
    }
    for (int t = 0; t < 2; t++)
      for (int k = 0; k < D; k++) {
        double s1 = 0.0, s2 = 0.0;
        for (int i = 0; i < nb; i++) s1 += X[t][(size_t)i * D + k];
        const double mu = s1 / nb;
        for (int i = 0; i < nb; i++) {
          const double d = X[t][(size_t)i * D + k] - mu;
          s2 += d * d;
        }
        const double sdk = sqrt(s2 / nb + 1e-6);
        sd[t * D + k] = (float)sdk;
        for (int i = 0; i < nb; i++)
          X[t][(size_t)i * D + k] = (float)((X[t][(size_t)i * D + k] - mu) / sdk);
      }
    /* C = A^T B / nb; the loss is c |C|_F^2. */
    dm_gemm(1, 0, D, D, nb, 1.0f / nb, X[0], D, X[1], D, 0.0f, C, D);
    double fro = 0.0;
    for (int k = 0; k < D * D; k++) fro += (double)C[k] * C[k];
    total += c * fro;
    /* dL/dA = (2c/nb) B C^T, dL/dB = (2c/nb) A C; then back through the
     * standardisation, per dimension: dx = (da - mean(da) - a mean(da a)) / sd. */
    dm_gemm(0, 1, nb, D, D, 2.0f * c / nb, X[1], D, C, D, 0.0f, G[0], D);
    dm_gemm(0, 0, nb, D, D, 2.0f * c / nb, X[0], D, C, D, 0.0f, G[1], D);
    for (int t = 0; t < 2; t++) {
      for (int k = 0; k < 2 * D; k++) mA[k] = 0.0f;
      for (int i = 0; i < nb; i++)
        for (int k = 0; k < D; k++) {
          const float g = G[t][(size_t)i * D + k];
          mA[k] += g / nb;
          mA[D + k] += g * X[t][(size_t)i * D + k] / nb;
        }
      for (int i = 0; i < nb; i++)
        for (int k = 0; k < D; k++) {
          float *g = &G[t][(size_t)i * D + k];
          *g = (*g - mA[k] - X[t][(size_t)i * D + k] * mA[D + k]) / sd[t * D + k];
        }
    }
    /* Scatter into the shards' posterior gradients (mean part). */
    for (int s = 0; s < ns; s++) {
      struct dmil_ws *ws = &net->ws[s];
      for (int i = starts[s]; i < starts[s + 1]; i++) {
        const int li = i - starts[s];
        float *dr = ws->drp + ((size_t)m * ws->cap + li) * 2 * D;
        float *du = ws->dup + ((size_t)m * ws->cap + li) * 2 * D;
        for (int k = 0; k < D; k++) {
          dr[k] += G[0][(size_t)i * D + k];
          du[k] += G[1][(size_t)i * D + k];
        }
      }
    }
  }
  return total * nb;
}

/* ---- backward through the posterior layers, fusion and encoders -------- */

static void backward_trunk(const dm_dmil *net, const float *theta, int B,
                           struct dmil_ws *ws, float *grad) {
  const dm_dmil_arch *a = &net->a;
  const int M = a->M, H = a->H, D = a->D, MH = M * H;
  memset(ws->dhcat, 0, sizeof(float) * (size_t)B * MH);
  for (int m = 0; m < M; m++) {
    for (int pass = 0; pass < 2; pass++) {
      const size_t off = pass ? net->off_upost[m] : net->off_rpost[m];
      float *Y = (pass ? ws->up : ws->rp) + (size_t)m * ws->cap * 2 * D;
      float *dY = (pass ? ws->dup : ws->drp) + (size_t)m * ws->cap * 2 * D;
      dm_dense_backward(B, H, 2 * D, ws->hcat + (size_t)m * H, MH, theta + off, Y, 2 * D, dY,
                        2 * D, grad + off, grad + off + (size_t)2 * D * H, ws->tmp, H, 1,
                        DM_ACT_NONE);
      for (int i = 0; i < B; i++)
        for (int j = 0; j < H; j++) ws->dhcat[(size_t)i * MH + m * H + j] += ws->tmp[(size_t)i * H + j];
    }
  }
  dm_dense_backward(B, H, 2 * D, ws->fs, H, theta + net->off_spost, ws->sp, 2 * D, ws->dsp, 2 * D,
                    grad + net->off_spost, grad + net->off_spost + (size_t)2 * D * H, ws->dfs, H, 1,
                    DM_ACT_NONE);
  dm_mlp_backward(&net->fuse, theta, B, ws->hcat, MH, NULL, ws->fs, H, ws->dfs, H, grad,
                  ws->tmp, MH, ws->scratch);
  for (size_t k = 0; k < (size_t)B * MH; k++) ws->dhcat[k] += ws->tmp[k];
  for (int m = 0; m < M; m++) {
    float *x = ws->xin + ws->xin_off[m];
    dm_mlp_backward(&net->enc[m], theta, B, x, a->dims[m], ws->eacts + ws->act_off[m],
                    ws->hcat + (size_t)m * H, MH, ws->dhcat + (size_t)m * H, MH, grad, NULL, 0,
                    ws->scratch);
  }
}

/* ---- functional-ANOVA penalty on the synergy head ------------------------ */

/* For each row i of the shard and view m, P partners j from the whole batch:
 * the synergy head's output at posterior means with view m of i replaced
 * by that of j, averaged over the partners, should vanish. Encodings enter
 * as constants: the penalty shapes the synergy channel only.
 * The fusion layer is linear before its ReLU, so a partner row's
 * pre-activation is sum_m' W_Fm' h_im' - W_Fm h_im + W_Fm h_jm + b_F, made of
 * shares every row has computed already; and its weight gradient
 * sum_rows df_row [h_row]^T collects, block by block, into one gradient row
 * per batch sample: the shard's scatter buffer sb, which anova_weight_grad()
 * sums over shards and multiplies with the batch's encodings. */
static double anova_term(dm_dmil *net, const float *theta, const int *starts,
                         int nb, int s, uint64_t key, float *grad) {
  const dm_dmil_arch *a = &net->a;
  const dm_dmil_loss *L = &net->loss;
  const int M = a->M, H = a->H, D = a->D, K = a->K, MH = M * H, P = L->partners;
  struct dmil_ws *ws = &net->ws[s];
  const int B = starts[s + 1] - starts[s];
  const int R = B * M * P;
  if (L->c_anova == 0) return 0.0;
  const float *bF = theta + net->fuse.offset + (size_t)H * MH;
  /* Partner rows' fusion outputs. */
  for (int i = 0; i < B; i++) {
    dm_rng r;
    dm_rng_init(&r, dm_rng_derive(key, (uint64_t)nb + starts[s] + i));
    for (int m = 0; m < M; m++)
      for (int p = 0; p < P; p++) {
        const int j = (int)dm_rng_below(&r, (uint32_t)nb);
        int sj = 0;
        while (j >= starts[sj + 1]) sj++;
        const struct dmil_ws *wj = &net->ws[sj];
        const float *DM_RESTRICT own = ws->fa + ((size_t)m * ws->cap + i) * H;
        const float *DM_RESTRICT other = wj->fa + ((size_t)m * wj->cap + (j - starts[sj])) * H;
        float *DM_RESTRICT f = ws->pf + ((size_t)(i * M + m) * P + p) * H;
        for (int k = 0; k < H; k++) f[k] = bF[k] + other[k] - own[k];
        add_shares_relu(f, ws, i, M, H);
      }
  }
  const float *Wsp = theta + net->off_spost;
  dm_dense_forward(R, H, D, ws->pf, H, Wsp, Wsp + (size_t)2 * D * H, ws->pmu, D, DM_ACT_NONE);
  dm_gemm(0, 1, R, K, D, 1.0f, ws->pmu, D, theta + net->off_as, D, 0.0f, ws->pa, K);
  double total = 0.0;
  const double coef = (double)L->c_anova / ((double)nb * M);
  for (int im = 0; im < B * M; im++) {
    float *g = ws->g; /* K */
    for (int k = 0; k < K; k++) {
      double s_ = 0.0;
      for (int p = 0; p < P; p++) s_ += ws->pa[((size_t)im * P + p) * K + k];
      g[k] = (float)(s_ / P);
      total += coef * g[k] * g[k];
    }
    for (int p = 0; p < P; p++)
      for (int k = 0; k < K; k++)
        ws->dpa[((size_t)im * P + p) * K + k] = (float)(2.0 * coef * g[k] / P);
  }
  dm_gemm(1, 0, K, D, R, 1.0f, ws->dpa, K, ws->pmu, D, 1.0f, grad + net->off_as, D);
  dm_gemm(0, 0, R, D, K, 1.0f, ws->dpa, K, theta + net->off_as, D, 0.0f, ws->dpmu, D);
  /* Only the mean rows of the synergy posterior layer are involved; the
   * ReLU mask of the fusion output applies to dpf. */
  dm_dense_backward(R, H, D, ws->pf, H, Wsp, ws->pmu, D, ws->dpmu, D, grad + net->off_spost,
                    grad + net->off_spost + (size_t)2 * D * H, ws->dpf, H, 1, DM_ACT_NONE);
  /* Scatter the pre-activation gradients: row (i, m <- j) puts its
   * gradient on block m of sample j and on the other blocks of sample i. */
  float *gW = grad + net->fuse.offset, *gb = gW + (size_t)H * MH;
  memset(ws->sb, 0, sizeof(float) * (size_t)M * nb * H);
  for (int i = 0; i < B; i++) {
    dm_rng r;
    dm_rng_init(&r, dm_rng_derive(key, (uint64_t)nb + starts[s] + i));
    const int gi = starts[s] + i;
    for (int m = 0; m < M; m++)
      for (int p = 0; p < P; p++) {
        const int j = (int)dm_rng_below(&r, (uint32_t)nb);
        const size_t row = (size_t)(i * M + m) * P + p;
        float *DM_RESTRICT d = ws->dpf + row * H;
        const float *DM_RESTRICT f = ws->pf + row * H;
#pragma omp simd
        for (int k = 0; k < H; k++) d[k] = f[k] > 0.0f ? d[k] : 0.0f;
        for (int k = 0; k < H; k++) gb[k] += d[k];
        for (int b = 0; b < M; b++) {
          float *DM_RESTRICT dst = ws->sb + ((size_t)b * nb + (b == m ? j : gi)) * H;
#pragma omp simd
          for (int k = 0; k < H; k++) dst[k] += d[k];
        }
      }
  }
  return total * nb;
}

/* The fusion weight gradient of the ANOVA term, added to grad: block b is
 * (sum over shards of the scatter buffers' block b)^T times the batch's
 * view-b encodings hall (nb x M*H). One product per view for the whole
 * batch; views run in parallel (disjoint columns of grad). */
static void anova_weight_grad(dm_dmil *net, int ns, int nb, const float *hall, float *grad,
                              int nthreads) {
  const int M = net->a.M, H = net->a.H, MH = M * H;
  float *gW = grad + net->fuse.offset;
  int nt = DM_MIN(nthreads, M);
  (void)nt;
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int b = 0; b < M; b++) {
    float *DM_RESTRICT acc = net->ws[0].sb + (size_t)b * nb * H;
    for (int s = 1; s < ns; s++) {
      const float *DM_RESTRICT part = net->ws[s].sb + (size_t)b * nb * H;
#pragma omp simd
      for (size_t k = 0; k < (size_t)nb * H; k++) acc[k] += part[k];
    }
    dm_gemm(1, 0, H, H, nb, 1.0f, acc, H, hall + (size_t)b * H, MH, 1.0f, gW + (size_t)b * H, MH);
  }
}

/* ---- the model interface ------------------------------------------------ */

static dm_status dmil_batch_grad(void *self, const float *theta,
                                 const dm_data *data, const int *rows, int nb,
                                 float *grad, double *loss_sum, uint64_t key,
                                 int nthreads) {
  dm_dmil *net = self;
  /* the partner buffers hold at most max_partners per row */
  if (net->loss.c_anova != 0 && (net->loss.partners < 1 || net->loss.partners > net->max_partners))
    return DM_ERR_ARG;
  int starts[DM_MAX_SHARDS + 1];
  const int ns = dm_shard_plan(nb, starts);
  double part[DM_MAX_SHARDS], part2[DM_MAX_SHARDS];
  float *parts[DM_MAX_SHARDS];
  const float scale = 1.0f / (float)nb;
  const uint64_t sample_key = dm_rng_derive(key, 1), anova_key = dm_rng_derive(key, 2);
  int nt = DM_MIN(nthreads, ns);
  (void)nt;
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int s = 0; s < ns; s++) {
    struct dmil_ws *ws = &net->ws[s];
    const int B = starts[s + 1] - starts[s];
    memset(ws->grad, 0, sizeof(float) * net->n_params);
    forward_trunk(net, theta, data, rows + starts[s], B, ws);
    forward_heads(net, theta, B, ws, sample_key, starts[s]);
    part[s] = sample_losses(net, theta, data, rows + starts[s], B, ws, scale, ws->grad);
    parts[s] = ws->grad;
  }
  const double orth = orth_term(net, starts, ns, nb);
  /* The batch's encodings side by side, for the ANOVA term's gradient. */
  const int MH = net->a.M * net->a.H;
  if (net->loss.c_anova != 0)
    for (int s = 0; s < ns; s++)
      memcpy(net->bhall + (size_t)starts[s] * MH, net->ws[s].hcat,
             sizeof(float) * (size_t)(starts[s + 1] - starts[s]) * MH);
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int s = 0; s < ns; s++) {
    struct dmil_ws *ws = &net->ws[s];
    const int B = starts[s + 1] - starts[s];
    backward_trunk(net, theta, B, ws, ws->grad);
    part2[s] = anova_term(net, theta, starts, nb, s, anova_key, ws->grad);
  }
  if (net->loss.c_anova != 0) anova_weight_grad(net, ns, nb, net->bhall, net->ws[0].grad, nthreads);
  double total = orth;
  for (int s = 0; s < ns; s++) total += part[s] + part2[s];
  *loss_sum = total;
  dm_reduce_shards(grad, parts, ns, net->n_params, nthreads);
  return DM_OK;
}

/* Posterior-mean evaluation of one chunk (rows already in ws via
 * forward_trunk). */
static void eval_chunk(const dm_dmil *net, const float *theta, int B,
                       struct dmil_ws *ws, const unsigned char *present,
                       float *logits, float *comps) {
  const dm_dmil_arch *a = &net->a;
  const int M = a->M, D = a->D, K = a->K;
  const float *WR = theta + net->off_ar, *WS = theta + net->off_as, *b = theta + net->off_b;
  float *mub = ws->mubar;
  for (int i = 0; i < B; i++) {
    const unsigned char *pr = present ? present + (size_t)i * M : NULL;
    for (int k = 0; k < D; k++) {
      double t = 0.0, s = 0.0;
      for (int m = 0; m < M; m++) {
        if (pr && !pr[m]) continue;
        const float *row = code_row(net, ws, CODE_R(m), i);
        const double w = exp(-(double)clampf(row[D + k], LOGVAR_MIN, LOGVAR_MAX));
        t += w;
        s += w * row[k];
      }
      mub[(size_t)i * D + k] = t > 0 ? (float)(s / t) : 0.0f;
    }
  }
  dm_gemm(0, 1, B, K, D, 1.0f, mub, D, WR, D, 0.0f, ws->arbar, K);
  /* means of the unique and synergy codes are the first D of each row */
  for (int m = 0; m < M; m++)
    dm_gemm(0, 1, B, K, D, 1.0f, ws->up + (size_t)m * ws->cap * 2 * D, 2 * D,
            theta + net->off_au[m], D, 0.0f, ws->au + (size_t)m * ws->cap * K, K);
  dm_gemm(0, 1, B, K, D, 1.0f, ws->sp, 2 * D, WS, D, 0.0f, ws->as, K);
  for (int i = 0; i < B; i++) {
    const unsigned char *pr = present ? present + (size_t)i * M : NULL;
    int all = 1;
    if (pr)
      for (int m = 0; m < M; m++) all &= pr[m] != 0;
    for (int k = 0; k < K; k++) {
      const size_t ik = (size_t)i * K + k;
      double l = ws->arbar[ik] + b[k];
      float *cp = comps ? comps + (size_t)i * (M + 3) * K : NULL;
      if (cp) cp[k] = ws->arbar[ik];
      for (int m = 0; m < M; m++) {
        float u = (pr && !pr[m]) ? 0.0f : ws->au[(size_t)m * ws->cap * K + ik];
        l += u;
        if (cp) cp[(size_t)(1 + m) * K + k] = u;
      }
      float sy = all ? ws->as[ik] : 0.0f;
      l += sy;
      if (cp) {
        cp[(size_t)(1 + M) * K + k] = sy;
        cp[(size_t)(2 + M) * K + k] = b[k];
      }
      logits[ik] = (float)l;
    }
  }
}

void dm_dmil_predict(dm_dmil *net, const float *theta, const dm_data *data,
                     const int *rows, int n, const unsigned char *present,
                     float *logits, float *comps, int nthreads) {
  const int M = net->a.M, K = net->a.K;
  const int cap = EVAL_ROWS;
  const int n_chunks = (n + cap - 1) / cap;
  int nt = DM_MIN(DM_MIN(nthreads, net->n_ws), n_chunks);
  if (nt < 1) nt = 1;
#pragma omp parallel for num_threads(nt) schedule(static, 1)
  for (int c = 0; c < n_chunks; c++) {
    struct dmil_ws *ws = &net->ws[omp_get_thread_num()];
    const int start = c * cap, B = DM_MIN(cap, n - start);
    forward_trunk(net, theta, data, rows + start, B, ws);
    eval_chunk(net, theta, B, ws, present ? present + (size_t)start * M : NULL,
               logits + (size_t)start * K,
               comps ? comps + (size_t)start * (M + 3) * K : NULL);
  }
}

static void dmil_logits(void *self, const float *theta, const dm_data *data,
                        const int *rows, int n, float *out, int nthreads) {
  dm_dmil_predict(self, theta, data, rows, n, NULL, out, NULL, nthreads);
}

static void dmil_epoch_begin(void *self, int epoch) {
  dm_dmil *net = self;
  const int w = net->loss.warmup_epochs;
  net->beta_scale = w > 0 && epoch < w ? (float)epoch / (float)w : 1.0f;
}

dm_model dm_dmil_model(dm_dmil *net) {
  dm_model m;
  m.self = net;
  m.n_params = net->n_params;
  m.K = net->a.K;
  m.batch_grad = dmil_batch_grad;
  m.logits = dmil_logits;
  m.evaluate = NULL;
  m.epoch_begin = dmil_epoch_begin;
  return m;
}
