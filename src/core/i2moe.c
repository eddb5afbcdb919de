#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_block.h"
#include "dm_i2moe.h"
#include "dm_rng.h"

/* Euclidean distance of two logit rows; the small constant under the root
 * keeps its gradient finite when they coincide. */
#define DIST_EPS 1e-12f
/* Norm floor of the cosine (as torch's F.normalize). */
#define NORM_EPS 1e-12f

dm_status dm_i2moe_init(dm_i2moe *o, dm_net *net, float lambda) {
  memset(o, 0, sizeof(*o));
  o->net = net;
  o->lambda = lambda;
  const int E = net->n_enc;
  if (E < 2 || net->n_heads != E + 2 || !(lambda >= 0.0f)) return DM_ERR_ARG;
  for (int e = 0; e < E; e++)
    if (net->view_start[e + 1] - net->view_start[e] != 1) return DM_ERR_ARG;
  const size_t cap = net->ws[0].cap, passes = (size_t)E * net->n_heads;
  for (int s = 0; s < DM_MAX_SHARDS; s++) {
    const dm_slot slots[] = {
        {&o->xp[s], (size_t)E * cap * net->concat_dim},
        {&o->acts[s], passes * net->head_act_floats},
        {&o->logits[s], passes * cap * net->K},
        {&o->dlogits[s], passes * cap * net->K},
    };
    o->block[s] = dm_carve(slots, 4);
    if (!o->block[s]) return DM_ERR_NOMEM;
  }
  return DM_OK;
}

void dm_i2moe_free(dm_i2moe *o) {
  for (int s = 0; s < DM_MAX_SHARDS; s++) free(o->block[s]);
  memset(o->block, 0, sizeof(o->block));
}

static float dist(const float *a, const float *b, int K) {
  float d = DIST_EPS;
  for (int k = 0; k < K; k++) d += (a[k] - b[k]) * (a[k] - b[k]);
  return sqrtf(d);
}

static float norm(const float *a, int K) {
  float d = 0.0f;
  for (int k = 0; k < K; k++) d += a[k] * a[k];
  return DM_MAX(sqrtf(d), NORM_EPS);
}

/* cos(a, p) of one row: returns it, adds c times its gradients to da and
 * dp. */
static float cosine(const float *a, const float *p, int K, float c, float *da, float *dp) {
  const float na = norm(a, K), np = norm(p, K);
  float dot = 0.0f;
  for (int k = 0; k < K; k++) dot += a[k] * p[k];
  const float cs = dot / (na * np);
  for (int k = 0; k < K; k++) {
    da[k] += c * (p[k] / (na * np) - cs * a[k] / (na * na));
    dp[k] += c * (a[k] / (na * np) - cs * p[k] / (np * np));
  }
  return cs;
}

