/* net.c -- the baseline networks' shape, parameters, workspaces,
 * initialisation and forward pass (dm_net.h); net_grad.c has the backward
 * pass and the batch gradient. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_block.h"
#include "dm_net.h"
#include "dm_rng.h"

static dm_status ws_alloc(const dm_net *net, int cap, dm_net_ws *ws) {
  const size_t c = cap;
  const size_t mix = net->n_heads > 1 ? (size_t)net->n_heads : 0;
  size_t in = 0, acts = 0;
  int maxdim = dm_mlp_max_dim(&net->head);
  if (mix) maxdim = DM_MAX(maxdim, dm_mlp_max_dim(&net->gate));
  for (int e = 0; e < net->n_enc; e++) {
    in += c * net->enc_in[e];
    acts += dm_mlp_act_floats(&net->enc[e], cap);
    maxdim = DM_MAX(maxdim, dm_mlp_max_dim(&net->enc[e]));
  }
  const dm_slot slots[] = {
      {&ws->in, in},
      {&ws->enc_acts, acts},
      {&ws->concat, c * net->concat_dim},
      {&ws->head_acts, (size_t)net->n_heads * net->head_act_floats},
      {&ws->logits, c * net->K},
      {&ws->dlogits, c * net->K},
      {&ws->dconcat, c * net->concat_dim},
      {&ws->head_logits, mix * c * net->K},
      {&ws->dhead, mix * c * net->K},
      {&ws->gate_acts, mix ? dm_mlp_act_floats(&net->gate, cap) : 0},
      {&ws->gate_out, mix * c},
      {&ws->gate_w, mix * c},
      {&ws->dtmp, mix ? c * net->concat_dim : 0},
      {&ws->dextra, mix ? c * net->concat_dim : 0},
      {&ws->scratch, 2 * c * maxdim},
      {&ws->grad, net->n_params},
  };
  memset(ws, 0, sizeof(*ws));
  ws->block = dm_carve(slots, (int)(sizeof(slots) / sizeof(slots[0])));
  ws->labels = malloc(sizeof(int) * (c + 1));
  ws->enc_score = malloc(sizeof(double) * ((size_t)net->n_enc + 1));
  if (!ws->block || !ws->labels || !ws->enc_score) return DM_ERR_NOMEM;  /* freed by dm_net_destroy */
  ws->cap = cap;
  return DM_OK;
}

void dm_net_destroy(dm_net *net) {
  if (net->ws)
    for (int w = 0; w < net->n_ws; w++) {
      free(net->ws[w].block);
      free(net->ws[w].labels);
      free(net->ws[w].enc_score);
    }
  free(net->ws);
  free(net->enc);
  free(net->view_start);
  free(net->view_idx);
  free(net->enc_in);
  free(net->in_off);
  free(net->act_off);
  memset(net, 0, sizeof(*net));
}

/* Encoder e of a spec, whose views are spec->enc_views[first ...], at
 * parameter offset off; DM_ERR_ARG for a view out of range or a bad size. */
static dm_status setup_encoder(const dm_net_spec *spec, int e, int first, const int *view_dims,
                               int n_views, size_t off, dm_mlp *m) {
  int width = 0;
  for (int j = 0; j < spec->enc_n_views[e]; j++) {
    const int v = spec->enc_views[first + j];
    if (v < 0 || v >= n_views) return DM_ERR_ARG;
    width += view_dims[v];
  }
  return dm_mlp_setup(m, width, spec->enc_width[e], spec->enc_layers[e], spec->enc_width[e],
                      DM_ACT_RELU, off);
}

/* The head(s) and the gate of a mixture, from parameter offset `off`;
 * sets n_params. */
static dm_status setup_heads(dm_net *net, const dm_net_spec *spec, size_t off) {
  net->n_heads = spec->n_heads > 1 ? spec->n_heads : 1;
  if (net->n_heads > DM_NET_MAX_HEADS) return DM_ERR_ARG;
  if (dm_mlp_setup(&net->head, net->concat_dim, spec->head_width, spec->head_layers,
                   spec->K, DM_ACT_NONE, off) != DM_OK)
    return DM_ERR_ARG;
  off += (size_t)net->n_heads * net->head.n_params;
  if (net->n_heads > 1) {
    if (!(spec->gate_temperature > 0.0f) ||
        dm_mlp_setup(&net->gate, net->concat_dim, spec->gate_width, spec->gate_layers,
                     net->n_heads, DM_ACT_NONE, off) != DM_OK)
      return DM_ERR_ARG;
    net->gate_temperature = spec->gate_temperature;
    off += net->gate.n_params;
  }
  net->n_params = off;
  return DM_OK;
}

