#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_block.h"
#include "dm_gemm.h"
#include "dm_knife.h"
#include "dm_omp.h"
#include "dm_rng.h"

#define LOG_2PI 1.8378770664093453
#define KNIFE_EVAL_ROWS 256
/* rows evaluated at a time by the validation loss: a chunk per workspace */
#define EVAL_SPAN(kn) ((size_t)KNIFE_EVAL_ROWS * (kn)->n_ws)

/* Per-shard buffers, sized for `cap` rows. */
struct knife_ws {
  int cap;
  float *x;     /* cap x d, gathered rows */
  float *z;     /* K x cap x d */
  float *u;     /* K x cap x d */
  float *du;    /* cap x d */
  float *dz;    /* cap x d */
  float *a;     /* d precision scales of the current component */
  float *Lm;    /* d x d strictly lower part of the current L */
  double *ell;  /* cap x K component log-terms */
  float *grad;  /* n_params */
  float *block;
};

size_t dm_knife_param_count(int d, int K) {
  return (size_t)K * (2 * (size_t)d + (size_t)d * d) + (size_t)K;
}

/* Offsets into the flat parameter vector. */
static inline size_t off_mu(int d, int k) { return (size_t)k * (2 * (size_t)d + (size_t)d * d); }
static inline size_t off_s(int d, int k) { return off_mu(d, k) + d; }
static inline size_t off_L(int d, int k) { return off_mu(d, k) + 2 * (size_t)d; }
static inline size_t off_w(int d, int K) { return off_mu(d, K); }

static dm_status ws_alloc(const dm_knife *kn, int cap, struct knife_ws *ws) {
  const size_t d = kn->d, K = kn->K, c = cap;
  const dm_slot slots[] = {{&ws->x, c * d},      {&ws->z, K * c * d}, {&ws->u, K * c * d},
                           {&ws->du, c * d},     {&ws->dz, c * d},    {&ws->a, d},
                           {&ws->Lm, d * d},     {&ws->grad, kn->n_params}};
  memset(ws, 0, sizeof(*ws));
  ws->block = dm_carve(slots, (int)(sizeof(slots) / sizeof(slots[0])));
  ws->ell = malloc(sizeof(double) * (c * K + 1));
  if (!ws->block || !ws->ell) return DM_ERR_NOMEM;  /* freed by dm_knife_destroy */
  ws->cap = cap;
  return DM_OK;
}

void dm_knife_destroy(dm_knife *kn) {
  if (kn->ws)
    for (int w = 0; w < kn->n_ws; w++) {
      free(kn->ws[w].block);
      free(kn->ws[w].ell);
    }
  free(kn->ws);
  free(kn->eval);
  memset(kn, 0, sizeof(*kn));
}

dm_status dm_knife_create(dm_knife *kn, int d, int K, int view, int max_rows,
                          int nthreads) {
  memset(kn, 0, sizeof(*kn));
  if (d < 1 || K < 1 || max_rows < 1) return DM_ERR_ARG;
  kn->d = d;
  kn->K = K;
  kn->view = view;
  kn->n_params = dm_knife_param_count(d, K);
  int cap = DM_MAX(dm_shard_cap(max_rows), KNIFE_EVAL_ROWS);
  kn->n_ws = DM_MAX(DM_MAX_SHARDS, nthreads);
  kn->ws = calloc(kn->n_ws, sizeof(struct knife_ws));
  kn->eval = malloc(sizeof(double) * EVAL_SPAN(kn));
  if (!kn->ws || !kn->eval) {
    dm_knife_destroy(kn);
    return DM_ERR_NOMEM;
  }
  for (int w = 0; w < kn->n_ws; w++)
    if (ws_alloc(kn, cap, &kn->ws[w]) != DM_OK) {
      dm_knife_destroy(kn);
      return DM_ERR_NOMEM;
    }
  return DM_OK;
}

void dm_knife_init(const dm_knife *kn, float *theta, const dm_data *data,
                   const int *rows, int n_rows, uint64_t key) {
  const int d = kn->d, K = kn->K;
  memset(theta, 0, sizeof(float) * kn->n_params);
  /* K distinct rows by a partial Fisher-Yates shuffle of row positions. */
  int *pick = malloc(sizeof(int) * (n_rows + 1));
  dm_rng r;
  dm_rng_init(&r, key);
  if (pick) {
    for (int i = 0; i < n_rows; i++) pick[i] = i;
    for (int k = 0; k < K && k < n_rows; k++) {
      int j = k + (int)dm_rng_below(&r, (uint32_t)(n_rows - k));
      int t = pick[k]; pick[k] = pick[j]; pick[j] = t;
    }
  }
  for (int k = 0; k < K; k++) {
    float *mu = theta + off_mu(d, k);
    if (pick && n_rows > 0) dm_data_gather(data, 1, &kn->view, &rows[pick[k % n_rows]], 1, mu, d);
  }
  free(pick);
}

