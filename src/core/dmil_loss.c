/* dmil_loss.c -- the per-sample terms of the DMIL loss and their
 * gradients up to the posterior outputs, and the batch-level
 * orthogonality term. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_dmil_impl.h"
#include "dm_gemm.h"
#include "dm_loss.h"

/* KL(N(mu, exp(lv)) || N(0, 1)) and its gradient; sd = exp(lv / 2). */
static double kl_std_normal(float mu, float lv, float sd, float *dmu, float *dlv, float coef) {
  const double ev = (double)sd * sd;
  *dmu += coef * mu;
  *dlv += (float)(coef * 0.5 * (ev - 1.0));
  return 0.5 * (ev + (double)mu * mu - 1.0 - lv);
}

double dm_dmil_sample_losses(const dm_dmil *net, const float *theta,
                             const dm_data *data, const int *rows, int B,
                             struct dmil_ws *ws, float scale, float *grad) {
  const dm_dmil_arch *a = &net->a;
  const dm_dmil_loss *L = &net->loss;
  const int M = a->M, D = a->D, K = a->K;
  const size_t cK = (size_t)ws->cap * K, cD = (size_t)ws->cap * D;
  const float bs = net->beta_scale;
  double total = 0.0;
  int *lab = ws->labels;
  for (int i = 0; i < B; i++) lab[i] = data->y[rows[i]];
  memset(ws->dau, 0, sizeof(float) * M * cK);
  memset(ws->dl_red, 0, sizeof(float) * M * cK);
  memset(ws->das, 0, sizeof(float) * cK);
  memset(ws->dl_add, 0, sizeof(float) * cK);
  memset(ws->drp, 0, sizeof(float) * M * 2 * cD);
  memset(ws->dup, 0, sizeof(float) * M * 2 * cD);
  memset(ws->dsp, 0, sizeof(float) * 2 * cD);

  /* Cross-entropies, one row at a time (weights differ per row). A row
   * lacking a view has no terms of that view's own logits, and its
   * prediction has no synergy part (forward_heads), so neither has the
   * synergy term. */
  for (int i = 0; i < B; i++) {
    const int row = rows[i], all = ws->all[i];
    const size_t ik = (size_t)i * K;
    float *dl = ws->dl; /* K scratch */
    if (L->lambda_full != 0) {
      float c = L->lambda_full * (L->w_full ? L->w_full[row] : 1.0f);
      total += c * dm_softmax_ce(1, K, ws->l + ik, K, lab + i, NULL, c * scale, dl, K, 0);
      for (int k = 0; k < K; k++) {
        if (all) ws->das[ik + k] += dl[k];
        ws->dl_add[ik + k] += dl[k];
      }
    }
    if (L->lambda_syn_sg != 0 && all) {
      float c = L->lambda_syn_sg * (L->w_syn ? L->w_syn[row] : 1.0f);
      total += c * dm_softmax_ce(1, K, ws->l + ik, K, lab + i, NULL, c * scale, dl, K, 0);
      for (int k = 0; k < K; k++) ws->das[ik + k] += dl[k]; /* sg(l_add) */
    }
    for (int m = 0; m < M; m++) {
      if (!has_view(ws, M, i, m)) continue;
      if (L->lambda_uni != 0) {
        float c = L->lambda_uni / M;
        total += c * dm_softmax_ce(1, K, ws->l_view + m * cK + ik, K, lab + i, NULL, c * scale, dl, K, 0);
        for (int k = 0; k < K; k++) {
          ws->dau[m * cK + ik + k] += dl[k];
          ws->dl_red[m * cK + ik + k] += dl[k];
        }
      }
      if (L->lambda_uni_sg != 0) {
        float c = L->lambda_uni_sg * (L->w_uni ? L->w_uni[(size_t)row * M + m] : 1.0f);
        total += c * dm_softmax_ce(1, K, ws->l_view + m * cK + ik, K, lab + i, NULL, c * scale, dl, K, 0);
        for (int k = 0; k < K; k++) ws->dau[m * cK + ik + k] += dl[k]; /* sg(l_R^m) */
      }
      if (L->lambda_red != 0) {
        float c = L->lambda_red / M * (L->w_red ? L->w_red[row] : 1.0f);
        total += c * dm_softmax_ce(1, K, ws->l_red + m * cK + ik, K, lab + i, NULL, c * scale, dl, K, 0);
        for (int k = 0; k < K; k++) ws->dl_red[m * cK + ik + k] += dl[k];
      }
    }
  }
  /* Route logit gradients to the heads and the bias. */
  float *db = grad + net->off_b;
  for (int i = 0; i < B; i++)
    for (int k = 0; k < K; k++) {
      const size_t ik = (size_t)i * K + k;
      /* l_add feeds a_Rbar, the a_U^m of the views present and b; l_R^m
       * feeds a_R^m and b */
      float g = ws->dl_add[ik];
      db[k] += g;
      for (int m = 0; m < M; m++) {
        if (has_view(ws, M, i, m)) ws->dau[m * cK + ik] += g;
        db[k] += ws->dl_red[m * cK + ik];
      }
    }
  /* Heads: dW += dA^T z, dz = dA W. */
  const float *WR = theta + net->off_ar, *WS = theta + net->off_as;
  for (int m = 0; m < M; m++) {
    dm_gemm(1, 0, K, D, B, 1.0f, ws->dl_red + m * cK, K, zbuf(ws, ws->z, CODE_R(m), D), D, 1.0f,
            grad + net->off_ar, D);
    dm_gemm(0, 0, B, D, K, 1.0f, ws->dl_red + m * cK, K, WR, D, 0.0f, zbuf(ws, ws->dz, CODE_R(m), D), D);
    dm_gemm(1, 0, K, D, B, 1.0f, ws->dau + m * cK, K, zbuf(ws, ws->z, CODE_U(m), D), D, 1.0f,
            grad + net->off_au[m], D);
    dm_gemm(0, 0, B, D, K, 1.0f, ws->dau + m * cK, K, theta + net->off_au[m], D, 0.0f,
            zbuf(ws, ws->dz, CODE_U(m), D), D);
  }
  dm_gemm(1, 0, K, D, B, 1.0f, ws->dl_add, K, zbuf(ws, ws->z, CODE_BAR, D), D, 1.0f,
          grad + net->off_ar, D);
  dm_gemm(0, 0, B, D, K, 1.0f, ws->dl_add, K, WR, D, 0.0f, zbuf(ws, ws->dz, CODE_BAR, D), D);
  dm_gemm(1, 0, K, D, B, 1.0f, ws->das, K, zbuf(ws, ws->z, CODE_S, D), D, 1.0f,
          grad + net->off_as, D);
  dm_gemm(0, 0, B, D, K, 1.0f, ws->das, K, WS, D, 0.0f, zbuf(ws, ws->dz, CODE_S, D), D);

  /* Latent terms per row: reparameterisation, product of experts, KL,
   * alignment. Gradients are taken w.r.t. the clamped log-variance and
   * passed to the raw one where the clamp is inactive. */
  const int npairs = M * (M - 1) / 2;
  const float lambda_align = L->lambda_align * scale / (npairs > 0 ? npairs : 1);
  for (int i = 0; i < B; i++) {
    for (int k = 0; k < D; k++) {
      /* product of experts backward */
      const double t = ws->tau[(size_t)i * D + k], mub = ws->mubar[(size_t)i * D + k];
      const double dzb = zbuf(ws, ws->dz, CODE_BAR, D)[(size_t)i * D + k];
      const double eb = zbuf(ws, ws->eps, CODE_BAR, D)[(size_t)i * D + k];
      const double dmub = dzb;
      const double dtau = dzb * eb * (-0.5) / (t * sqrt(t)) - dmub * mub / t;
      const double dS = dmub / t;
      for (int m = 0; m < M; m++) {
        if (!has_view(ws, M, i, m)) continue; /* not in the product, no KL */
        float *row = code_row(net, ws, CODE_R(m), i);
        float *drow = ws->drp + ((size_t)m * ws->cap + i) * 2 * D;
        const float raw = row[D + k];
        const float lv = clampf(raw, LOGVAR_MIN, LOGVAR_MAX);
        const float sd = zbuf(ws, ws->sd, CODE_R(m), D)[(size_t)i * D + k];
        const double w = 1.0 / ((double)sd * sd);
        double dmu = dS * w;
        double dlv = -w * (dS * row[k] + dtau);
        /* own sample z_R^m */
        const double dz = zbuf(ws, ws->dz, CODE_R(m), D)[(size_t)i * D + k];
        const double e = zbuf(ws, ws->eps, CODE_R(m), D)[(size_t)i * D + k];
        dmu += dz;
        dlv += dz * e * 0.5 * sd;
        float fdmu = (float)dmu, fdlv = (float)dlv;
        if (L->beta_R != 0) total += L->beta_R * bs * kl_std_normal(row[k], lv, sd, &fdmu, &fdlv, L->beta_R * bs * scale);
        drow[k] += fdmu;
        if (raw > LOGVAR_MIN && raw < LOGVAR_MAX) drow[D + k] += fdlv;
      }
      /* alignment of the views' redundant posteriors */
      if (L->lambda_align != 0)
        for (int p = 0; p < M; p++)
          for (int q = p + 1; q < M; q++) {
            if (!has_view(ws, M, i, p) || !has_view(ws, M, i, q)) continue;
            float *rp_ = code_row(net, ws, CODE_R(p), i), *rq = code_row(net, ws, CODE_R(q), i);
            float *dp = ws->drp + ((size_t)p * ws->cap + i) * 2 * D;
            float *dq = ws->drp + ((size_t)q * ws->cap + i) * 2 * D;
            const float la = clampf(rp_[D + k], LOGVAR_MIN, LOGVAR_MAX);
            const float lb = clampf(rq[D + k], LOGVAR_MIN, LOGVAR_MAX);
            const double diff = (double)rp_[k] - rq[k];
            const double ea = exp(-(double)la), eb2 = exp(-(double)lb);
            const double rab = exp((double)la - lb), rba = 1.0 / rab;
            total += L->lambda_align / (npairs > 0 ? npairs : 1) *
                     0.25 * (rab + rba + diff * diff * (ea + eb2) - 2.0);
            dp[k] += (float)(lambda_align * 0.5 * diff * (ea + eb2));
            dq[k] -= (float)(lambda_align * 0.5 * diff * (ea + eb2));
            if (rp_[D + k] > LOGVAR_MIN && rp_[D + k] < LOGVAR_MAX)
              dp[D + k] += (float)(lambda_align * 0.25 * (rab - rba - diff * diff * ea));
            if (rq[D + k] > LOGVAR_MIN && rq[D + k] < LOGVAR_MAX)
              dq[D + k] += (float)(lambda_align * 0.25 * (rba - rab - diff * diff * eb2));
          }
      /* unique and synergy codes */
      for (int c = 0; c < 2 * M + 2; c++) {
        if (c < M || c == CODE_BAR) continue;
        /* an absent view's unique code, and the synergy code of a row
         * lacking a view, are in no term: no KL either */
        if (c == CODE_S ? !ws->all[i] : !has_view(ws, M, i, c - M)) continue;
        float *row = code_row(net, ws, c, i);
        float *drow = c == CODE_S ? ws->dsp + (size_t)i * 2 * D
                                  : ws->dup + ((size_t)(c - M) * ws->cap + i) * 2 * D;
        const float raw = row[D + k];
        const float lv = clampf(raw, LOGVAR_MIN, LOGVAR_MAX);
        const double dz = zbuf(ws, ws->dz, c, D)[(size_t)i * D + k];
        const double e = zbuf(ws, ws->eps, c, D)[(size_t)i * D + k];
        const float sd = zbuf(ws, ws->sd, c, D)[(size_t)i * D + k];
        float fdmu = (float)dz, fdlv = (float)(dz * e * 0.5 * sd);
        const float beta = c == CODE_S ? L->beta_S : L->beta_U;
        if (beta != 0) total += beta * bs * kl_std_normal(row[k], lv, sd, &fdmu, &fdlv, beta * bs * scale);
        drow[k] += fdmu;
        if (raw > LOGVAR_MIN && raw < LOGVAR_MAX) drow[D + k] += fdlv;
      }
    }
  }
  return total;
}

