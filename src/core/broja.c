/* BROJA partial information decomposition by an interior-point method.
 *
 * Problem: minimise I_Q(X1,X2;Y) over distributions Q with Q(x1,y) = P(x1,y)
 * and Q(x2,y) = P(x2,y). For each y the feasible Q(., ., y) form a
 * transportation polytope on the rectangle {x1: P(x1,y) > 0} x
 * {x2: P(x2,y) > 0}; its free coordinates are spanned by the 2 x 2 cycles
 * (+1, -1, -1, +1) of neighbouring rows and columns of the rectangle.
 * Writing Q = Q0 + B theta with Q0 the product coupling (strictly inside
 * the polytope), we minimise
 *     t F(Q) - sum_cells log Q,   F(Q) = sum Q log Q - sum_c m_c log m_c
 * (m_c = Q(x1,x2), and F = I_Q - H(Y)) by Newton's method for t = 1, 50,
 * 2500, ... until (number of cells) / t, the barrier's bound on the distance
 * to the true minimum, is below 1e-12 nats.
 *
 * Why neighbouring cycles: two directions interact in the Hessian only
 * through an (x1, x2) pair they both touch, and a neighbouring cycle
 * touches four pairs next to each other. Ordered by (x1, x2, y), the
 * directions give a Hessian whose nonzeros lie within about n2 * ny of the
 * diagonal, and its Cholesky factor stays inside that envelope (skyline
 * storage): about D (n2 ny)^2 operations per Newton step for D free
 * coordinates instead of D^3 / 3 for a dense factor (10 x 10 x 5: 405
 * coordinates, 20 x 20 x 10: 3610). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_pid.h"

#define BROJA_GAP 1e-12

/* The caller's progress callback, and where the solve stands (in outer
 * iterations of the barrier, out of `total`). */
typedef struct {
  dm_tick_fn tick;
  void *ctx;
  double done, total;
} progress;

/* 1 if the caller asks to stop. */
static int tick(progress *pg) {
  return pg->tick && pg->tick(pg->ctx, pg->done, pg->total);
}

typedef struct {
  int n_cells;   /* variable cells (x1, x2, y) */
  int *cell_c;   /* (x1, x2) index a + n1 * b of each cell */
  int n_dirs;
  int *dir_cell; /* 4 cells per direction */
  double *dir_sign;
  int n_c;       /* number of (x1, x2) pairs */
  /* For each (x1, x2) pair c, the (direction, cell, sign) entries touching
   * it: entries c_start[c] .. c_start[c+1]-1. */
  int *c_start, *c_dir, *c_cell;
  double *c_sign;
  /* The Hessian's envelope: row a holds columns first[a] .. a, stored at
   * off[a] .. off[a + 1] - 1. */
  int *first;
  size_t *off;
} problem;

/* F(q) and, if g is not NULL, its gradient log q_e - log m_c(e). */
static double objective(const problem *pb, const double *q, double *m,
                        double *g) {
  memset(m, 0, sizeof(double) * pb->n_c);
  for (int e = 0; e < pb->n_cells; e++) m[pb->cell_c[e]] += q[e];
  double f = 0.0;
  for (int e = 0; e < pb->n_cells; e++)
    if (q[e] > 0) f += q[e] * log(q[e]);
  for (int c = 0; c < pb->n_c; c++)
    if (m[c] > 0) f -= m[c] * log(m[c]);
  if (g)
    for (int e = 0; e < pb->n_cells; e++)
      g[e] = log(q[e]) - log(m[pb->cell_c[e]]);
  return f;
}

/* phi(q_new) - phi(q_old), summed cell by cell to limit cancellation. */
static double barrier_change(const problem *pb, double t, const double *q0,
                             const double *q1, double *m0, double *m1) {
  memset(m0, 0, sizeof(double) * pb->n_c);
  memset(m1, 0, sizeof(double) * pb->n_c);
  double d = 0.0;
  for (int e = 0; e < pb->n_cells; e++) {
    m0[pb->cell_c[e]] += q0[e];
    m1[pb->cell_c[e]] += q1[e];
    if (q0[e] != q1[e])
      d += t * (q1[e] * log(q1[e]) - q0[e] * log(q0[e])) - log(q1[e] / q0[e]);
  }
  for (int c = 0; c < pb->n_c; c++)
    if (m0[c] != m1[c])
      d -= t * ((m1[c] > 0 ? m1[c] * log(m1[c]) : 0.0) -
                (m0[c] > 0 ? m0[c] * log(m0[c]) : 0.0));
  return d;
}

