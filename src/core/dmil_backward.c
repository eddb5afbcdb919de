/* dmil_backward.c -- the DMIL backward pass through posterior layers,
 * fusion and encoders, and the functional-ANOVA penalty on the synergy
 * head. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_dmil_impl.h"
#include "dm_gemm.h"
#include "dm_layer.h"
#include "dm_loss.h"
#include "dm_omp.h"
#include "dm_rng.h"

void dm_dmil_backward_trunk(const dm_dmil *net, const float *theta, int B,
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

/* For each row i of the shard and view m, P partners j from the whole batch:
 * the synergy head's output at posterior means with view m of i replaced
 * by that of j, averaged over the partners, should vanish. Encodings enter
 * as constants: the penalty shapes the synergy channel only.
 * The fusion layer is linear before its ReLU, so a partner row's
 * pre-activation is sum_m' W_Fm' h_im' - W_Fm h_im + W_Fm h_jm + b_F, made of
 * shares every row has computed already; and its weight gradient
 * sum_rows df_row [h_row]^T collects, block by block, into one gradient row
 * per batch sample: the shard's scatter buffer sb, which dm_dmil_anova_weight_grad()
 * sums over shards and multiplies with the batch's encodings.
 * With missing views the penalty reads the rows that have every view and,
 * for view m, the partners that have view m: a partner without it counts
 * for nothing (its gradient is 0), and the mean is over the others. */
double dm_dmil_anova_term(dm_dmil *net, const float *theta, const int *starts,
                          int nb, int s, uint64_t key, float *grad) {
  const dm_dmil_arch *a = &net->a;
  const dm_dmil_loss *L = &net->loss;
  const int M = a->M, H = a->H, D = a->D, K = a->K, MH = M * H, P = L->partners;
  struct dmil_ws *ws = &net->ws[s];
  const int B = starts[s + 1] - starts[s];
  const int R = B * M * P;
  if (L->lambda_anova == 0) return 0.0;
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
        ws->pres_part[(size_t)(i * M + m) * P + p] = ws->all[i] && has_view(wj, M, j - starts[sj], m);
        const float *DM_RESTRICT own = ws->fshare + ((size_t)m * ws->cap + i) * H;
        const float *DM_RESTRICT other = wj->fshare + ((size_t)m * wj->cap + (j - starts[sj])) * H;
        float *DM_RESTRICT f = ws->part_f + ((size_t)(i * M + m) * P + p) * H;
        for (int k = 0; k < H; k++) f[k] = bF[k] + other[k] - own[k];
        add_shares_relu(f, ws, i, M, H);
      }
  }
  const float *Wsp = theta + net->off_spost;
  dm_dense_forward(R, H, D, ws->part_f, H, Wsp, Wsp + (size_t)2 * D * H, ws->part_mu, D, DM_ACT_NONE);
  dm_gemm(0, 1, R, K, D, 1.0f, ws->part_mu, D, theta + net->off_as, D, 0.0f, ws->part_a, K);
  double total = 0.0;
  const double coef = (double)L->lambda_anova / ((double)nb * M);
  const unsigned char *valid = ws->pres_part;
  for (int im = 0; im < B * M; im++) {
    float *g = ws->part_mean;
    const unsigned char *ok = valid + (size_t)im * P;
    int nv = 0;
    for (int p = 0; p < P; p++) nv += ok[p];
    for (int k = 0; k < K; k++) {
      double s_ = 0.0;
      for (int p = 0; p < P; p++)
        if (ok[p]) s_ += ws->part_a[((size_t)im * P + p) * K + k];
      g[k] = nv ? (float)(s_ / nv) : 0.0f;
      total += coef * g[k] * g[k];
    }
    for (int p = 0; p < P; p++)
      for (int k = 0; k < K; k++)
        ws->dpart_a[((size_t)im * P + p) * K + k] = ok[p] ? (float)(2.0 * coef * g[k] / nv) : 0.0f;
  }
  dm_gemm(1, 0, K, D, R, 1.0f, ws->dpart_a, K, ws->part_mu, D, 1.0f, grad + net->off_as, D);
  dm_gemm(0, 0, R, D, K, 1.0f, ws->dpart_a, K, theta + net->off_as, D, 0.0f, ws->dpart_mu, D);
  /* Only the mean rows of the synergy posterior layer are involved; the
   * ReLU mask of the fusion output applies to dpf. */
  dm_dense_backward(R, H, D, ws->part_f, H, Wsp, ws->part_mu, D, ws->dpart_mu, D, grad + net->off_spost,
                    grad + net->off_spost + (size_t)2 * D * H, ws->dpart_f, H, 1, DM_ACT_NONE);
  /* Scatter the pre-activation gradients: row (i, m <- j) puts its
   * gradient on block m of sample j and on the other blocks of sample i. */
  float *gW = grad + net->fuse.offset, *gb = gW + (size_t)H * MH;
  memset(ws->scatter, 0, sizeof(float) * (size_t)M * nb * H);
  for (int i = 0; i < B; i++) {
    dm_rng r;
    dm_rng_init(&r, dm_rng_derive(key, (uint64_t)nb + starts[s] + i));
    const int gi = starts[s] + i;
    for (int m = 0; m < M; m++)
      for (int p = 0; p < P; p++) {
        const int j = (int)dm_rng_below(&r, (uint32_t)nb);
        const size_t row = (size_t)(i * M + m) * P + p;
        float *DM_RESTRICT d = ws->dpart_f + row * H;
        const float *DM_RESTRICT f = ws->part_f + row * H;
#pragma omp simd
        for (int k = 0; k < H; k++) d[k] = f[k] > 0.0f ? d[k] : 0.0f;
        for (int k = 0; k < H; k++) gb[k] += d[k];
        for (int b = 0; b < M; b++) {
          float *DM_RESTRICT dst = ws->scatter + ((size_t)b * nb + (b == m ? j : gi)) * H;
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
void dm_dmil_anova_weight_grad(dm_dmil *net, int ns, int nb, const float *hall, float *grad,
                               int nthreads) {
  const int M = net->a.M, H = net->a.H, MH = M * H;
  float *gW = grad + net->fuse.offset;
  int nt = DM_MIN(nthreads, M);
  (void)nt;
#pragma omp parallel for num_threads(nt) schedule(static)
  for (int b = 0; b < M; b++) {
    float *DM_RESTRICT acc = net->ws[0].scatter + (size_t)b * nb * H;
    for (int s = 1; s < ns; s++) {
      const float *DM_RESTRICT part = net->ws[s].scatter + (size_t)b * nb * H;
#pragma omp simd
      for (size_t k = 0; k < (size_t)nb * H; k++) acc[k] += part[k];
    }
    dm_gemm(1, 0, H, H, nb, 1.0f, acc, H, hall + (size_t)b * H, MH, 1.0f, gW + (size_t)b * H, MH);
  }
}