/* Only the strictly lower part of a stored L is a parameter: whatever is
 * above or on the diagonal is ignored, so it cannot influence the loss. */
static void lower_part(const float *L, int d, float *out) {
  for (int r = 0; r < d; r++)
    for (int c = 0; c < d; c++)
      out[(size_t)r * d + c] = c < r ? L[(size_t)r * d + c] : 0.0f;
}

/* Component log-terms for B rows already gathered in ws->x; keeps z and u
 * of every component for the backward pass. */
static void forward(const dm_knife *kn, const float *theta, int B,
                    struct knife_ws *ws) {
  const int d = kn->d, K = kn->K;
  const float *w = theta + off_w(d, K);
  double wmax = w[0], wsum = 0.0;
  for (int k = 1; k < K; k++) wmax = fmax(wmax, w[k]);
  for (int k = 0; k < K; k++) wsum += exp(w[k] - wmax);
  const double log_norm = wmax + log(wsum);
  for (int k = 0; k < K; k++) {
    const float *mu = theta + off_mu(d, k), *s = theta + off_s(d, k);
    const float *L = theta + off_L(d, k);
    float *z = ws->z + (size_t)k * ws->cap * d, *u = ws->u + (size_t)k * ws->cap * d;
    double logdet = 0.0;
    float *a = ws->a;
    for (int j = 0; j < d; j++) {
      double t = tanh((double)s[j]);
      logdet += t;
      a[j] = (float)exp(t);
    }
    for (int i = 0; i < B; i++)
      for (int j = 0; j < d; j++)
        z[(size_t)i * d + j] = (ws->x[(size_t)i * d + j] - mu[j]) * a[j];
    /* u = z (I + L)^T */
    lower_part(L, d, ws->Lm);
    memcpy(u, z, sizeof(float) * (size_t)B * d);
    dm_gemm(0, 1, B, d, d, 1.0f, z, d, ws->Lm, d, 1.0f, u, d);
    const double c = (w[k] - log_norm) - 0.5 * d * LOG_2PI + logdet;
    for (int i = 0; i < B; i++) {
      double q = 0.0;
      const float *ui = u + (size_t)i * d;
      for (int j = 0; j < d; j++) q += (double)ui[j] * ui[j];
      ws->ell[(size_t)i * K + k] = c - 0.5 * q;
    }
  }
}

static double row_lse(const double *v, int K) {
  double mx = v[0], s = 0.0;
  for (int k = 1; k < K; k++) mx = fmax(mx, v[k]);
  for (int k = 0; k < K; k++) s += exp(v[k] - mx);
  return mx + log(s);
}

/* Loss sum over the B rows; the gradient of scale * loss goes to ws->grad. */
static double loss_grad(const dm_knife *kn, const float *theta, int B,
                        struct knife_ws *ws, float scale) {
  float *grad = ws->grad;
  const int d = kn->d, K = kn->K;
  forward(kn, theta, B, ws);
  double total = 0.0;
  for (int i = 0; i < B; i++) {
    double *e = ws->ell + (size_t)i * K;
    double lse = row_lse(e, K);
    total -= lse;
    for (int k = 0; k < K; k++) e[k] = exp(e[k] - lse); /* responsibilities */
  }
  const float *w = theta + off_w(d, K);
  double wmax = w[0], wsum = 0.0;
  for (int k = 1; k < K; k++) wmax = fmax(wmax, w[k]);
  for (int k = 0; k < K; k++) wsum += exp(w[k] - wmax);
  float *gw = grad + off_w(d, K);
  for (int k = 0; k < K; k++) {
    const double pik = exp(w[k] - wmax) / wsum;
    const float *mu = theta + off_mu(d, k), *s = theta + off_s(d, k);
    const float *L = theta + off_L(d, k);
    float *gmu = grad + off_mu(d, k), *gs = grad + off_s(d, k);
    float *gL = grad + off_L(d, k);
    const float *z = ws->z + (size_t)k * ws->cap * d;
    const float *u = ws->u + (size_t)k * ws->cap * d;
    double gam_sum = 0.0;
    /* dLoss/du_i = scale * gamma_ik * u_i. */
    for (int i = 0; i < B; i++) {
      const float g = scale * (float)ws->ell[(size_t)i * K + k];
      gam_sum += ws->ell[(size_t)i * K + k];
      for (int j = 0; j < d; j++) ws->du[(size_t)i * d + j] = g * u[(size_t)i * d + j];
    }
    gw[k] += (float)(scale * (B * pik - gam_sum));
    /* dz = du (I + L); dL = du^T z on the strictly lower part. */
    lower_part(L, d, ws->Lm);
    memcpy(ws->dz, ws->du, sizeof(float) * (size_t)B * d);
    dm_gemm(0, 0, B, d, d, 1.0f, ws->du, d, ws->Lm, d, 1.0f, ws->dz, d);
    dm_gemm(1, 0, d, d, B, 1.0f, ws->du, d, z, d, 1.0f, gL, d);
    for (int r = 0; r < d; r++)
      for (int c = r; c < d; c++) gL[(size_t)r * d + c] = 0.0f;
    for (int j = 0; j < d; j++) {
      const double t = tanh((double)s[j]);
      const double a = exp(t), dt = 1.0 - t * t;
      double ga = 0.0, gm = 0.0;
      for (int i = 0; i < B; i++) {
        const double dzij = ws->dz[(size_t)i * d + j];
        ga += dzij * (ws->x[(size_t)i * d + j] - mu[j]);
        gm -= dzij * a;
      }
      gmu[j] += (float)gm;
      /* via a = exp(tanh(s)), and the log-determinant term -sum gamma. */
      gs[j] += (float)(ga * a * dt - scale * gam_sum * dt);
    }
  }
  return total;
}