dm_status dm_net_create(dm_net *net, const dm_net_spec *spec,
                        const int *view_dims, int n_views, int max_rows,
                        int nthreads) {
  memset(net, 0, sizeof(*net));
  const int E = spec->n_enc;
  if (E < 1 || spec->K < 2 || max_rows < 1) return DM_ERR_ARG;
  int total_views = 0;
  for (int e = 0; e < E; e++) total_views += spec->enc_n_views[e];
  net->n_enc = E;
  net->K = spec->K;
  net->enc = calloc(E, sizeof(dm_mlp));
  net->view_start = malloc(sizeof(int) * (E + 1));
  net->view_idx = malloc(sizeof(int) * (total_views + 1));
  net->enc_in = malloc(sizeof(int) * E);
  net->in_off = malloc(sizeof(size_t) * E);
  net->act_off = malloc(sizeof(size_t) * E);
  if (!net->enc || !net->view_start || !net->view_idx || !net->enc_in ||
      !net->in_off || !net->act_off) {
    dm_net_destroy(net);
    return DM_ERR_NOMEM;
  }
  size_t off = 0;
  int k = 0;
  net->concat_dim = dm_net_spec_width(spec);
  for (int e = 0; e < E; e++) {
    net->view_start[e] = k;
    for (int j = 0; j < spec->enc_n_views[e]; j++) net->view_idx[k + j] = spec->enc_views[k + j];
    if (setup_encoder(spec, e, k, view_dims, n_views, off, &net->enc[e]) != DM_OK) {
      dm_net_destroy(net);
      return DM_ERR_ARG;
    }
    net->enc_in[e] = dm_mlp_in(&net->enc[e]);
    k += spec->enc_n_views[e];
    off += net->enc[e].n_params;
  }
  net->view_start[E] = k;
  if (setup_heads(net, spec, off) != DM_OK) {
    dm_net_destroy(net);
    return DM_ERR_ARG;
  }

  /* Workspaces: one per shard of the largest batch, and at least one per
   * thread for evaluation. */
  size_t in = 0, acts = 0;
  int cap = DM_MAX(dm_shard_cap(max_rows), DM_NET_EVAL_ROWS);
  net->head_act_floats = dm_mlp_act_floats(&net->head, cap);
  for (int e = 0; e < E; e++) {
    net->in_off[e] = in;
    net->act_off[e] = acts;
    in += (size_t)cap * net->enc_in[e];
    acts += dm_mlp_act_floats(&net->enc[e], cap);
  }
  net->n_ws = DM_MAX(DM_MAX_SHARDS, nthreads);
  net->ws = calloc(net->n_ws, sizeof(dm_net_ws));
  if (!net->ws) {
    dm_net_destroy(net);
    return DM_ERR_NOMEM;
  }
  for (int w = 0; w < net->n_ws; w++) {
    if (ws_alloc(net, cap, &net->ws[w]) != DM_OK) {
      dm_net_destroy(net);
      return DM_ERR_NOMEM;
    }
  }
  return DM_OK;
}

int dm_net_spec_width(const dm_net_spec *spec) {
  int w = 0;
  for (int e = 0; e < spec->n_enc; e++) w += spec->enc_width[e];
  return w;
}

size_t dm_net_param_count(const dm_net_spec *spec, const int *view_dims,
                          int n_views) {
  dm_mlp m;
  size_t total = 0;
  for (int e = 0, k = 0; e < spec->n_enc; k += spec->enc_n_views[e], e++) {
    if (setup_encoder(spec, e, k, view_dims, n_views, 0, &m) != DM_OK) return 0;
    total += m.n_params;
  }
  dm_net heads;
  memset(&heads, 0, sizeof(heads));
  heads.concat_dim = dm_net_spec_width(spec);
  return setup_heads(&heads, spec, total) == DM_OK ? heads.n_params : 0;
}

