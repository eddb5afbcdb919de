/* dmil_forward.c -- the DMIL network's forward pass: trunk (encoders,
 * posterior layers, fusion), sampled codes, product of experts and heads;
 * and prediction at posterior means with missing views. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_dmil_impl.h"
#include "dm_gemm.h"
#include "dm_layer.h"
#include "dm_omp.h"
#include "dm_rng.h"

/* Encoders, posterior layers and fusion for B rows (gathered here). */
void dm_dmil_forward_trunk(const dm_dmil *net, const float *theta,
                           const dm_data *data, const int *rows, int B,
                           struct dmil_ws *ws) {
  const dm_dmil_arch *a = &net->a;
  const int M = a->M, H = a->H, D = a->D, MH = M * H;
  for (int i = 0; i < B; i++) {
    const unsigned char *pr = dm_data_present(data, rows[i]);
    int all = 1;
    for (int m = 0; m < M; m++) {
      ws->pres[(size_t)i * M + m] = pr ? pr[m] : 1;
      all &= ws->pres[(size_t)i * M + m];
    }
    ws->all[i] = (unsigned char)all;
  }
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
            ws->fshare + (size_t)m * ws->cap * H, H);
  for (int i = 0; i < B; i++) {
    float *DM_RESTRICT f = ws->fs + (size_t)i * H;
    for (int j = 0; j < H; j++) f[j] = bF[j];
    add_shares_relu(f, ws, i, M, H);
  }
  const float *W = theta + net->off_spost;
  dm_dense_forward(B, H, 2 * D, ws->fs, H, W, W + (size_t)2 * D * H, ws->sp, 2 * D,
                   DM_ACT_NONE);
}

/* The product of experts of row i's redundant codes over the views present
 * (pr: M flags): precision tau (D) and mean (D; 0 where no view is
 * present). Training samples around it and prediction uses the mean, so
 * both read it from here. */
static void poe_fuse(const dm_dmil *net, struct dmil_ws *ws, int i,
                     const unsigned char *pr, float *DM_RESTRICT tau,
                     float *DM_RESTRICT mean) {
  const int M = net->a.M, D = net->a.D;
  for (int k = 0; k < D; k++) {
    float t = 0.0f, s = 0.0f;
    for (int m = 0; m < M; m++) {
      if (!pr[m]) continue;
      const float *row = code_row(net, ws, CODE_R(m), i);
      const float sd = expf(0.5f * clampf(row[D + k], LOGVAR_MIN, LOGVAR_MAX));
      const float w = 1.0f / (sd * sd);
      t += w;
      s += w * row[k];
    }
    tau[k] = t;
    mean[k] = t > 0.0f ? s / t : 0.0f;
  }
}

/* One logit: the redundant head's output (red), the bias b, the unique
 * heads' outputs au[m * stride] of the views present (pr: M flags) and the
 * synergy head's output as when all are present; cp (M + 3 entries K apart, or
 * NULL) receives each part. */
static float head_sum(float red, float b, const float *au, size_t stride, float as,
                      const unsigned char *pr, int M, int K, float *cp) {
  double l = red + b;
  int all = 1;
  for (int m = 0; m < M; m++) {
    const int here = pr[m];
    const float u = here ? au[m * stride] : 0.0f;
    all &= here;
    l += u;
    if (cp) cp[(size_t)(1 + m) * K] = u;
  }
  const float sy = all ? as : 0.0f;
  if (cp) {
    cp[0] = red;
    cp[(size_t)(1 + M) * K] = sy;
    cp[(size_t)(2 + M) * K] = b;
  }
  return (float)(l + sy);
}

/* Samples (or means) of every code, the product of experts, head outputs
 * and logits. row0: position of the shard's first row in the batch. */
