/* dm_dmil.h -- the DMIL decomposition network (vignettes/method.Rmd,
 * sections 3 and 4).
 *
 * Per view m an encoder E_m (depth ReLU layers of H units) gives h_m. From
 * h_m two linear layers give diagonal Gaussian posteriors (mean and
 * log-variance, the latter clamped to [-8, 8]) over a redundant code
 * q_R^m and a unique code q_Um, each of dimension D. A fusion layer
 * f = ReLU(F [h_1; ...; h_M]) gives the synergy posterior q_S. The
 * redundant codes are fused by a product of experts q_R (precision-weighted).
 * Linear heads without bias map codes to K logits (a_R shared by all views,
 * a_Um per view, a_S), plus one bias b:
 *   l_R^m = a_R(z_R^m) + b                 redundancy from view m alone
 *   l_m   = l_R^m + a_Um(z_Um)             view m alone
 *   l_add = a_R(z_R) + sum_m a_Um(z_Um) + b
 *   l     = l_add + a_S(z_S)               the prediction
 * Training draws reparameterised samples z = mu + exp(lv / 2) eps (lv the log-variance);
 * evaluation uses posterior means.
 *
 * The loss (dm_dmil_loss) is a weighted sum of the terms of Phase A and of
 * the three fine-tuning stages of Phase C; terms with coefficient 0 cost
 * nothing. Per-sample weights, when given, are indexed by data row.
 *
 * Rows may lack views (data->present). A row's product of experts, l and
 * l_add then use the views it has; the terms of view m's own logits (l_R^m,
 * l_m), its codes' KL terms and its alignment pairs count only where m is
 * present, and so does its share of the orthogonality term (a batch-level
 * correlation over the rows with m); a_S(z_S), the synergy terms and the
 * ANOVA penalty only where every view is (an ANOVA partner counts only if it
 * has the view it lends). So an absent view's values reach neither the
 * loss nor the gradient, and its encoder, posterior layers, unique head and
 * the synergy channel get nothing from such rows. */
#ifndef DM_DMIL_H
#define DM_DMIL_H

#include "dm_common.h"
#include "dm_data.h"
#include "dm_mlp.h"
#include "dm_train.h"

typedef struct {
  int M;           /* views (>= 2) */
  int K;           /* classes */
  int H;           /* encoder width */
  int D;           /* code dimension */
  int depth;       /* encoder layers */
  const int *dims; /* features per view */
} dm_dmil_arch;

typedef struct {
  float lambda_full;   /* CE(y, l), weighted by w_full */
  float lambda_uni;    /* (1/M) sum_m CE(y, l_m) */
  float lambda_red;    /* (1/M) sum_m CE(y, l_R^m), weighted by w_red */
  float lambda_uni_sg; /* sum_m CE(y, sg(l_R^m) + a_Um(z_Um)), weighted by w_uni[m] */
  float lambda_syn_sg; /* CE(y, sg(l_add) + a_S(z_S)), weighted by w_syn */
  float lambda_align;  /* mean over view pairs of KLsym(q_R^m, q_R^m') */
  float beta_R, beta_U, beta_S; /* KL to N(0, I): sum_m, sum_m, once */
  float lambda_orth;   /* sum_m |corr_B(mu_R^m, mu_Um)|_F^2 (batch level) */
  float lambda_anova;  /* functional-ANOVA penalty on the synergy head */
  int partners;   /* P, partners per sample and view for the ANOVA term */
  int variational; /* 0: latents are their means, no sampling */
  int warmup_epochs; /* betas rise linearly from 0 over these epochs */
  const float *w_full, *w_red, *w_syn; /* per data row, or NULL (all 1) */
  const float *w_uni;                  /* data row x M, or NULL */
} dm_dmil_loss;

/* Parameter groups, for trainable subsets (dm_dmil_lr_mult); named by
 * dm_dmil_group_names, bit b by entry b. */
enum {
  DM_DMIL_ENC = 1 << 0,   /* encoders */
  DM_DMIL_RPOST = 1 << 1, /* redundant posterior layers */
  DM_DMIL_UPOST = 1 << 2, /* unique posterior layers */
  DM_DMIL_FUSE = 1 << 3,  /* fusion layer F */
  DM_DMIL_SPOST = 1 << 4, /* synergy posterior layer */
  DM_DMIL_AR = 1 << 5,    /* head a_R */
  DM_DMIL_AU = 1 << 6,    /* heads a_Um */
  DM_DMIL_AS = 1 << 7,    /* head a_S */
  DM_DMIL_BIAS = 1 << 8   /* bias b */
};
#define DM_DMIL_N_GROUPS 9
extern const char *const dm_dmil_group_names[DM_DMIL_N_GROUPS];