void dm_net_init(const dm_net *net, float *theta, uint64_t key) {
  dm_rng r;
  for (int e = 0; e < net->n_enc; e++) {
    dm_rng_init(&r, dm_rng_derive(key, (uint64_t)e));
    dm_mlp_init(&net->enc[e], theta, &r);
  }
  /* Heads after the encoders' streams, the gate after the heads': a
   * single-head net initialises as before mixtures existed. */
  for (int b = 0; b < net->n_heads; b++) {
    dm_mlp h = dm_net_head(net, b);
    dm_rng_init(&r, dm_rng_derive(key, (uint64_t)(net->n_enc + b)));
    dm_mlp_init(&h, theta, &r);
  }
  if (net->n_heads > 1) {
    dm_rng_init(&r, dm_rng_derive(key, (uint64_t)(net->n_enc + net->n_heads)));
    dm_mlp_init(&net->gate, theta, &r);
  }
}

dm_mlp dm_net_head(const dm_net *net, int b) {
  dm_mlp h = net->head;
  h.offset += (size_t)b * h.n_params;
  return h;
}

/* Mixture weights: row-wise softmax of the gate's outputs / temperature. */
static void gate_weights(const dm_net *net, int B, dm_net_ws *ws) {
  const int H = net->n_heads;
  const float t = net->gate_temperature;
  for (int i = 0; i < B; i++) {
    const float *g = ws->gate_out + (size_t)i * H;
    float *w = ws->gate_w + (size_t)i * H;
    float mx = g[0];
    for (int b = 1; b < H; b++) mx = DM_MAX(mx, g[b]);
    float sum = 0.0f;
    for (int b = 0; b < H; b++) sum += (w[b] = expf((g[b] - mx) / t));
    for (int b = 0; b < H; b++) w[b] /= sum;
  }
}

void dm_net_forward(const dm_net *net, const float *theta,
                    const dm_data *data, const int *rows, int B,
                    dm_net_ws *ws) {
  int col = 0;
  for (int e = 0; e < net->n_enc; e++) {
    const int *views = net->view_idx + net->view_start[e];
    int nv = net->view_start[e + 1] - net->view_start[e];
    float *in = ws->in + net->in_off[e];
    dm_data_gather(data, nv, views, rows, B, in, net->enc_in[e]);
    dm_mlp_forward(&net->enc[e], theta, B, in, net->enc_in[e],
                   ws->enc_acts + net->act_off[e], ws->concat + col,
                   net->concat_dim);
    col += dm_mlp_out(&net->enc[e]);
  }
  if (net->n_heads == 1) {
    dm_mlp_forward(&net->head, theta, B, ws->concat, net->concat_dim,
                   ws->head_acts, ws->logits, net->K);
    return;
  }
  const int H = net->n_heads, K = net->K;
  const size_t stride = (size_t)ws->cap * K;
  for (int b = 0; b < H; b++) {
    dm_mlp h = dm_net_head(net, b);
    dm_mlp_forward(&h, theta, B, ws->concat, net->concat_dim,
                   ws->head_acts + b * net->head_act_floats, ws->head_logits + b * stride, K);
  }
  dm_mlp_forward(&net->gate, theta, B, ws->concat, net->concat_dim, ws->gate_acts,
                 ws->gate_out, H);
  gate_weights(net, B, ws);
  for (int i = 0; i < B; i++) {
    float *z = ws->logits + (size_t)i * K;
    const float *w = ws->gate_w + (size_t)i * H;
    for (int k = 0; k < K; k++) z[k] = 0.0f;
    for (int b = 0; b < H; b++) {
      const float *zb = ws->head_logits + b * stride + (size_t)i * K;
      for (int k = 0; k < K; k++) z[k] += w[b] * zb[k];
    }
  }
}

void dm_net_encode(dm_net *net, const float *theta, const dm_data *data,
                   const int *rows, int n, float *out, int ldo, float *weights) {
  dm_net_ws *ws = &net->ws[0];
  const int D = net->concat_dim;
  for (int s = 0; s < n; s += DM_NET_EVAL_ROWS) {
    const int B = DM_MIN(DM_NET_EVAL_ROWS, n - s);
    dm_net_forward(net, theta, data, rows + s, B, ws);
    for (int i = 0; i < B; i++)
      memcpy(out + (size_t)(s + i) * ldo, ws->concat + (size_t)i * D, sizeof(float) * D);
    if (weights && net->n_heads > 1)
      memcpy(weights + (size_t)s * net->n_heads, ws->gate_w,
             sizeof(float) * (size_t)B * net->n_heads);
  }
}