/* x . y over n entries, in four running sums (the factorisation's inner
 * loop). */
static double dot(const double *x, const double *y, int n) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  int k = 0;
  for (; k + 4 <= n; k += 4) {
    s0 += x[k] * y[k];
    s1 += x[k + 1] * y[k + 1];
    s2 += x[k + 2] * y[k + 2];
    s3 += x[k + 3] * y[k + 3];
  }
  for (; k < n; k++) s0 += x[k] * y[k];
  return (s0 + s1) + (s2 + s3);
}

/* The entry (i, j), j <= i, of a symmetric matrix in the envelope storage
 * of pb. */
static inline double *sky(const problem *pb, double *A, int i, int j) {
  return A + pb->off[i] + (j - pb->first[i]);
}

/* Solves the n x n symmetric positive semi-definite system A x = b in
 * place (A in the envelope storage of pb, lower triangle, overwritten by
 * its Cholesky factor; b overwritten by x). The Hessians here mix entries
 * of order 1 and 1/q^2, so the system is first equilibrated to a unit
 * diagonal; pivots below 1e-14 are raised to it (a modified Cholesky, so
 * along directions where the objective is flat the step stays a descent
 * direction). sc: n doubles of scratch. 0 if A has a non-positive or
 * non-finite diagonal, -1 if the caller asked to stop (asked every 64 rows
 * of the factorisation, the bulk of the work). */
static int cholesky_solve(const problem *pb, int n, double *A, double *b, double *sc,
                          progress *pg) {
  for (int j = 0; j < n; j++) {
    double d = *sky(pb, A, j, j);
    if (!(d > 0) || !isfinite(d)) return 0;
    sc[j] = 1.0 / sqrt(d);
  }
  for (int i = 0; i < n; i++) {
    b[i] *= sc[i];
    for (int j = pb->first[i]; j <= i; j++) *sky(pb, A, i, j) *= sc[i] * sc[j];
  }
  for (int i = 0; i < n; i++) {
    if (i % 64 == 63 && tick(pg)) return -1;
    /* row i holds the entries (i, k), k = fi .. i, from Li[0] */
    const int fi = pb->first[i];
    double *Li = A + pb->off[i];
    for (int j = fi; j <= i; j++) {
      const int fj = pb->first[j], k0 = fi > fj ? fi : fj;
      const double *Lj = A + pb->off[j];
      double s = Li[j - fi] - dot(Li + (k0 - fi), Lj + (k0 - fj), j - k0);
      if (j < i) {
        Li[j - fi] = s / Lj[j - fj];
      } else {
        if (s < 1e-14) s = 1e-14;
        Li[i - fi] = sqrt(s);
      }
    }
  }
  for (int i = 0; i < n; i++) {
    const int fi = pb->first[i];
    const double *Li = A + pb->off[i];
    b[i] = (b[i] - dot(Li, b + fi, i - fi)) / Li[i - fi];
  }
  for (int i = n - 1; i >= 0; i--) {
    const int fi = pb->first[i];
    const double *Li = A + pb->off[i];
    b[i] /= Li[i - fi];
    for (int k = fi; k < i; k++) b[k] -= Li[k - fi] * b[i];
  }
  for (int i = 0; i < n; i++) b[i] *= sc[i];
  return 1;
}

/* A direction's place in the (x1, x2, y) order, for qsort. */
typedef struct {
  long key;
  int dir;
} keyed;
static int by_key(const void *x, const void *y) {
  const long a = ((const keyed *)x)->key, b = ((const keyed *)y)->key;
  return (a > b) - (a < b);
}