static void gather(const dm_knife *kn, const dm_data *data, const int *rows,
                   int B, struct knife_ws *ws) {
  int v = kn->view;
  dm_data_gather(data, 1, &v, rows, B, ws->x, kn->d);
}

static dm_status knife_batch_grad(void *self, const float *theta,
                                  const dm_data *data, const int *rows, int nb,
                                  float *grad, double *loss_sum, uint64_t key,
                                  int nthreads) {
  dm_knife *kn = self;
  (void)key;
  int starts[DM_MAX_SHARDS + 1];
  int ns = dm_shard_plan(nb, starts);
  double part_loss[DM_MAX_SHARDS];
  float *parts[DM_MAX_SHARDS];
  const float scale = 1.0f / (float)nb;
  int nt = DM_MIN(nthreads, ns);
  (void)nt;
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int s = 0; s < ns; s++) {
    struct knife_ws *ws = &kn->ws[s];
    int B = starts[s + 1] - starts[s];
    memset(ws->grad, 0, sizeof(float) * kn->n_params);
    gather(kn, data, rows + starts[s], B, ws);
    part_loss[s] = loss_grad(kn, theta, B, ws, scale);
    parts[s] = ws->grad;
  }
  double total = 0.0;
  for (int s = 0; s < ns; s++) total += part_loss[s];
  *loss_sum = total;
  dm_reduce_shards(grad, parts, ns, kn->n_params, nthreads);
  return DM_OK;
}

void dm_knife_logdens(dm_knife *kn, const float *theta, const dm_data *data,
                      const int *rows, int n, double *out, int nthreads) {
  const int cap = KNIFE_EVAL_ROWS;
  const int n_chunks = (n + cap - 1) / cap;
  int nt = DM_MIN(DM_MIN(nthreads, kn->n_ws), n_chunks);
  if (nt < 1) nt = 1;
#pragma omp parallel for num_threads(nt) schedule(static, 1)
  for (int c = 0; c < n_chunks; c++) {
    struct knife_ws *ws = &kn->ws[omp_get_thread_num()];
    int start = c * cap, B = DM_MIN(cap, n - start);
    gather(kn, data, rows + start, B, ws);
    forward(kn, theta, B, ws);
    for (int i = 0; i < B; i++) out[start + i] = row_lse(ws->ell + (size_t)i * kn->K, kn->K);
  }
}

static dm_status knife_evaluate(void *self, const float *theta,
                                const dm_data *data, const int *rows, int n,
                                int nthreads, double *loss, double *acc) {
  dm_knife *kn = self;
  const int span = (int)EVAL_SPAN(kn);
  double s = 0.0;
  for (int start = 0; start < n; start += span) {
    const int m = DM_MIN(span, n - start);
    dm_knife_logdens(kn, theta, data, rows + start, m, kn->eval, nthreads);
    for (int i = 0; i < m; i++) s -= kn->eval[i];
  }
  *loss = n > 0 ? s / n : NAN;
  *acc = NAN;
  return DM_OK;
}

dm_model dm_knife_model(dm_knife *kn) {
  dm_model m;
  m.self = kn;
  m.n_params = kn->n_params;
  m.K = 0;
  m.batch_grad = knife_batch_grad;
  m.logits = NULL;
  m.evaluate = knife_evaluate;
  m.epoch_begin = NULL;
  return m;
}