/* Adds the term's gradient to the shards' posterior gradients; returns its
 * value times nb. View m's correlation is taken over the batch rows that
 * have view m. */
double dm_dmil_orth_term(dm_dmil *net, const int *starts, int ns, int nb) {
  const dm_dmil_arch *a = &net->a;
  const int M = a->M, D = a->D;
  const float c = net->loss.lambda_orth;
  if (c == 0 || nb < 2) return 0.0;
  double total = 0.0;
  float *sd = net->orth_ws, *mA = sd + 2 * D, *C = mA + 2 * D;
  float *X[2] = {net->bmu_r, net->bmu_u}, *G[2] = {net->bgrad_r, net->bgrad_u};
  const int nb_all = nb;
  for (int m = 0; m < M; m++) {
    /* Gather the batch's means and standardise each dimension in place. */
    nb = 0;
    for (int s = 0; s < ns; s++) {
      struct dmil_ws *ws = &net->ws[s];
      for (int i = starts[s]; i < starts[s + 1]; i++) {
        const int li = i - starts[s];
        if (!has_view(ws, M, li, m)) continue;
        memcpy(X[0] + (size_t)nb * D, ws->rp + ((size_t)m * ws->cap + li) * 2 * D, sizeof(float) * D);
        memcpy(X[1] + (size_t)nb * D, ws->up + ((size_t)m * ws->cap + li) * 2 * D, sizeof(float) * D);
        nb++;
      }
    }
    if (nb < 2) continue;
    for (int t = 0; t < 2; t++)
      for (int k = 0; k < D; k++) {
        double s1 = 0.0, s2 = 0.0;
        for (int i = 0; i < nb; i++) s1 += X[t][(size_t)i * D + k];
        const double mu = s1 / nb;
        for (int i = 0; i < nb; i++) {
          const double d = X[t][(size_t)i * D + k] - mu;
          s2 += d * d;
        }
        const double sdk = sqrt(s2 / nb + 1e-6);
        sd[t * D + k] = (float)sdk;
        for (int i = 0; i < nb; i++)
          X[t][(size_t)i * D + k] = (float)((X[t][(size_t)i * D + k] - mu) / sdk);
      }
    /* C = A^T B / nb; the loss is c |C|_F^2. */
    dm_gemm(1, 0, D, D, nb, 1.0f / nb, X[0], D, X[1], D, 0.0f, C, D);
    double fro = 0.0;
    for (int k = 0; k < D * D; k++) fro += (double)C[k] * C[k];
    total += c * fro;
    /* dL/dA = (2c/nb) B C^T, dL/dB = (2c/nb) A C; then back through the
     * standardisation, per dimension: dx = (da - mean(da) - a mean(da a)) / sd. */
    dm_gemm(0, 1, nb, D, D, 2.0f * c / nb, X[1], D, C, D, 0.0f, G[0], D);
    dm_gemm(0, 0, nb, D, D, 2.0f * c / nb, X[0], D, C, D, 0.0f, G[1], D);
    for (int t = 0; t < 2; t++) {
      for (int k = 0; k < 2 * D; k++) mA[k] = 0.0f;
      for (int i = 0; i < nb; i++)
        for (int k = 0; k < D; k++) {
          const float g = G[t][(size_t)i * D + k];
          mA[k] += g / nb;
          mA[D + k] += g * X[t][(size_t)i * D + k] / nb;
        }
      for (int i = 0; i < nb; i++)
        for (int k = 0; k < D; k++) {
          float *g = &G[t][(size_t)i * D + k];
          *g = (*g - mA[k] - X[t][(size_t)i * D + k] * mA[D + k]) / sd[t * D + k];
        }
    }
    /* Scatter into the shards' posterior gradients (mean part), in the
     * order of the gathering. */
    int q = 0;
    for (int s = 0; s < ns; s++) {
      struct dmil_ws *ws = &net->ws[s];
      for (int i = starts[s]; i < starts[s + 1]; i++) {
        const int li = i - starts[s];
        if (!has_view(ws, M, li, m)) continue;
        float *dr = ws->drp + ((size_t)m * ws->cap + li) * 2 * D;
        float *du = ws->dup + ((size_t)m * ws->cap + li) * 2 * D;
        for (int k = 0; k < D; k++) {
          dr[k] += G[0][(size_t)q * D + k];
          du[k] += G[1][(size_t)q * D + k];
        }
        q++;
      }
    }
  }
  return total * nb_all;
}