static dm_status minimise(const problem *pb, double *q, double *gap, progress *pg) {
  const int E = pb->n_cells, D = pb->n_dirs;
  *gap = 0.0;
  if (D == 0) return DM_OK;
  dm_status st = DM_OK;
  double *gq = malloc(sizeof(double) * E);
  double *m = malloc(sizeof(double) * pb->n_c);
  double *m1 = malloc(sizeof(double) * pb->n_c);
  double *g = malloc(sizeof(double) * D);
  double *step = malloc(sizeof(double) * D);
  double *sc = malloc(sizeof(double) * D);
  double *H = malloc(sizeof(double) * (pb->off[D] + 1));
  double *dq = malloc(sizeof(double) * E);
  double *qn = malloc(sizeof(double) * E);
  if (!gq || !m || !m1 || !g || !step || !sc || !H || !dq || !qn) {
    st = DM_ERR_NOMEM;
    goto out;
  }
  /* the outer iterations until E / t < BROJA_GAP, for the progress */
  pg->total = ceil(log(E / BROJA_GAP) / log(50.0)) + 1.0;
  int outer = 0;
  for (double t = 1.0;; t *= 50.0, outer++) {
    /* Newton until the decrement is negligible, or until it has not
     * reached a new low for 10 steps: near the boundary, at large t, it
     * stalls at the precision of the arithmetic instead. */
    double best = INFINITY, last = 0.0;
    int stalled = 0;
    for (int iter = 0; iter < 200 && stalled < 10; iter++) {
      pg->done = outer + iter / (iter + 10.0);
      if (tick(pg)) {
        st = DM_ERR_INTERRUPT;
        goto out;
      }
      objective(pb, q, m, gq);
      /* Gradient and Hessian in the cycle coordinates. */
      for (int a = 0; a < D; a++) {
        double s = 0.0;
        for (int k = 0; k < 4; k++) {
          int e = pb->dir_cell[4 * a + k];
          s += pb->dir_sign[4 * a + k] * (t * gq[e] - 1.0 / q[e]);
        }
        g[a] = -s; /* right-hand side: -gradient */
      }
      /* Only directions touching the same (x1, x2) pair interact (the
       * lower triangle, in the envelope). */
      memset(H, 0, sizeof(double) * pb->off[D]);
      for (int c = 0; c < pb->n_c; c++)
        for (int i = pb->c_start[c]; i < pb->c_start[c + 1]; i++) {
          int a = pb->c_dir[i], e = pb->c_cell[i];
          for (int j = pb->c_start[c]; j < pb->c_start[c + 1]; j++) {
            int b = pb->c_dir[j], f = pb->c_cell[j];
            if (b > a) continue;
            double v = -t / m[c];
            if (e == f) v += t / q[e] + 1.0 / (q[e] * q[e]);
            *sky(pb, H, a, b) += pb->c_sign[i] * pb->c_sign[j] * v;
          }
        }
      /* Newton step: solve H step = -gradient (g holds -gradient). */
      memcpy(step, g, sizeof(double) * D);
      const int solved = cholesky_solve(pb, D, H, step, sc, pg);
      if (solved <= 0) {
        st = solved < 0 ? DM_ERR_INTERRUPT : DM_ERR_UNKNOWN;
        goto out;
      }
      double lambda2 = 0.0; /* Newton decrement squared */
      for (int a = 0; a < D; a++) lambda2 += g[a] * step[a];
      last = lambda2;
      if (lambda2 / 2.0 < 1e-14) break;
      if (lambda2 < 0.5 * best) {
        best = lambda2;
        stalled = 0;
      } else {
        stalled++;
      }
      /* Direction in cell space. */
      for (int e = 0; e < E; e++) dq[e] = 0.0;
      for (int a = 0; a < D; a++)
        for (int k = 0; k < 4; k++)
          dq[pb->dir_cell[4 * a + k]] += pb->dir_sign[4 * a + k] * step[a];
      /* Fraction to the boundary: never move more than 99% of the way to
       * the nearest zero, so no coordinate collapses in one step. */
      double s = 1.0;
      for (int e = 0; e < E; e++)
        if (dq[e] < 0) s = fmin(s, -0.99 * q[e] / dq[e]);
      int accepted = 0;
      for (int ls = 0; ls < 60; ls++, s *= 0.5) {
        for (int e = 0; e < E; e++) qn[e] = q[e] + s * dq[e];
        double change = barrier_change(pb, t, q, qn, m, m1);
        if (change <= -0.25 * s * lambda2 || lambda2 < 1e-12) {
          accepted = 1;
          break;
        }
      }
      if (!accepted) break; /* no progress possible at this precision */
      memcpy(q, qn, sizeof(double) * E);
    }
    /* F is within E / t of its minimum at the centre of the barrier, and
     * the centring is within the last Newton decrement (over t) of it */
    *gap = (E + (last > 0 ? last : 0.0)) / t;
    if (E / t < BROJA_GAP) break;
  }
out:
  free(gq); free(m); free(m1); free(g); free(step); free(sc); free(H); free(dq); free(qn);
  return st;
}

