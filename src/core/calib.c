/* calib.c -- fitting the calibration maps and stacks by cross-fitting,
 * and applying them (dm_calib.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_calib_impl.h"
#include "dm_loss.h"
#include "dm_minimize.h"
#include "dm_omp.h"

#define BFGS_ITER 200
#define BFGS_GTOL 1e-8
/* A weight of this softplus argument is about 6e-6: a part left out. */
#define OFF_WEIGHT (-12.0)
#define INIT_EPS 0.01

/* ---- per-row quantities -------------------------------------------------- */

/* Centred ratio z (K) and strength of row i of a column-major n x K log
 * posterior matrix. */
static double centred_ratio(const double *logp, int n, int K, int i, const double *lp,
                            double *z) {
  double mean = 0.0;
  for (int k = 0; k < K; k++) {
    double v = logp[(size_t)k * n + i] - lp[k];
    /* A discriminator's log probability is finite; guard the arithmetic
     * against -Inf anyway (a class it has never seen). */
    if (!(v > -1e6)) v = -1e6;
    z[k] = v;
    mean += v;
  }
  mean /= K;
  double t2 = 0.0;
  for (int k = 0; k < K; k++) {
    z[k] -= mean;
    t2 += z[k] * z[k];
  }
  return sqrt(t2);
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* ---- fitting --------------------------------------------------------------- */

typedef struct {
  int M, K, S, bins, nf;
  int *fit_rows;   /* nf */
  int *y;          /* nf labels */
  double *z;       /* S blocks of nf x K centred ratios */
  double *t;       /* S blocks of nf */
  double *zm;      /* S blocks of nf x K mapped ratios */
  double *scratch; /* (MAX_PARAMS + 2) x K, for the objective */
  double *work;    /* BFGS */
  double *sorted;  /* nf */
} fit_ws;

static void ws_free(fit_ws *w) {
  free(w->fit_rows); free(w->y); free(w->z); free(w->t); free(w->zm);
  free(w->scratch); free(w->work); free(w->sorted);
  memset(w, 0, sizeof(*w));
}

static dm_status ws_alloc(fit_ws *w, int M, int K, int bins, int n_rows) {
  memset(w, 0, sizeof(*w));
  w->M = M;
  w->K = K;
  w->S = (1 << M) - 1;
  w->bins = bins;
  w->nf = DM_MIN(n_rows, DM_CALIB_MAX_ROWS);
  const size_t nk = (size_t)w->nf * K;
  w->fit_rows = malloc(sizeof(int) * ((size_t)w->nf + 1));
  w->y = malloc(sizeof(int) * ((size_t)w->nf + 1));
  w->z = malloc(sizeof(double) * (w->S * nk + 1));
  w->t = malloc(sizeof(double) * ((size_t)w->S * w->nf + 1));
  w->zm = malloc(sizeof(double) * (w->S * nk + 1));
  w->scratch = malloc(sizeof(double) * ((MAX_PARAMS + 2) * (size_t)K + 1));
  w->work = malloc(sizeof(double) * (DM_BFGS_WORK(MAX_PARAMS) + 1));
  w->sorted = malloc(sizeof(double) * ((size_t)w->nf + 1));
  if (!w->fit_rows || !w->y || !w->z || !w->t || !w->zm || !w->scratch || !w->work ||
      !w->sorted) {
    ws_free(w);
    return DM_ERR_NOMEM;
  }
  return DM_OK;
}

static double quantile_sorted(const double *s, int n, double q) {
  const double h = q * (n - 1);
  const int lo = (int)floor(h);
  if (lo >= n - 1) return s[n - 1];
  return s[lo] + (h - lo) * (s[lo + 1] - s[lo]);
}

static void fit_in_ws(fit_ws *w, int n, const double *const *logp, const int *y,
                      const int *rows, int n_rows, const double *lp, double *maps,
                      double *stacks) {
  const int S = w->S, K = w->K, B = w->bins, nf = w->nf;
  const size_t nk = (size_t)nf * K;
  const int map_len = DM_CALIB_MAP_LEN(B), stack_len = DM_CALIB_STACK_LEN(w->M);
  /* Evenly spaced fitting rows when there are more than the cap. */
  for (int j = 0; j < nf; j++) {
    const int r = rows[(int)((double)j * n_rows / nf)];
    w->fit_rows[j] = r;
    w->y[j] = y[r];
  }
  dm_calib_problem P;
  memset(&P, 0, sizeof(P));
  P.n = nf;
  P.K = K;
  P.lp = lp;
  P.y = w->y;
  P.scratch = w->scratch;
  double x[MAX_PARAMS], g[MAX_PARAMS], w0[MAX_PARAMS];

  /* Maps. */
  for (int s = 0; s < S; s++) {
    double *z = w->z + s * nk, *t = w->t + (size_t)s * nf;
    for (int j = 0; j < nf; j++)
      t[j] = centred_ratio(logp[s], n, K, w->fit_rows[j], lp, z + (size_t)j * K);
    memcpy(w->sorted, t, sizeof(double) * nf);
    qsort(w->sorted, nf, sizeof(double), cmp_double);
    double *mp = maps + (size_t)s * map_len;
    for (int b = 1; b < B; b++) mp[b - 1] = quantile_sorted(w->sorted, nf, (double)b / B);
    dm_calib_set_map(&P, B, mp);
    P.z = z;
    P.t = t;
    for (int b = 0; b < B; b++) x[b] = softplus_inv(1.0);
    x[B] = logit(INIT_EPS);
    dm_bfgs(B + 1, x, dm_calib_objective, &P, BFGS_ITER, BFGS_GTOL, w->work);
    double slope[DM_CALIB_MAX_BINS];
    for (int b = 0; b < B; b++) slope[b] = mp[B - 1 + b] = softplus(x[b]);
    mp[2 * B - 1] = sigmoid(x[B]);
    double *zm = w->zm + s * nk;
    for (int j = 0; j < nf; j++)
      dm_calib_map_ratio(&P, slope, z + (size_t)j * K, t[j], zm + (size_t)j * K);
  }

  /* Stacks, smaller subsets first. */
  for (int size = 1; size <= w->M; size++) {
    for (int s = 0; s < S; s++) {
      const unsigned a = (unsigned)s + 1;
      if (dm_popcount(a) != size) continue;
      double *st = stacks + (size_t)s * stack_len;
      for (int c = 0; c < stack_len; c++) st[c] = 0.0;
      if (size == 1) {
        st[s] = 1.0;
        st[stack_len - 1] = maps[(size_t)s * map_len + 2 * B - 1];
        continue;
      }
      int part[MAX_PARTS], C = 0;
      for (int q = 0; q < S; q++)
        if ((((unsigned)q + 1) & a) == (unsigned)q + 1) {
          part[C] = q;
          P.zp[C++] = w->zm + q * nk;
        }
      /* Start from the best of: each part alone (weight 1, its map's eps),
       * and each part's own stack (fitted before this one). */
      double best = INFINITY, xbest[MAX_PARAMS];
      for (int c = 0; c < C; c++) {
        double eps;
        if (part[c] == s) {
          /* this subset's own discriminator, mapped */
          for (int k = 0; k < C; k++) x[k] = k == c ? softplus_inv(1.0) : OFF_WEIGHT;
          eps = maps[(size_t)s * map_len + 2 * B - 1];
        } else {
          const double *src = stacks + (size_t)part[c] * stack_len;
          for (int k = 0; k < C; k++) {
            const double wk = src[part[k]];
            x[k] = wk > 1e-5 ? softplus_inv(wk) : OFF_WEIGHT;
          }
          eps = src[stack_len - 1];
        }
        x[C] = logit(fmin(fmax(eps, 1e-12), 0.999));
        for (int k = 0; k < C; k++) w0[k] = softplus(x[k]);
        dm_calib_set_stack(&P, C, w0, DM_CALIB_STACK_SD);
        const double f = dm_calib_objective(&P, x, g);
        if (f < best) {
          best = f;
          memcpy(xbest, x, sizeof(double) * (C + 1));
        }
      }
      memcpy(x, xbest, sizeof(double) * (C + 1));
      for (int k = 0; k < C; k++) w0[k] = softplus(x[k]);
      dm_calib_set_stack(&P, C, w0, DM_CALIB_STACK_SD);
      dm_bfgs(C + 1, x, dm_calib_objective, &P, BFGS_ITER, BFGS_GTOL, w->work);
      for (int c = 0; c < C; c++) st[part[c]] = softplus(x[c]);
      st[stack_len - 1] = sigmoid(x[C]);
    }
  }
}

static int args_ok(int M, int K, int bins) {
  return M >= 1 && M <= DM_CALIB_MAX_VIEWS && K >= 2 && bins >= 1 && bins <= DM_CALIB_MAX_BINS;
}

dm_status dm_calib_fit(int M, int K, int n, const double *const *logp,
                       const int *y, const int *rows, int n_rows,
                       const double *lp, int bins, double *maps,
                       double *stacks) {
  if (!args_ok(M, K, bins) || n_rows < 1) return DM_ERR_ARG;
  fit_ws w;
  dm_status st = ws_alloc(&w, M, K, bins, n_rows);
  if (st != DM_OK) return st;
  fit_in_ws(&w, n, logp, y, rows, n_rows, lp, maps, stacks);
  ws_free(&w);
  return DM_OK;
}

/* ---- applying -------------------------------------------------------------- */

static dm_status apply_rows(int M, int K, int n, const double *const *logp, const int *rows,
                            int n_rows, const double *lp, int bins, const double *maps,
                            const double *stacks, double *const *out) {
  const int S = (1 << M) - 1;
  const int map_len = DM_CALIB_MAP_LEN(bins), stack_len = DM_CALIB_STACK_LEN(M);
  double *buf = malloc(sizeof(double) * ((size_t)(S + 2) * K + 1));
  if (!buf) return DM_ERR_NOMEM;
  double *zm = buf, *z = buf + (size_t)S * K, *u = z + K;
  dm_calib_problem P[MAX_PARTS];
  for (int s = 0; s < S; s++) {
    memset(&P[s], 0, sizeof(dm_calib_problem));
    P[s].K = K;
    dm_calib_set_map(&P[s], bins, maps + (size_t)s * map_len);
  }
  for (int j = 0; j < n_rows; j++) {
    const int i = rows[j];
    for (int s = 0; s < S; s++) {
      const double t = centred_ratio(logp[s], n, K, i, lp, z);
      dm_calib_map_ratio(&P[s], maps + (size_t)s * map_len + bins - 1, z, t, zm + (size_t)s * K);
    }
    for (int s = 0; s < S; s++) {
      const double *st = stacks + (size_t)s * stack_len;
      const double eps = st[stack_len - 1];
      const double leps = log(eps), l1eps = log1p(-eps);
      for (int k = 0; k < K; k++) u[k] = lp[k];
      for (int q = 0; q < S; q++)
        if (st[q] != 0.0)
          for (int k = 0; k < K; k++) u[k] += st[q] * zm[(size_t)q * K + k];
      const double lse = log_sum_exp(u, K);
      for (int k = 0; k < K; k++)
        out[s][(size_t)k * n + i] = dm_log_add(l1eps + u[k] - lse, leps + lp[k]);
    }
  }
  free(buf);
  return DM_OK;
}

dm_status dm_calib_apply(int M, int K, int n, const double *const *logp,
                         const int *rows, int n_rows, const double *lp,
                         int bins, const double *maps, const double *stacks,
                         double *const *out) {
  if (!args_ok(M, K, bins)) return DM_ERR_ARG;
  return apply_rows(M, K, n, logp, rows, n_rows, lp, bins, maps, stacks, out);
}

dm_status dm_calib_crossfit(int M, int K, int n, const double *const *logp,
                            const int *y, const int *fold, int F,
                            const double *lp_fold, int bins, int nthreads,
                            double *const *out) {
  if (!args_ok(M, K, bins) || F < 2) return DM_ERR_ARG;
  const int S = (1 << M) - 1;
  dm_status *status = malloc(sizeof(dm_status) * (size_t)F);
  if (!status) return DM_ERR_NOMEM;
  int nt = DM_MAX(1, DM_MIN(nthreads, F));
  (void)nt;
  /* Each fold writes only its own rows of out. */
#pragma omp parallel for num_threads(nt) schedule(static, 1)
  for (int f = 0; f < F; f++) {
    int *train = malloc(sizeof(int) * ((size_t)n + 1));
    int *test = malloc(sizeof(int) * ((size_t)n + 1));
    double *maps = malloc(sizeof(double) * ((size_t)S * DM_CALIB_MAP_LEN(bins)));
    double *stacks = malloc(sizeof(double) * ((size_t)S * DM_CALIB_STACK_LEN(M)));
    double *lpf = malloc(sizeof(double) * (size_t)K);
    status[f] = DM_OK;
    if (!train || !test || !maps || !stacks || !lpf) {
      status[f] = DM_ERR_NOMEM;
    } else {
      int n_train = 0, n_test = 0;
      for (int i = 0; i < n; i++) {
        if (fold[i] == f) test[n_test++] = i;
        else train[n_train++] = i;
      }
      for (int k = 0; k < K; k++) lpf[k] = lp_fold[f + (size_t)F * k];
      if (n_train < 1) status[f] = DM_ERR_ARG;
      else {
        fit_ws w;
        status[f] = ws_alloc(&w, M, K, bins, n_train);
        if (status[f] == DM_OK) {
          fit_in_ws(&w, n, logp, y, train, n_train, lpf, maps, stacks);
          ws_free(&w);
          status[f] = apply_rows(M, K, n, logp, test, n_test, lpf, bins, maps, stacks, out);
        }
      }
    }
    free(lpf); free(train); free(test); free(maps); free(stacks);
  }
  dm_status st = DM_OK;
  for (int f = 0; f < F && st == DM_OK; f++) st = status[f];
  free(status);
  return st;
}