void dm_dmil_forward_heads(const dm_dmil *net, const float *theta, int B,
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
    /* the redundant code is sampled around the product of experts */
    float *DM_RESTRICT tau = ws->tau + (size_t)i * D, *DM_RESTRICT mb = ws->mubar + (size_t)i * D;
    float *DM_RESTRICT zb = zbuf(ws, ws->z, CODE_BAR, D) + (size_t)i * D;
    const float *DM_RESTRICT e = e_all + (size_t)CODE_BAR * D;
    poe_fuse(net, ws, i, ws->pres + (size_t)i * M, tau, mb);
    for (int k = 0; k < D; k++) zb[k] = mb[k] + e[k] / sqrtf(tau[k]);
  }
  const float *WR = theta + net->off_ar, *WS = theta + net->off_as, *b = theta + net->off_b;
  const size_t cK = (size_t)ws->cap * K;
  for (int m = 0; m < M; m++) {
    dm_gemm(0, 1, B, K, D, 1.0f, zbuf(ws, ws->z, CODE_R(m), D), D, WR, D, 0.0f,
            ws->l_red + m * cK, K);
    dm_gemm(0, 1, B, K, D, 1.0f, zbuf(ws, ws->z, CODE_U(m), D), D, theta + net->off_au[m], D,
            0.0f, ws->au + m * cK, K);
  }
  dm_gemm(0, 1, B, K, D, 1.0f, zbuf(ws, ws->z, CODE_BAR, D), D, WR, D, 0.0f, ws->arbar, K);
  dm_gemm(0, 1, B, K, D, 1.0f, zbuf(ws, ws->z, CODE_S, D), D, WS, D, 0.0f, ws->as, K);
  for (int i = 0; i < B; i++)
    for (int k = 0; k < K; k++) {
      const size_t ik = (size_t)i * K + k;
      for (int m = 0; m < M; m++) {
        ws->l_red[m * cK + ik] += b[k];
        ws->l_view[m * cK + ik] = ws->l_red[m * cK + ik] + ws->au[m * cK + ik];
      }
      ws->l[ik] = head_sum(ws->arbar[ik], b[k], ws->au + ik, cK, ws->as[ik], ws->pres + (size_t)i * M,
                           M, K, NULL);
    }
}

/* Posterior-mean evaluation of one chunk (rows already in ws via
 * forward_trunk, which read which views each row has). */
static void eval_chunk(const dm_dmil *net, const float *theta, int B,
                       struct dmil_ws *ws, float *logits, float *comps) {
  const dm_dmil_arch *a = &net->a;
  const int M = a->M, D = a->D, K = a->K;
  const float *WR = theta + net->off_ar, *WS = theta + net->off_as, *b = theta + net->off_b;
  float *mub = ws->mubar;
  for (int i = 0; i < B; i++)
    poe_fuse(net, ws, i, ws->pres + (size_t)i * M, ws->tau + (size_t)i * D, mub + (size_t)i * D);
  dm_gemm(0, 1, B, K, D, 1.0f, mub, D, WR, D, 0.0f, ws->arbar, K);
  /* means of the unique and synergy codes are the first D of each row */
  for (int m = 0; m < M; m++)
    dm_gemm(0, 1, B, K, D, 1.0f, ws->up + (size_t)m * ws->cap * 2 * D, 2 * D,
            theta + net->off_au[m], D, 0.0f, ws->au + (size_t)m * ws->cap * K, K);
  dm_gemm(0, 1, B, K, D, 1.0f, ws->sp, 2 * D, WS, D, 0.0f, ws->as, K);
  const size_t cK = (size_t)ws->cap * K;
  for (int i = 0; i < B; i++) {
    const unsigned char *pr = ws->pres + (size_t)i * M;
    for (int k = 0; k < K; k++) {
      const size_t ik = (size_t)i * K + k;
      logits[ik] = head_sum(ws->arbar[ik], b[k], ws->au + ik, cK, ws->as[ik], pr, M, K,
                            comps ? comps + (size_t)i * (M + 3) * K + k : NULL);
    }
  }
}

void dm_dmil_predict(dm_dmil *net, const float *theta, const dm_data *data,
                     const int *rows, int n, float *logits, float *comps, int nthreads) {
  const int M = net->a.M, K = net->a.K;
  const int cap = EVAL_ROWS;
  const int n_chunks = (n + cap - 1) / cap;
  int nt = DM_MIN(DM_MIN(nthreads, net->n_ws), n_chunks);
  if (nt < 1) nt = 1;
#pragma omp parallel for num_threads(nt) schedule(static, 1)
  for (int c = 0; c < n_chunks; c++) {
    struct dmil_ws *ws = &net->ws[omp_get_thread_num()];
    const int start = c * cap, B = DM_MIN(cap, n - start);
    dm_dmil_forward_trunk(net, theta, data, rows + start, B, ws);
    eval_chunk(net, theta, B, ws, logits + (size_t)start * K,
               comps ? comps + (size_t)start * (M + 3) * K : NULL);
  }
}