dm_status dm_pid_broja(int n1, int n2, int ny, const double *p, double *atoms,
                       double *q_out, double *gap, dm_tick_fn tick_fn, void *tick_ctx) {
  progress pg = {tick_fn, tick_ctx, 0.0, 1.0};
  const size_t N = (size_t)n1 * n2 * ny;
  double *p1y = calloc((size_t)n1 * ny + 1, sizeof(double));
  double *p2y = calloc((size_t)n2 * ny + 1, sizeof(double));
  double *py = calloc((size_t)ny + 1, sizeof(double));
  int *index = malloc(sizeof(int) * (N + 1));
  problem pb;
  memset(&pb, 0, sizeof(pb));
  pb.n_c = n1 * n2;
  pb.cell_c = malloc(sizeof(int) * (N + 1));
  double *q = malloc(sizeof(double) * (N + 1));
  int *rows = malloc(sizeof(int) * (n1 + 1)), *cols = malloc(sizeof(int) * (n2 + 1));
  dm_status st = DM_OK;
  for (int k = 0; k < 4; k++) atoms[k] = NAN;
  if (!p1y || !p2y || !py || !index || !pb.cell_c || !q || !rows || !cols) {
    st = DM_ERR_NOMEM;
    goto out;
  }
  for (int y = 0; y < ny; y++)
    for (int b = 0; b < n2; b++)
      for (int a = 0; a < n1; a++) {
        double v = p[a + (size_t)n1 * (b + (size_t)n2 * y)];
        p1y[a + n1 * y] += v;
        p2y[b + n2 * y] += v;
        py[y] += v;
      }
  /* Variable cells and the number of free directions. */
  int D = 0;
  for (size_t k = 0; k < N; k++) index[k] = -1;
  for (int y = 0; y < ny; y++) {
    if (py[y] <= 0) continue;
    int r = 0, c = 0;
    for (int a = 0; a < n1; a++) if (p1y[a + n1 * y] > 0) rows[r++] = a;
    for (int b = 0; b < n2; b++) if (p2y[b + n2 * y] > 0) cols[c++] = b;
    for (int i = 0; i < r; i++)
      for (int j = 0; j < c; j++) {
        int a = rows[i], b = cols[j];
        size_t k = a + (size_t)n1 * (b + (size_t)n2 * y);
        index[k] = pb.n_cells;
        pb.cell_c[pb.n_cells] = a + n1 * b;
        q[pb.n_cells] = p1y[a + n1 * y] * p2y[b + n2 * y] / py[y];
        pb.n_cells++;
      }
    D += (r - 1) * (c - 1);
  }
  if (D > DM_BROJA_MAX_FREE) {
    st = DM_ERR_ARG;
    goto out;
  }
  pb.n_dirs = D;
  pb.dir_cell = malloc(sizeof(int) * (4 * (size_t)D + 1));
  pb.dir_sign = malloc(sizeof(double) * (4 * (size_t)D + 1));
  if (!pb.dir_cell || !pb.dir_sign) {
    st = DM_ERR_NOMEM;
    goto out;
  }
  /* Neighbouring cycles, collected with their (x1, x2, y) key and then
   * put in key order. */
  keyed *order = malloc(sizeof(keyed) * ((size_t)D + 1));
  int *cyc = malloc(sizeof(int) * (4 * (size_t)D + 1));
  if (!order || !cyc) {
    free(order); free(cyc);
    st = DM_ERR_NOMEM;
    goto out;
  }
  int d = 0;
  for (int y = 0; y < ny; y++) {
    if (py[y] <= 0) continue;
    int r = 0, c = 0;
    for (int a = 0; a < n1; a++) if (p1y[a + n1 * y] > 0) rows[r++] = a;
    for (int b = 0; b < n2; b++) if (p2y[b + n2 * y] > 0) cols[c++] = b;
#define IDX(a, b) index[(a) + (size_t)n1 * ((b) + (size_t)n2 * y)]
    for (int i = 0; i + 1 < r; i++)
      for (int j = 0; j + 1 < c; j++, d++) {
        cyc[4 * d + 0] = IDX(rows[i], cols[j]);
        cyc[4 * d + 1] = IDX(rows[i + 1], cols[j + 1]);
        cyc[4 * d + 2] = IDX(rows[i], cols[j + 1]);
        cyc[4 * d + 3] = IDX(rows[i + 1], cols[j]);
        order[d].key = ((long)rows[i] * n2 + cols[j]) * ny + y;
        order[d].dir = d;
      }
#undef IDX
  }
  qsort(order, (size_t)D, sizeof(keyed), by_key);
  for (int k = 0; k < D; k++)
    for (int v = 0; v < 4; v++) {
      pb.dir_cell[4 * k + v] = cyc[4 * order[k].dir + v];
      pb.dir_sign[4 * k + v] = v < 2 ? 1.0 : -1.0;
    }
  free(order); free(cyc);
  pb.c_start = calloc((size_t)pb.n_c + 1, sizeof(int));
  pb.c_dir = malloc(sizeof(int) * (4 * (size_t)D + 1));
  pb.c_cell = malloc(sizeof(int) * (4 * (size_t)D + 1));
  pb.c_sign = malloc(sizeof(double) * (4 * (size_t)D + 1));
  if (!pb.c_start || !pb.c_dir || !pb.c_cell || !pb.c_sign) {
    st = DM_ERR_NOMEM;
    goto out;
  }
  for (int k = 0; k < 4 * D; k++) pb.c_start[pb.cell_c[pb.dir_cell[k]] + 1]++;
  for (int c = 0; c < pb.n_c; c++) pb.c_start[c + 1] += pb.c_start[c];
  {
    int *fill = calloc((size_t)pb.n_c + 1, sizeof(int));
    if (!fill) {
      st = DM_ERR_NOMEM;
      goto out;
    }
    for (int k = 0; k < 4 * D; k++) {
      int c = pb.cell_c[pb.dir_cell[k]];
      int at = pb.c_start[c] + fill[c]++;
      pb.c_dir[at] = k / 4;
      pb.c_cell[at] = pb.dir_cell[k];
      pb.c_sign[at] = pb.dir_sign[k];
    }
    free(fill);
  }
  /* Envelope: row a starts at the first direction sharing a pair with it. */
  pb.first = malloc(sizeof(int) * ((size_t)D + 1));
  pb.off = malloc(sizeof(size_t) * ((size_t)D + 1));
  if (!pb.first || !pb.off) {
    st = DM_ERR_NOMEM;
    goto out;
  }
  for (int a = 0; a < D; a++) pb.first[a] = a;
  for (int c = 0; c < pb.n_c; c++) {
    int lo = D;
    for (int i = pb.c_start[c]; i < pb.c_start[c + 1]; i++) lo = pb.c_dir[i] < lo ? pb.c_dir[i] : lo;
    for (int i = pb.c_start[c]; i < pb.c_start[c + 1]; i++)
      if (lo < pb.first[pb.c_dir[i]]) pb.first[pb.c_dir[i]] = lo;
  }
  pb.off[0] = 0;
  for (int a = 0; a < D; a++) pb.off[a + 1] = pb.off[a] + (size_t)(a - pb.first[a] + 1);
  st = minimise(&pb, q, gap, &pg);
  if (st != DM_OK) goto out;

  /* Atoms from the optimal Q. */
  {
    double *m = calloc((size_t)pb.n_c + 1, sizeof(double));
    if (!m) {
      st = DM_ERR_NOMEM;
      goto out;
    }
    double hy = 0.0;
    for (int y = 0; y < ny; y++) if (py[y] > 0) hy -= py[y] * log(py[y]);
    double iq = objective(&pb, q, m, NULL) + hy;
    free(m);
    double mi[3];
    dm_pid_mis(n1, n2, ny, p, mi);
    /* I_q(X1,X2;Y) under the optimal q gives the unique informations,
     * U1 = I_q - I(X2;Y), hence R = I(X1;Y) - U1 */
    dm_pid_atoms(mi[0] - (iq - mi[1]), mi, atoms);
    if (q_out) {
      for (size_t k = 0; k < N; k++) q_out[k] = index[k] >= 0 ? q[index[k]] : 0.0;
    }
  }
out:
  free(p1y); free(p2y); free(py); free(index); free(pb.cell_c); free(q);
  free(rows); free(cols); free(pb.dir_cell); free(pb.dir_sign);
  free(pb.c_start); free(pb.c_dir); free(pb.c_cell); free(pb.c_sign);
  free(pb.first); free(pb.off);
  return st;
}
