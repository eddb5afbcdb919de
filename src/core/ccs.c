/* Ince's I_ccs (common change in surprisal), and the maximum-entropy
 * distribution it shares with I_dep.
 *
 * The maximum-entropy distribution with the pairwise marginals (x1,x2),
 * (x1,y), (x2,y) of p is fitted by iterative proportional fitting from the
 * uniform distribution; its redundancy is the expected local co-information
 * c = i(x1;y) + i(x2;y) - i(x1,x2;y), counted only where c and the three
 * local mutual informations have the same sign. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_lp.h"
#include "dm_pid.h"

#define IPF_MAX_SWEEPS 1000000

static int sgn(double v) { return (v > 0) - (v < 0); }

/* A pairwise marginal of a joint array q over (x1, x2, y), x1 fastest: cell
 * (a, b, y) adds to entry a*sa + b*sb + y*sy of a table of len entries. */
typedef struct {
  int sa, sb, sy;
  size_t len;
} pair_map;

/* The three pairwise marginals (x1,x2), (x1,y), (x2,y), in the order the
 * fitting and the support programs stack them. */
static void pair_maps(int n1, int n2, int ny, pair_map m[3]) {
  m[0] = (pair_map){1, n1, 0, (size_t)n1 * n2};
  m[1] = (pair_map){1, 0, n1, (size_t)n1 * ny};
  m[2] = (pair_map){0, 1, n2, (size_t)n2 * ny};
}

static size_t pair_index(pair_map m, int a, int b, int y) {
  return (size_t)a * m.sa + (size_t)b * m.sb + (size_t)y * m.sy;
}

static void marginal(const double *q, int n1, int n2, int ny, pair_map m, double *out) {
  memset(out, 0, sizeof(double) * m.len);
  size_t k = 0;
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++, k++) out[pair_index(m, a, b, y)] += q[k];
}

/* One IPF step: rescale q so that its marginal `cur` becomes `target`. */
static void scale_to(double *q, int n1, int n2, int ny, pair_map m, const double *target,
                     const double *cur) {
  size_t k = 0;
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++, k++) {
        const size_t j = pair_index(m, a, b, y);
        q[k] = cur[j] > 0 ? q[k] * target[j] / cur[j] : 0.0;
      }
}

/* The largest tableau of the support detection (doubles): a memory bound
 * beside the caller's bound on the cells. */
#define SUPPORT_MAX_TABLEAU 40000000.0

/* Marks in live[] the cells that some distribution with the pairwise
 * marginals t12, t1y, t2y can make positive: the support of the maximum-
 * entropy distribution, which is the largest such support. The cells of p's
 * support are; a cell with a zero pairwise marginal is not; for the rest,
 * linear programs maximise the mass on the undecided cells until none can
 * take any (each optimum's positive cells join the support). Returns 0 when
 * the programs are too large or fail (live[] then marks every cell). */
static int detect_support(int n1, int n2, int ny, const double *p, const double *t12,
                          const double *t1y, const double *t2y, int max_cells, char *live) {
  const size_t N = (size_t)n1 * n2 * ny;
  size_t nvar = 0, ncand = 0, k = 0;
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++, k++) {
        const int open = t12[a + (size_t)n1 * b] > 0 && t1y[a + (size_t)n1 * y] > 0 &&
                         t2y[b + (size_t)n2 * y] > 0;
        live[k] = p[k] > 0 ? 1 : open ? 2 : 0;  /* 2: undecided */
        nvar += live[k] != 0;
        ncand += live[k] == 2;
      }
  if (ncand == 0) return 1;
  const int m = n1 * n2 + n1 * ny + n2 * ny;
  if (nvar > (size_t)(max_cells > 0 ? max_cells : 0) || (double)(m + 1) * (double)(nvar + m + 1) > SUPPORT_MAX_TABLEAU) {
    memset(live, 1, N);
    return 0;
  }
  const int n = (int)nvar;
  double *A = calloc((size_t)m * n + 1, sizeof(double));
  double *bvec = malloc(sizeof(double) * (m + 1)), *c = malloc(sizeof(double) * (n + 1));
  double *x = malloc(sizeof(double) * (n + 1)), *work = malloc(sizeof(double) * dm_lp_work(m, n));
  int *basis = malloc(sizeof(int) * (m + 1));
  size_t *cell = malloc(sizeof(size_t) * (n + 1));
  int ok = A && bvec && c && x && work && basis && cell;
  if (ok) {
    pair_map pm[3];
    pair_maps(n1, n2, ny, pm);
    const double *t[3] = {t12, t1y, t2y};
    size_t off[3] = {0, pm[0].len, pm[0].len + pm[1].len};
    for (int r = 0; r < 3; r++)
      for (size_t i = 0; i < pm[r].len; i++) bvec[off[r] + i] = t[r][i];
    int j = 0;
    k = 0;
    for (int y = 0; y < ny; y++)
      for (int b = 0; b < n2; b++)
        for (int a = 0; a < n1; a++, k++) {
          if (!live[k]) continue;
          for (int r = 0; r < 3; r++) A[off[r] + pair_index(pm[r], a, b, y) + (size_t)m * j] = 1.0;
          cell[j++] = k;
        }
  }
  while (ok) {
    int undecided = 0;
    for (int j = 0; j < n; j++) {
      c[j] = live[cell[j]] == 2;
      undecided += live[cell[j]] == 2;
    }
    if (!undecided) break;
    double value;
    if (dm_lp_max(m, n, A, bvec, c, x, &value, work, basis) != DM_OK) {
      ok = 0;
      break;
    }
    if (!(value > 1e-12)) {
      for (int j = 0; j < n; j++)
        if (live[cell[j]] == 2) live[cell[j]] = 0;
      break;
    }
    for (int j = 0; j < n; j++)
      if (live[cell[j]] == 2 && x[j] > 1e-12) live[cell[j]] = 1;
  }
  free(A); free(bvec); free(c); free(x); free(work); free(basis); free(cell);
  if (!ok) memset(live, 1, N);
  return ok;
}

