/* net_grad.c -- the baseline networks' backward pass, the sharded batch
 * gradient with what dm_net_extras adds, and the dm_model interface
 * (dm_net.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_gemm.h"
#include "dm_loss.h"
#include "dm_net.h"
#include "dm_omp.h"

/* dconcat += dtmp over B rows. */
static void add_dtmp(const dm_net *net, int B, dm_net_ws *ws) {
  const size_t n = (size_t)B * net->concat_dim;
  for (size_t k = 0; k < n; k++) ws->dconcat[k] += ws->dtmp[k];
}

void dm_net_head_backward(const dm_net *net, const float *theta, int b, int B,
                          const float *X, const float *acts, const float *Y,
                          float *dY, dm_net_ws *ws, float *grad) {
  dm_mlp h = dm_net_head(net, b);
  dm_mlp_backward(&h, theta, B, X, net->concat_dim, acts, Y, net->K, dY, net->K, grad,
                  ws->dtmp, net->concat_dim, ws->scratch);
}

/* Head backward: dlogits (and, for a mixture, the heads' own logit
 * gradients already in ws->dhead) -> head and gate parameters and
 * ws->dconcat. */
static void backward_head(const dm_net *net, const float *theta, int B, dm_net_ws *ws,
                          float *grad) {
  if (net->n_heads == 1) {
    dm_mlp_backward(&net->head, theta, B, ws->concat, net->concat_dim,
                    ws->head_acts, ws->logits, net->K, ws->dlogits, net->K,
                    grad, ws->dconcat, net->concat_dim, ws->scratch);
    return;
  }
  const int H = net->n_heads, K = net->K;
  const size_t stride = (size_t)ws->cap * K;
  /* The gate: dL/dw_b = <dlogits, logits_b>, through the tempered softmax. */
  for (int i = 0; i < B; i++) {
    const float *dz = ws->dlogits + (size_t)i * K;
    const float *w = ws->gate_w + (size_t)i * H;
    float *dg = ws->gate_out + (size_t)i * H; /* the outputs are not needed again */
    float dw[DM_NET_MAX_HEADS], mean = 0.0f;
    for (int b = 0; b < H; b++) {
      const float *zb = ws->head_logits + b * stride + (size_t)i * K;
      float d = 0.0f;
      for (int k = 0; k < K; k++) d += dz[k] * zb[k];
      dw[b] = d;
      mean += w[b] * d;
    }
    for (int b = 0; b < H; b++) dg[b] = w[b] * (dw[b] - mean) / net->gate_temperature;
  }
  /* the gate's input gradient starts dconcat; each head's is added to it */
  dm_mlp_backward(&net->gate, theta, B, ws->concat, net->concat_dim, ws->gate_acts,
                  ws->gate_out, H, ws->gate_out, H, grad, ws->dconcat, net->concat_dim,
                  ws->scratch);
  for (int b = 0; b < H; b++) {
    float *dzb = ws->dhead + b * stride;
    for (int i = 0; i < B; i++) {
      const float wb = ws->gate_w[(size_t)i * H + b];
      for (int k = 0; k < K; k++) dzb[(size_t)i * K + k] += wb * ws->dlogits[(size_t)i * K + k];
    }
    dm_net_head_backward(net, theta, b, B, ws->concat, ws->head_acts + b * net->head_act_floats,
                         ws->head_logits + b * stride, dzb, ws, grad);
    add_dtmp(net, B, ws);
  }
}

/* Encoders backward from ws->dconcat. */
static void backward_encoders(const dm_net *net, const float *theta, int B, dm_net_ws *ws,
                              float *grad) {
  int col = 0;
  for (int e = 0; e < net->n_enc; e++) {
    float *in = ws->in + net->in_off[e];
    dm_mlp_backward(&net->enc[e], theta, B, in, net->enc_in[e],
                    ws->enc_acts + net->act_off[e], ws->concat + col,
                    net->concat_dim, ws->dconcat + col, net->concat_dim, grad,
                    NULL, 0, ws->scratch);
    col += dm_mlp_out(&net->enc[e]);
  }
}

/* The feature-target term of the shard's rows r[0..B-1]: its loss (summed
 * over rows) and, scaled, its gradient added to ws->dconcat. */
static double target_term(const dm_net *net, const float *target, float weight, const int *r,
                          int B, float scale, dm_net_ws *ws) {
  const int D = net->concat_dim;
  double total = 0.0;
  int col = 0;
  for (int e = 0; e < net->n_enc; e++) {
    const int w = dm_mlp_out(&net->enc[e]);
    const float c = weight / (float)w;
    for (int i = 0; i < B; i++) {
      const float *h = ws->concat + (size_t)i * D + col;
      const float *t = target + (size_t)r[i] * D + col;
      float *dh = ws->dconcat + (size_t)i * D + col;
      for (int j = 0; j < w; j++) {
        const float d = h[j] - t[j];
        total += (double)c * d * d;
        dh[j] += 2.0f * c * scale * d;
      }
    }
    col += w;
  }
  return total;
}

/* Each encoder's score on the shard: sum over rows of softmax(o_e)[y], with
 * o_e = W_e h_e + b / E the logits of encoder e's share of a linear head. */
