/* dm_net.h -- the baseline networks: encoders feeding a head.
 *
 * Encoder e reads the concatenation of one or more views and is an MLP whose
 * layers all have ReLU; the head reads the concatenation of the encoder
 * outputs and ends in K logits. Every baseline of dmil_fit() is one of these:
 *   joint    = one encoder per view, head with >= 1 hidden layer;
 *   late     = one encoder per view, linear head;
 *   early    = one encoder on all views, linear head;
 *   unimodal = one encoder on one view, linear head (ensemble = several).
 * Parameters (flat): encoders in order, then the head. */
#ifndef DM_NET_H
#define DM_NET_H

#include "dm_common.h"
#include "dm_data.h"
#include "dm_mlp.h"
#include "dm_train.h"

typedef struct {
  int n_enc;
  const int *enc_n_views; /* views read by each encoder */
  const int *enc_views;   /* their indices, encoder after encoder */
  const int *enc_layers;  /* layers per encoder (>= 1) */
  const int *enc_width;   /* width of every layer of the encoder */
  int head_layers;        /* >= 1; 1 = linear head */
  int head_width;         /* width of hidden head layers */
  int K;                  /* classes */
} dm_net_spec;

/* Per-shard working memory, sized for `cap` rows. */
typedef struct {
  int cap;
  float *in;        /* encoder inputs, encoder after encoder */
  float *enc_acts;  /* hidden activations of the encoders */
  float *concat;    /* encoder outputs side by side (cap x concat_dim) */
  float *head_acts;
  float *logits;    /* cap x K */
  float *dlogits;
  float *dconcat;
  float *scratch;
  float *grad;      /* n_params */
  double *enc_score; /* n_enc: this shard's encoder scores (dm_net_extras) */
  int *labels;      /* cap */
  float *block;     /* the single allocation all float buffers live in */
} dm_net_ws;

typedef struct {
  int n_enc;
  dm_mlp *enc;
  int *view_start; /* n_enc + 1 offsets into view_idx */
  int *view_idx;
  int *enc_in;     /* input width of each encoder */
  size_t *in_off;  /* offset of each encoder's input in dm_net_ws.in */
  size_t *act_off; /* offset of each encoder's activations */
  int concat_dim;
  dm_mlp head;
  int K;
  size_t n_params;
  /* Training and evaluation buffers (created by dm_net_create). */
  int n_ws;
  dm_net_ws *ws;
} dm_net;

/* Rows per evaluation chunk (dm_net_model's logits); at least this many
 * rows fit in every workspace. */
#define DM_NET_EVAL_ROWS 256

/* view_dims: features per view of the data the net will see. max_rows: the
 * largest training batch that will be passed; nthreads: the most threads
 * that will be used. */
dm_status dm_net_create(dm_net *net, const dm_net_spec *spec,
                        const int *view_dims, int n_views, int max_rows,
                        int nthreads);
void dm_net_destroy(dm_net *net);

/* Width of the concatenated encodings (concat_dim) of the net a spec
 * describes: the sum of its encoders' widths. */
int dm_net_spec_width(const dm_net_spec *spec);

/* Number of parameters of the net a spec describes, without allocating;
 * 0 if the spec is invalid. */
size_t dm_net_param_count(const dm_net_spec *spec, const int *view_dims,
                          int n_views);

/* He initialisation from the stream `key`. */
void dm_net_init(const dm_net *net, float *theta, uint64_t key);

/* Forward pass of rows[0..B-1] (B <= ws->cap) into ws->logits. */
void dm_net_forward(const dm_net *net, const float *theta,
                    const dm_data *data, const int *rows, int B,
                    dm_net_ws *ws);
/* Encoder outputs (concat_dim per row) of rows[0..n-1] into out, row i at
 * out + i * ldo, through the net's first workspace. */
void dm_net_encode(dm_net *net, const float *theta, const dm_data *data,
                   const int *rows, int n, float *out, int ldo);

/* Backward pass from ws->dlogits; adds parameter gradients to grad. */
void dm_net_backward(const dm_net *net, const float *theta, int B,
                     dm_net_ws *ws, float *grad);

/* What a batch gradient may do beyond the cross-entropy. */
typedef struct {
  /* Out (n_enc entries), with a linear head only: each encoder's score on
   * the batch, the sum over rows of softmax(o_e)[y] with o_e = W_e h_e +
   * b / n_enc, the logits of the encoder's share of the head (OGM-GE's
   * discrepancy scores, dm_ogm.h). NULL: not computed. */
  double *enc_score;
  /* Feature targets (UMT's frozen teacher encodings): per data row,
   * concat_dim floats. Each row's loss gains
   * target_weight * sum_e mean_j (h_ej - t_ej)^2, the squared distance of
   * encoder e's output to its target averaged over its units. NULL: none. */
  const float *target;
  float target_weight;
} dm_net_extras;

/* The gradient of the mean loss over rows[0..nb-1] into grad and the sum
 * of per-row losses into *loss_sum (what the trainer's batch_grad does):
 * the cross-entropy, plus what `extras` (may be NULL) asks for; DM_ERR_ARG
 * for encoder scores without a linear head. Shard sums are added in shard
 * order, so the result does not depend on nthreads. */
dm_status dm_net_batch_grad(dm_net *net, const float *theta, const dm_data *data,
                            const int *rows, int nb, float *grad, double *loss_sum,
                            int nthreads, const dm_net_extras *extras);

/* The dm_model view of a net, for dm_train/dm_evaluate. */
dm_model dm_net_model(dm_net *net);

/* The dm_model of a training variant of a net (dm_ogm, dm_distill): `self`
 * points to a struct whose first member is the dm_net pointer; batch_grad
 * is the variant's, logits and evaluation the net's. */
dm_model dm_net_variant_model(void *self, dm_batch_grad_fn batch_grad);

#endif