dm_status dm_pid_maxent(int n1, int n2, int ny, const double *p, double tol, int support_max,
                        double *q, double *achieved, dm_tick_fn tick, void *tick_ctx) {
  const size_t N = (size_t)n1 * n2 * ny;
  pair_map pm[3];
  pair_maps(n1, n2, ny, pm);
  const pair_map m12 = pm[0], m1y = pm[1], m2y = pm[2];
  dm_status st = DM_OK;
  const size_t len = m12.len + m1y.len + m2y.len;
  double *block = malloc(sizeof(double) * (2 * len + 1));
  if (!block) return DM_ERR_NOMEM;
  double *t12 = block, *t1y = t12 + m12.len, *t2y = t1y + m1y.len;
  double *c12 = t2y + m2y.len, *c1y = c12 + m12.len, *c2y = c1y + m1y.len;
  marginal(p, n1, n2, ny, m12, t12);
  marginal(p, n1, n2, ny, m1y, t1y);
  marginal(p, n1, n2, ny, m2y, t2y);
  /* Started on the exact support, the fitting converges geometrically
   * instead of approaching the cells that must vanish like 1/sweeps. */
  char *live = malloc(N + 1);
  if (!live) {
    free(block);
    return DM_ERR_NOMEM;
  }
  detect_support(n1, n2, ny, p, t12, t1y, t2y, support_max, live);
  size_t nlive = 0;
  for (size_t k = 0; k < N; k++) nlive += live[k] != 0;
  for (size_t k = 0; k < N; k++) q[k] = live[k] ? 1.0 / (double)nlive : 0.0;
  free(live);

  /* Scale to each pairwise marginal in turn. After the last step that
   * marginal holds exactly; the sweep ends by checking the other two, and
   * the (x1, x2) marginal computed for the check starts the next sweep. */
  marginal(q, n1, n2, ny, m12, c12);
  for (int sweep = 0; sweep < IPF_MAX_SWEEPS; sweep++) {
    if (tick && sweep % 256 == 255 && tick(tick_ctx, sweep, IPF_MAX_SWEEPS)) {
      st = DM_ERR_INTERRUPT;
      break;
    }
    scale_to(q, n1, n2, ny, m12, t12, c12);
    marginal(q, n1, n2, ny, m1y, c1y);
    scale_to(q, n1, n2, ny, m1y, t1y, c1y);
    marginal(q, n1, n2, ny, m2y, c2y);
    scale_to(q, n1, n2, ny, m2y, t2y, c2y);
    marginal(q, n1, n2, ny, m12, c12);
    marginal(q, n1, n2, ny, m1y, c1y);
    double err = 0.0;
    for (size_t k = 0; k < m12.len; k++) err = fmax(err, fabs(c12[k] - t12[k]));
    for (size_t k = 0; k < m1y.len; k++) err = fmax(err, fabs(c1y[k] - t1y[k]));
    *achieved = err;
    if (err < tol) break;
  }
  free(block);
  return st;
}

dm_status dm_pid_ccs(int n1, int n2, int ny, const double *p, double tol, int support_max,
                     double *achieved, double *atoms, dm_tick_fn tick, void *tick_ctx) {
  const size_t N = (size_t)n1 * n2 * ny;
  pair_map pm[3];
  pair_maps(n1, n2, ny, pm);
  const pair_map m12 = pm[0], m1y = pm[1], m2y = pm[2];
  const pair_map m1 = {1, 0, 0, (size_t)n1}, m2 = {0, 1, 0, (size_t)n2}, my = {0, 0, 1, (size_t)ny};
  for (int k = 0; k < 4; k++) atoms[k] = NAN;
  double *q = malloc(sizeof(double) * (N + m12.len + m1y.len + m2y.len + n1 + n2 + ny + 1));
  if (!q) return DM_ERR_NOMEM;
  double *c12 = q + N, *c1y = c12 + m12.len, *c2y = c1y + m1y.len, *q1 = c2y + m2y.len,
         *q2 = q1 + n1, *qy = q2 + n2;
  dm_status st = dm_pid_maxent(n1, n2, ny, p, tol, support_max, q, achieved, tick, tick_ctx);
  if (st != DM_OK) {
    free(q);
    return st;
  }
  /* Local values under the maximum-entropy distribution q, from its own
   * marginals. */
  marginal(q, n1, n2, ny, m12, c12);
  marginal(q, n1, n2, ny, m1y, c1y);
  marginal(q, n1, n2, ny, m2y, c2y);
  marginal(q, n1, n2, ny, m1, q1);
  marginal(q, n1, n2, ny, m2, q2);
  marginal(q, n1, n2, ny, my, qy);
  double red = 0.0;
  size_t k = 0;
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++, k++) {
        double v = q[k];
        if (!(v > 0)) continue;
        double i1 = log(c1y[a + n1 * y] / (q1[a] * qy[y]));
        double i2 = log(c2y[b + n2 * y] / (q2[b] * qy[y]));
        double i12 = log(v / (c12[a + n1 * b] * qy[y]));
        double co = i1 + i2 - i12;
        if (sgn(co) == sgn(i1) && sgn(co) == sgn(i2) && sgn(co) == sgn(i12))
          red += v * co;
      }
  double mi[3];
  dm_pid_mis(n1, n2, ny, p, mi);
  dm_pid_atoms(red, mi, atoms);
  free(q);
  return DM_OK;
}