static void encoder_scores(const dm_net *net, const float *theta, int B,
                           dm_net_ws *ws, double *score) {
  const int K = net->K, E = net->n_enc, D = net->concat_dim;
  const float *W = theta + net->head.offset, *b = W + (size_t)K * D;
  float *o = ws->scratch; /* B x K; free until the backward pass */
  int col = 0;
  for (int e = 0; e < E; e++) {
    const int w = dm_mlp_out(&net->enc[e]);
    dm_gemm(0, 1, B, K, w, 1.0f, ws->concat + col, D, W + col, D, 0.0f, o, K);
    double s = 0.0;
    for (int i = 0; i < B; i++) {
      float *oi = o + (size_t)i * K;
      for (int k = 0; k < K; k++) oi[k] += b[k] / (float)E;
      s += exp(-dm_softmax_ce(1, K, oi, K, ws->labels + i, NULL, 0.0f, NULL, 0, 0));
    }
    score[e] = s;
    col += w;
  }
}

dm_status dm_net_batch_grad(dm_net *net, const float *theta, const dm_data *data,
                            const int *rows, int nb, float *grad, double *loss_sum,
                            int nthreads, const dm_net_extras *extras) {
  double *enc_score = extras ? extras->enc_score : NULL;
  const float *target = extras ? extras->target : NULL;
  const dm_net_term_fn term = extras ? extras->term : NULL;
  int starts[DM_MAX_SHARDS + 1];
  int ns = dm_shard_plan(nb, starts);
  double shard_loss[DM_MAX_SHARDS];
  float *parts[DM_MAX_SHARDS];
  const float scale = 1.0f / (float)nb;
  const int E = net->n_enc;
  if (enc_score && (net->head.n_layers != 1 || net->n_heads != 1)) return DM_ERR_ARG;
  if (term && net->n_heads == 1) return DM_ERR_ARG;
  int nt = DM_MIN(nthreads, ns);
  (void)nt;
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int s = 0; s < ns; s++) {
    dm_net_ws *ws = &net->ws[s];
    int B = starts[s + 1] - starts[s];
    const int *r = rows + starts[s];
    int *lab = ws->labels;
    for (int i = 0; i < B; i++) lab[i] = data->y[r[i]];
    memset(ws->grad, 0, sizeof(float) * net->n_params);
    dm_net_forward(net, theta, data, r, B, ws);
    if (enc_score) encoder_scores(net, theta, B, ws, ws->enc_score);
    shard_loss[s] = dm_softmax_ce(B, net->K, ws->logits, net->K, lab, NULL,
                                  scale, ws->dlogits, net->K, 0);
    if (net->n_heads > 1)
      memset(ws->dhead, 0, sizeof(float) * (size_t)net->n_heads * ws->cap * net->K);
    if (term) {
      memset(ws->dextra, 0, sizeof(float) * (size_t)B * net->concat_dim);
      shard_loss[s] += term(extras->term_ctx, net, theta, s, r, B, scale, extras->key, ws,
                            ws->grad);
    }
    backward_head(net, theta, B, ws, ws->grad);
    if (term)
      for (size_t k = 0; k < (size_t)B * net->concat_dim; k++) ws->dconcat[k] += ws->dextra[k];
    if (target) shard_loss[s] += target_term(net, target, extras->target_weight, r, B, scale, ws);
    backward_encoders(net, theta, B, ws, ws->grad);
    parts[s] = ws->grad;
  }
  double total = 0.0;
  for (int s = 0; s < ns; s++) total += shard_loss[s];
  *loss_sum = total;
  if (enc_score)
    for (int e = 0; e < E; e++) {
      enc_score[e] = 0.0;
      for (int s = 0; s < ns; s++) enc_score[e] += net->ws[s].enc_score[e];
    }
  dm_reduce_shards(grad, parts, ns, net->n_params, nthreads);
  return DM_OK;
}

static dm_status net_batch_grad(void *self, const float *theta,
                                const dm_data *data, const int *rows, int nb,
                                float *grad, double *loss_sum, uint64_t key,
                                int nthreads) {
  (void)key; /* the baseline nets draw no random numbers per batch */
  return dm_net_batch_grad(self, theta, data, rows, nb, grad, loss_sum, nthreads, NULL);
}

static void net_logits(void *self, const float *theta, const dm_data *data,
                       const int *rows, int n, float *out, int nthreads) {
  dm_net *net = self;
  const int cap = DM_NET_EVAL_ROWS;
  const int n_chunks = (n + cap - 1) / cap;
  int nt = DM_MIN(DM_MIN(nthreads, net->n_ws), n_chunks);
  if (nt < 1) nt = 1;
  /* Static schedule with chunk 1: chunk c always runs on thread c % nt, so
   * two threads never share a workspace. */
#pragma omp parallel for num_threads(nt) schedule(static, 1)
  for (int c = 0; c < n_chunks; c++) {
    dm_net_ws *ws = &net->ws[omp_get_thread_num()];
    int start = c * cap;
    int B = DM_MIN(cap, n - start);
    dm_net_forward(net, theta, data, rows + start, B, ws);
    memcpy(out + (size_t)start * net->K, ws->logits,
           sizeof(float) * (size_t)B * net->K);
  }
}

static void variant_logits(void *self, const float *theta, const dm_data *data,
                           const int *rows, int n, float *out, int nthreads) {
  net_logits(*(dm_net **)self, theta, data, rows, n, out, nthreads);
}

dm_model dm_net_variant_model(void *self, dm_batch_grad_fn batch_grad) {
  dm_model m = dm_net_model(*(dm_net **)self);
  m.self = self;
  m.batch_grad = batch_grad;
  m.logits = variant_logits;
  return m;
}

dm_model dm_net_model(dm_net *net) {
  dm_model m;
  m.self = net;
  m.n_params = net->n_params;
  m.K = net->K;
  m.batch_grad = net_batch_grad;
  m.logits = net_logits;
  m.evaluate = NULL;
  m.epoch_begin = NULL;
  return m;
}
