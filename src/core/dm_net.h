/* dm_net.h -- the baseline networks: encoders feeding a head.
 *
 * Encoder e reads the concatenation of one or more views and is an MLP whose
 * layers all have ReLU; the head reads the concatenation of the encoder
 * outputs and ends in K logits. Every baseline of dmil_fit() is one of these:
 *   joint    = one encoder per view, head with >= 1 hidden layer;
 *   late     = one encoder per view, linear head;
 *   early    = one encoder on all views, linear head;
 *   unimodal = one encoder on one view, linear head (ensemble = several).
 * A net may instead have a mixture of heads (I2MoE's experts, dm_i2moe.h):
 * n_heads >= 2 heads of the same shape read the same encodings, and a gate
 * MLP on the encodings gives per-row weights w = softmax(g / temperature);
 * the logits are sum_b w_b * (head b's logits).
 * Parameters (flat): encoders in order, then the head(s), then the gate. */
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
  int n_heads;            /* 0 or 1: one head; >= 2: a mixture of heads */
  int gate_layers;        /* mixture only: layers of the gate (>= 1) */
  int gate_width;         /* mixture only: width of its hidden layers */
  float gate_temperature; /* mixture only: > 0 */
} dm_net_spec;

/* Per-shard working memory, sized for `cap` rows. */
typedef struct {
  int cap;
  float *in;        /* encoder inputs, encoder after encoder */
  float *enc_acts;  /* hidden activations of the encoders */
  float *concat;    /* encoder outputs side by side (cap x concat_dim) */
  float *head_acts; /* head after head */
  float *logits;    /* cap x K */
  /* A mixture of heads: each head's logits and their gradients (head after
   * head, cap x K each), the gate's activations, outputs (cap x n_heads)
   * and weights, one head's input gradient before it is added (cap x
   * concat_dim) and a loss term's gradient of the encodings (the same).
   * Empty for one head. */
  float *head_logits, *dhead, *gate_acts, *gate_out, *gate_w, *dtmp, *dextra;
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
  dm_mlp head;      /* the first head; head b is dm_net_head(net, b) */
  int n_heads;      /* >= 1 */
  dm_mlp gate;      /* with n_heads >= 2 */
  float gate_temperature;
  size_t head_act_floats; /* per head, in dm_net_ws.head_acts */
  int K;
  size_t n_params;
  /* Training and evaluation buffers (created by dm_net_create). */
  int n_ws;
  dm_net_ws *ws;
} dm_net;

/* Rows per evaluation chunk (dm_net_model's logits); at least this many
 * rows fit in every workspace. */
#define DM_NET_EVAL_ROWS 256

/* Most heads of a mixture. */
#define DM_NET_MAX_HEADS 64

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
 * out + i * ldo, and, if `weights` is not NULL (a mixture of heads only),
 * the heads' weights (n x n_heads), through the net's first workspace. */
void dm_net_encode(dm_net *net, const float *theta, const dm_data *data,
                   const int *rows, int n, float *out, int ldo, float *weights);

/* Head b (0 <= b < n_heads): the first head's shape at its own offset. */
dm_mlp dm_net_head(const dm_net *net, int b);

/* Head b's backward pass from dY (B x K, consumed) for input X (B x
 * concat_dim) and its forward pass's acts and output Y; parameter gradients
 * are added to grad and dL/dX is written to ws->dtmp. */
void dm_net_head_backward(const dm_net *net, const float *theta, int b, int B,
                          const float *X, const float *acts, const float *Y,
                          float *dY, dm_net_ws *ws, float *grad);

/* A loss term on a shard's forward pass beyond the cross-entropy, for a
 * mixture of heads (I2MoE's interaction losses, dm_i2moe.h; DM_ERR_ARG for
 * a net with one head). Called after the forward pass
 * with the shard's index, rows and the batch's key; returns the term summed
 * over the rows, and adds `scale` times its gradient to ws->dhead (each
 * head's logits; a mixture of heads only) and ws->dextra (the encodings),
 * both zero on entry, and to grad (the shard's parameter gradient) for
 * parameters it reaches otherwise, such as heads run on other inputs. */
typedef double (*dm_net_term_fn)(void *ctx, const dm_net *net, const float *theta, int shard,
                                 const int *rows, int B, float scale, uint64_t key,
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
  /* A further loss term (NULL: none), its context and the batch's key. */
  dm_net_term_fn term;
  void *term_ctx;
  uint64_t key;
} dm_net_extras;

/* The gradient of the mean loss over rows[0..nb-1] into grad and the sum
 * of per-row losses into *loss_sum (what the trainer's batch_grad does):
 * the cross-entropy, plus what `extras` (may be NULL) asks for; DM_ERR_ARG
 * for encoder scores without a single linear head, or a term without a
 * mixture of heads. Shard sums are added in shard
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