/* One block of the flat parameter vector: its group (one DM_DMIL_* bit),
 * the view it belongs to (-1 for shared blocks), offset and length. In
 * order: the encoders, then per view its redundant and unique posterior
 * layers, the fusion layer, the synergy posterior layer, a_R, the a_Um,
 * a_S and b. Counting, initialisation, learning-rate groups and R's view
 * of the weights all read this table. */
typedef struct {
  unsigned group;
  int view;
  size_t offset, length;
} dm_dmil_block;

/* Blocks of a network with M views. */
#define DM_DMIL_N_BLOCKS(M) (4 * (M) + 5)

/* Fills blocks[0 .. DM_DMIL_N_BLOCKS(a->M) - 1]; returns the number of
 * parameters, 0 for an invalid architecture. */
size_t dm_dmil_layout(const dm_dmil_arch *a, dm_dmil_block *blocks);

struct dmil_ws;

typedef struct {
  dm_dmil_arch a;  /* a.dims points to the net's own copy */
  int *dims;
  dm_dmil_block *blocks; /* DM_DMIL_N_BLOCKS(M) */
  /* views of the table for the passes: encoder and fusion layers, and
   * the offsets of the other blocks */
  dm_mlp *enc;
  size_t *off_rpost, *off_upost, *off_au;
  dm_mlp fuse;
  size_t off_spost, off_ar, off_as, off_b;
  size_t n_params;
  dm_dmil_loss loss;
  float beta_scale;
  int cap;
  int max_partners; /* the ANOVA buffers hold this many partners */
  int n_ws;
  struct dmil_ws *ws;
  /* batch-level buffers of the orthogonality term: B x D per view */
  float *bmu_r, *bmu_u, *bgrad_r, *bgrad_u;
  float *bhall; /* the batch's encodings, for the ANOVA term */
  float *orth_ws; /* 4D + D*D: the decorrelation term's statistics */
  int bcap;
} dm_dmil;

/* The number of parameters (dm_dmil_layout's), 0 for an invalid
 * architecture. */
size_t dm_dmil_param_count(const dm_dmil_arch *a);
/* max_rows: largest training batch; partners: most ANOVA partners that
 * will be used; nthreads: most threads used. */
dm_status dm_dmil_create(dm_dmil *net, const dm_dmil_arch *a, int max_rows,
                         int partners, int nthreads);
void dm_dmil_destroy(dm_dmil *net);
void dm_dmil_init(const dm_dmil *net, float *theta, uint64_t key);

/* lr multipliers for the groups in `groups` (others 0); the encoders get
 * enc_mult instead of 1. */
void dm_dmil_lr_mult(const dm_dmil *net, unsigned groups, float enc_mult,
                     float *mult);

/* The dm_model view: batch gradient of net->loss; logits of the full
 * prediction at posterior means. */
dm_model dm_dmil_model(dm_dmil *net);

/* One stage of staged training: the loss, the training settings (their
 * lr_mult is set by the routine), the trainable groups with the encoders'
 * learning-rate factor, and the tolerance of the keep-or-revert rule. */
typedef struct {
  dm_dmil_loss loss;
  dm_train_cfg train;
  unsigned groups;
  float enc_mult;
  double tolerance; /* NaN: always keep */
} dm_dmil_stage;

/* What a stage did. hist's arrays (train.epochs entries each) and theta
 * (n_params, or NULL) are the caller's. */
typedef struct {
  dm_history hist;
  double *theta;      /* the parameters after the stage */
  double acc_before;  /* validation accuracy before and at the kept epoch */
  double acc_after;
  int kept;
} dm_dmil_stage_result;

/* Trains theta (initialised by the caller) through the stages in order
 * (Phase A is one stage, Phase C three), stage s from the stream
 * DM_STREAM_STAGES + s of key. A stage with a tolerance is reverted when its
 * best validation accuracy falls more than the tolerance below the accuracy
 * before it; without validation rows every stage is kept. The progress
 * callback sees one tick per batch of every stage, out of `total`. */
dm_status dm_dmil_train_stages(dm_dmil *net, float *theta, const dm_data *data,
                               const int *train_rows, int n_train, const int *val_rows,
                               int n_val, dm_dmil_stage *stages, int n_stages, uint64_t key,
                               int nthreads, dm_tick_fn tick, void *tick_ctx, double total,
                               dm_dmil_stage_result *res);

/* Evaluation with possibly missing views (data->present): missing ones
 * leave the product of experts and drop their unique head, and the synergy
 * term is 0 (its centred expectation) unless all views are present. Writes the
 * logits (n x K) and, if comps is not NULL, the contributions
 * (n x (M + 3) x K: a_R, a_U1..a_UM, a_S, b) that sum to them. */
void dm_dmil_predict(dm_dmil *net, const float *theta, const dm_data *data,
                     const int *rows, int n, float *logits, float *comps, int nthreads);

#endif
