/* dmil_layout.c -- where each parameter of the DMIL network lives, its
 * workspaces, initialisation and learning-rate groups. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_block.h"
#include "dm_dmil_impl.h"
#include "dm_layer.h"
#include "dm_rng.h"

const char *const dm_dmil_group_names[DM_DMIL_N_GROUPS] = {
    "enc", "rpost", "upost", "fuse", "spost", "ar", "au", "as", "bias"};

size_t dm_dmil_layout(const dm_dmil_arch *a, dm_dmil_block *blocks) {
  if (a->M < 2 || a->K < 2 || a->H < 1 || a->D < 1 || a->depth < 1) return 0;
  const int M = a->M;
  const size_t H = a->H, D = a->D, K = a->K, post = 2 * D * (H + 1);
  size_t off = 0;
  int n = 0;
#define BLOCK(g, v, len)                                    \
  do {                                                      \
    blocks[n++] = (dm_dmil_block){(g), (v), off, (len)};    \
    off += (len);                                           \
  } while (0)
  for (int m = 0; m < M; m++) {
    dm_mlp e;
    if (dm_mlp_setup(&e, a->dims[m], a->H, a->depth, a->H, DM_ACT_RELU, 0) != DM_OK) return 0;
    BLOCK(DM_DMIL_ENC, m, e.n_params);
  }
  for (int m = 0; m < M; m++) {
    BLOCK(DM_DMIL_RPOST, m, post);
    BLOCK(DM_DMIL_UPOST, m, post);
  }
  BLOCK(DM_DMIL_FUSE, -1, H * (M * H + 1));
  BLOCK(DM_DMIL_SPOST, -1, post);
  BLOCK(DM_DMIL_AR, -1, K * D);
  for (int m = 0; m < M; m++) BLOCK(DM_DMIL_AU, m, K * D);
  BLOCK(DM_DMIL_AS, -1, K * D);
  BLOCK(DM_DMIL_BIAS, -1, K);
#undef BLOCK
  return off;
}

size_t dm_dmil_param_count(const dm_dmil_arch *a) {
  if (a->M < 2) return 0;
  dm_dmil_block *blocks = malloc(sizeof(dm_dmil_block) * DM_DMIL_N_BLOCKS(a->M));
  if (!blocks) return 0;
  const size_t n = dm_dmil_layout(a, blocks);
  free(blocks);
  return n;
}

/* The passes' views of the table: encoder and fusion layers set up at their
 * blocks' offsets, the other blocks' offsets by view. */
static void read_layout(dm_dmil *net) {
  const dm_dmil_arch *a = &net->a;
  const int M = a->M;
  for (int j = 0; j < DM_DMIL_N_BLOCKS(M); j++) {
    const dm_dmil_block *b = &net->blocks[j];
    switch (b->group) {
      case DM_DMIL_ENC:
        dm_mlp_setup(&net->enc[b->view], a->dims[b->view], a->H, a->depth, a->H, DM_ACT_RELU,
                     b->offset);
        break;
      case DM_DMIL_RPOST: net->off_rpost[b->view] = b->offset; break;
      case DM_DMIL_UPOST: net->off_upost[b->view] = b->offset; break;
      case DM_DMIL_FUSE:
        dm_mlp_setup(&net->fuse, M * a->H, a->H, 1, a->H, DM_ACT_RELU, b->offset);
        break;
      case DM_DMIL_SPOST: net->off_spost = b->offset; break;
      case DM_DMIL_AR: net->off_ar = b->offset; break;
      case DM_DMIL_AU: net->off_au[b->view] = b->offset; break;
      case DM_DMIL_AS: net->off_as = b->offset; break;
      default: net->off_b = b->offset; break;
    }
  }
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
      {&ws->arbar, cK}, {&ws->au, MK}, {&ws->as, cK}, {&ws->l_red, MK}, {&ws->l_view, MK},
      {&ws->l, cK},
      /* their gradients */
      {&ws->dau, MK}, {&ws->das, cK}, {&ws->dl_red, MK}, {&ws->dl_add, cK}, {&ws->dl, K},
      {&ws->dz, codes}, {&ws->drp, M * c * 2 * D}, {&ws->dup, M * c * 2 * D},
      {&ws->dsp, c * 2 * D}, {&ws->dfs, c * H}, {&ws->dhcat, c * M * H},
      {&ws->tmp, c * M * H}, {&ws->scratch, 2 * c * (size_t)maxdim},
      /* ANOVA partner rows */
      {&ws->fshare, M * c * H}, {&ws->part_f, R * H}, {&ws->part_mu, R * D}, {&ws->part_a, R * K},
      {&ws->dpart_a, R * K}, {&ws->dpart_mu, R * D}, {&ws->dpart_f, R * H}, {&ws->part_mean, K},
      {&ws->scatter, M * (size_t)net->bcap * H}, {&ws->noise, (2 * M + 2) * D},
      {&ws->grad, net->n_params}};
  ws->block = dm_carve(slots, (int)(sizeof(slots) / sizeof(slots[0])));
  ws->labels = malloc(sizeof(int) * (c + 1));
  ws->pres = malloc(c * M + 1);
  ws->all = malloc(c + 1);
  ws->pres_part = malloc(R + 1);
  if (!ws->block || !ws->labels || !ws->pres || !ws->all || !ws->pres_part) return DM_ERR_NOMEM;
  ws->cap = cap;
  return DM_OK;
}

void dm_dmil_destroy(dm_dmil *net) {
  if (net->ws)
    for (int w = 0; w < net->n_ws; w++) {
      free(net->ws[w].block);
      free(net->ws[w].labels);
      free(net->ws[w].pres);
      free(net->ws[w].all);
      free(net->ws[w].pres_part);
      free(net->ws[w].xin_off);
      free(net->ws[w].act_off);
    }
  free(net->ws);
  free(net->enc);
  free(net->off_rpost);
  free(net->off_upost);
  free(net->off_au);
  free(net->blocks);
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
  net->blocks = malloc(sizeof(dm_dmil_block) * DM_DMIL_N_BLOCKS(M));
  if (!net->dims || !net->enc || !net->off_rpost || !net->off_upost || !net->off_au ||
      !net->blocks) {
    dm_dmil_destroy(net);
    return DM_ERR_NOMEM;
  }
  memcpy(net->dims, a->dims, sizeof(int) * M);
  net->a.dims = net->dims;
  net->n_params = dm_dmil_layout(&net->a, net->blocks);
  read_layout(net);
  /* Defaults until the caller sets a loss: Phase A without extras. */
  net->loss.lambda_full = 1.0f;
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
  for (int j = 0; j < DM_DMIL_N_BLOCKS(net->a.M); j++) {
    const dm_dmil_block *b = &net->blocks[j];
    const float v = !(groups & b->group) ? 0.0f : b->group == DM_DMIL_ENC ? enc_mult : 1.0f;
    for (size_t k = 0; k < b->length; k++) mult[b->offset + k] = v;
  }
}