/* The interaction losses of one shard (dm_net_term_fn). */
static double interaction_term(void *ctx, const dm_net *net, const float *theta, int shard,
                               const int *rows, int B, float scale, uint64_t key,
                               dm_net_ws *ws, float *grad) {
  (void)rows;
  dm_i2moe *o = ctx;
  const int E = net->n_enc, H = net->n_heads, K = net->K, D = net->concat_dim;
  const size_t cap = ws->cap, lstride = cap * K;
  float *xp = o->xp[shard], *acts = o->acts[shard];
  float *pl = o->logits[shard], *dpl = o->dlogits[shard];
#define PASS(m, b) ((size_t)(m) * H + (b))

  /* Every expert with each view's encoding replaced by noise. */
  int col = 0;
  for (int m = 0; m < E; m++) {
    const int w = dm_mlp_out(&net->enc[m]);
    float *X = xp + (size_t)m * cap * D;
    memcpy(X, ws->concat, sizeof(float) * (size_t)B * D);
    dm_rng r;
    dm_rng_init(&r, dm_rng_derive(dm_rng_derive(key, (uint64_t)shard), (uint64_t)m));
    for (int i = 0; i < B; i++) dm_rng_normals(&r, X + (size_t)i * D + col, w);
    for (int b = 0; b < H; b++) {
      dm_mlp h = dm_net_head(net, b);
      dm_mlp_forward(&h, theta, B, X, D, acts + PASS(m, b) * net->head_act_floats,
                     pl + PASS(m, b) * lstride, K);
    }
    col += w;
  }
  memset(dpl, 0, sizeof(float) * (size_t)E * H * lstride);

  /* Losses per row, weighted lambda / H per expert; gradients times scale. */
  const float c = o->lambda / (float)H;
  double total = 0.0;
  for (int i = 0; i < B; i++) {
    const size_t row = (size_t)i * K;
    for (int e = 0; e < E; e++) {
      const float *a = ws->head_logits + e * lstride + row;
      const float *ng = pl + PASS(e, e) * lstride + row;
      float *da = ws->dhead + e * lstride + row;
      float *dng = dpl + PASS(e, e) * lstride + row;
      const float dn = dist(a, ng, K), ce = c / (float)(E - 1);
      for (int m = 0; m < E; m++) {
        if (m == e) continue;
        const float *ps = pl + PASS(m, e) * lstride + row;
        float *dps = dpl + PASS(m, e) * lstride + row;
        const float dp = dist(a, ps, K), hinge = dp - dn + 1.0f;
        if (hinge <= 0.0f) continue;
        total += (double)ce * hinge;
        const float g = ce * scale;
        for (int k = 0; k < K; k++) {
          const float up = (a[k] - ps[k]) / dp, un = (a[k] - ng[k]) / dn;
          da[k] += g * (up - un);
          dps[k] -= g * up;
          dng[k] += g * un;
        }
      }
    }
    /* synergy (head E): cos; redundancy (head E + 1): 1 - cos */
    for (int b = E; b < H; b++) {
      const float sign = b == E ? 1.0f : -1.0f, cb = c / (float)E;
      const float *a = ws->head_logits + b * lstride + row;
      float *da = ws->dhead + b * lstride + row;
      for (int m = 0; m < E; m++) {
        const size_t q = PASS(m, b) * lstride + row;
        const float cs = cosine(a, pl + q, K, sign * cb * scale, da, dpl + q);
        total += b == E ? cb * cs : cb * (1.0f - cs);
      }
    }
  }

  /* Back through the perturbed passes; not into the replaced encoding. */
  col = 0;
  for (int m = 0; m < E; m++) {
    const int w = dm_mlp_out(&net->enc[m]);
    const float *X = xp + (size_t)m * cap * D;
    for (int b = 0; b < H; b++) {
      dm_net_head_backward(net, theta, b, B, X, acts + PASS(m, b) * net->head_act_floats,
                           pl + PASS(m, b) * lstride, dpl + PASS(m, b) * lstride, ws, grad);
      /* the encodings left of view m's and right of it */
      for (int i = 0; i < B; i++) {
        float *dx = ws->dextra + (size_t)i * D;
        const float *g = ws->dtmp + (size_t)i * D;
        for (int j = 0; j < col; j++) dx[j] += g[j];
        for (int j = col + w; j < D; j++) dx[j] += g[j];
      }
    }
    col += w;
  }
#undef PASS
  return total;
}

static dm_status i2moe_batch_grad(void *self, const float *theta, const dm_data *data,
                                  const int *rows, int nb, float *grad, double *loss_sum,
                                  uint64_t key, int nthreads) {
  dm_i2moe *o = self;
  dm_net_extras ex;
  memset(&ex, 0, sizeof(ex));
  if (o->lambda > 0.0f) {
    ex.term = interaction_term;
    ex.term_ctx = o;
    ex.key = key;
  }
  return dm_net_batch_grad(o->net, theta, data, rows, nb, grad, loss_sum, nthreads, &ex);
}

dm_model dm_i2moe_model(dm_i2moe *o) {
  return dm_net_variant_model(o, i2moe_batch_grad);
}
