/* Redundancy functions on the lattice of two or three discrete sources
 * (dm_pid.h). A source of an antichain is a set B of the variables x_1..x_M
 * (bit mask 1 .. 2^M - 1) taking their joint values; everything a measure
 * needs is a marginal p(x_B) or p(x_B, y), tabulated once per set. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_pid.h"

#define NSETS (1 << DM_PID_MAX_SOURCES)

typedef struct {
  int M, ny, S;
  const int *n;
  size_t N;                                  /* cells of p */
  size_t len[NSETS];                         /* values of x_B */
  size_t stride[NSETS][DM_PID_MAX_SOURCES];  /* x_B's index: sum x_m stride */
  double *pb[NSETS], *pby[NSETS];            /* p(x_B); p(x_B, y), x_B fastest */
  double mi[NSETS];                          /* I(X_B; Y) */
  double *spec[NSETS];                       /* I(X_B; Y = y) */
  double *py;
  double *block;
} set_marginals;

static size_t value_index(const set_marginals *sm, int B, const int *x) {
  size_t v = 0;
  for (int m = 0; m < sm->M; m++)
    if (B >> m & 1) v += (size_t)x[m] * sm->stride[B][m];
  return v;
}

/* Steps the coordinates (x_1, ..., x_M, y) of a cell, x_1 fastest. */
static void next_cell(int M, const int *n, int ny, int *x) {
  for (int m = 0; m < M; m++) {
    if (++x[m] < n[m]) return;
    x[m] = 0;
  }
  if (++x[M] >= ny) x[M] = 0;
}

static void set_marginals_free(set_marginals *sm) { free(sm->block); }

static dm_status set_marginals_make(int M, const int *n, int ny, const double *p,
                                    set_marginals *sm) {
  memset(sm, 0, sizeof(*sm));
  sm->M = M;
  sm->n = n;
  sm->ny = ny;
  sm->S = (1 << M) - 1;
  sm->N = (size_t)ny;
  for (int m = 0; m < M; m++) sm->N *= (size_t)n[m];
  size_t total = (size_t)ny;
  for (int B = 1; B <= sm->S; B++) {
    size_t len = 1;
    for (int m = 0; m < M; m++)
      if (B >> m & 1) {
        sm->stride[B][m] = len;
        len *= (size_t)n[m];
      }
    sm->len[B] = len;
    total += len * (2 + (size_t)ny) + (size_t)ny;
  }
  sm->block = calloc(total + 1, sizeof(double));
  if (!sm->block) return DM_ERR_NOMEM;
  double *at = sm->block;
  sm->py = at;
  at += ny;
  for (int B = 1; B <= sm->S; B++) {
    sm->pb[B] = at;
    at += sm->len[B];
    sm->pby[B] = at;
    at += sm->len[B] * (size_t)ny;
    sm->spec[B] = at;
    at += ny;
  }
  int x[DM_PID_MAX_SOURCES + 1] = {0};
  for (size_t k = 0; k < sm->N; k++, next_cell(M, n, ny, x)) {
    const double v = p[k];
    if (!(v > 0)) continue;
    sm->py[x[M]] += v;
    for (int B = 1; B <= sm->S; B++) {
      const size_t a = value_index(sm, B, x);
      sm->pb[B][a] += v;
      sm->pby[B][a + sm->len[B] * x[M]] += v;
    }
  }
  for (int B = 1; B <= sm->S; B++) {
    sm->mi[B] = 0.0;
    for (int y = 0; y < ny; y++) {
      double s = 0.0;
      for (size_t a = 0; a < sm->len[B]; a++) {
        const double v = sm->pby[B][a + sm->len[B] * y];
        if (v > 0) s += v * log(v / (sm->pb[B][a] * sm->py[y]));
      }
      sm->mi[B] += s;
      sm->spec[B][y] = sm->py[y] > 0 ? s / sm->py[y] : 0.0;
    }
  }
  return DM_OK;
}

/* The local values of source B at a cell: i(x_B; y) and h(x_B). */
static void local_source(const set_marginals *sm, int B, const int *x, double *i, double *h) {
  const size_t a = value_index(sm, B, x);
  const double pa = sm->pb[B][a], pay = sm->pby[B][a + sm->len[B] * x[sm->M]];
  *i = log(pay / (pa * sm->py[x[sm->M]]));
  *h = -log(pa);
}

/* Shared exclusion: log p(y | x_A1 or ... or x_Ak) / p(y), the union's
 * probabilities by inclusion-exclusion over the members' joint events. */
static double local_sx(const set_marginals *sm, const int *mem, int k, const int *x) {
  double pu = 0.0, puy = 0.0;
  for (unsigned J = 1; J < 1u << k; J++) {
    int B = 0;
    for (int j = 0; j < k; j++)
      if (J >> j & 1u) B |= mem[j];
    const double sign = dm_popcount(J) % 2 ? 1.0 : -1.0;
    const size_t a = value_index(sm, B, x);
    pu += sign * sm->pb[B][a];
    puy += sign * sm->pby[B][a + sm->len[B] * x[sm->M]];
  }
  return log(puy / (pu * sm->py[x[sm->M]]));
}

static size_t uf_find(size_t *parent, size_t v) {
  while (parent[v] != v) v = parent[v] = parent[parent[v]];
  return v;
}

/* Griffith's I_wedge: I(Q; Y) for the Gacs-Koerner common part Q of the
 * members, the connected components of their values linked by the cells of
 * positive probability. */
static dm_status wedge(const set_marginals *sm, const double *p, const int *mem, int k,
                       double *out) {
  size_t off[DM_PID_MAX_SOURCES + 1], T = 0;
  for (int j = 0; j < k; j++) {
    off[j] = T;
    T += sm->len[mem[j]];
  }
  size_t *parent = malloc(sizeof(size_t) * (T + 1));
  double *pq = calloc(T * ((size_t)sm->ny + 1) + 1, sizeof(double));
  if (!parent || !pq) {
    free(parent);
    free(pq);
    return DM_ERR_NOMEM;
  }
  for (size_t v = 0; v < T; v++) parent[v] = v;
  int x[DM_PID_MAX_SOURCES + 1] = {0};
  for (size_t c = 0; c < sm->N; c++, next_cell(sm->M, sm->n, sm->ny, x)) {
    if (!(p[c] > 0)) continue;
    const size_t r0 = uf_find(parent, off[0] + value_index(sm, mem[0], x));
    for (int j = 1; j < k; j++) {
      const size_t r = uf_find(parent, off[j] + value_index(sm, mem[j], x));
      if (r != r0) parent[r] = r0;
    }
  }
  double *pqy = pq + T;
  memset(x, 0, sizeof(x));
  for (size_t c = 0; c < sm->N; c++, next_cell(sm->M, sm->n, sm->ny, x)) {
    if (!(p[c] > 0)) continue;
    const size_t q = uf_find(parent, off[0] + value_index(sm, mem[0], x));
    pq[q] += p[c];
    pqy[q + T * x[sm->M]] += p[c];
  }
  double mi = 0.0;
  for (int y = 0; y < sm->ny; y++)
    for (size_t q = 0; q < T; q++) {
      const double v = pqy[q + T * y];
      if (v > 0) mi += v * log(v / (pq[q] * sm->py[y]));
    }
  *out = mi;
  free(parent);
  free(pq);
  return DM_OK;
}

/* ---- I_RDR: reachable decision regions (Mages and Rohner) -------------
 * For a target value t, a source is a binary channel: a vector
 * (p(s | t), p(s | not t)) per value s. Its decision regions are the area
 * under its ROC curve (the vectors by decreasing likelihood ratio); the
 * regions two sources reach together are the concave hull of both curves. */

typedef struct {
  double x, y;  /* p(s | t), p(s | not t) */
} chan_vec;

/* Mutual information of the event t with a channel: sum x log x / p(s). */
static double rdr_single(double pt, const chan_vec *c, int n) {
  double v = 0.0;
  for (int k = 0; k < n; k++)
    if (c[k].x > 0) v += c[k].x * log(c[k].x / (pt * c[k].x + (1 - pt) * c[k].y));
  return v;
}

static int by_ratio(const void *pa, const void *pb) {
  const chan_vec *a = pa, *b = pb;
  const double l = a->x * b->y, r = b->x * a->y;
  return (l < r) - (l > r);
}

/* The channel of the concave hull of the ROC curves of a and b; out holds
 * na + nb vectors; returns how many. */
static int rdr_hull(const chan_vec *a, int na, const chan_vec *b, int nb, chan_vec *out) {
  const int np = na + nb + 1;
  chan_vec *pts = malloc(sizeof(chan_vec) * (2 * (size_t)np + na + nb));
  if (!pts) return -1;
  chan_vec *hull = pts + np, *sorted = hull + np;
  memcpy(sorted, a, sizeof(chan_vec) * na);
  memcpy(sorted + na, b, sizeof(chan_vec) * nb);
  qsort(sorted, na, sizeof(chan_vec), by_ratio);
  qsort(sorted + na, nb, sizeof(chan_vec), by_ratio);
  int m = 0;
  pts[m++] = (chan_vec){0.0, 0.0};
  for (int part = 0; part < 2; part++) {
    double cx = 0.0, cy = 0.0;
    const chan_vec *c = part ? sorted + na : sorted;
    for (int k = 0; k < (part ? nb : na); k++) {
      cx += c[k].x;
      cy += c[k].y;
      pts[m++] = (chan_vec){cx, cy};
    }
  }
  /* upper hull over the false-alarm axis y, then the true-detection x */
  for (int i = 1; i < m; i++)
    for (int j = i; j > 0 && (pts[j].y < pts[j - 1].y ||
                              (pts[j].y == pts[j - 1].y && pts[j].x < pts[j - 1].x)); j--) {
      chan_vec t = pts[j];
      pts[j] = pts[j - 1];
      pts[j - 1] = t;
    }
  int h = 0;
  for (int i = 0; i < m; i++) {
    while (h >= 2) {
      const chan_vec o = hull[h - 2], q = hull[h - 1], r = pts[i];
      const double cross = (q.y - o.y) * (r.x - o.x) - (q.x - o.x) * (r.y - o.y);
      if (cross >= 0) h--;
      else break;
    }
    hull[h++] = pts[i];
  }
  int n = 0;
  for (int i = 1; i < h; i++) {
    const double dx = fmax(0.0, hull[i].x - hull[i - 1].x), dy = fmax(0.0, hull[i].y - hull[i - 1].y);
    if (dx > 0 || dy > 0) out[n++] = (chan_vec){dx, dy};
  }
  free(pts);
  return n;
}

/* The redundancy of k channels for the event t, by inclusion-exclusion:
 * i(c1) + i(c2..ck) - i(hull(c1, c2), ..., hull(c1, ck)). NAN when out of
 * memory. */
static double rdr_value(double pt, chan_vec *const *ch, const int *len, int k) {
  if (k == 0) return 0.0;
  if (k == 1) return rdr_single(pt, ch[0], len[0]);
  chan_vec *joint[DM_PID_MAX_SOURCES];
  int jlen[DM_PID_MAX_SOURCES], ok = 1;
  for (int j = 1; j < k; j++) {
    joint[j - 1] = malloc(sizeof(chan_vec) * ((size_t)len[0] + len[j] + 1));
    jlen[j - 1] = joint[j - 1] ? rdr_hull(ch[0], len[0], ch[j], len[j], joint[j - 1]) : -1;
    ok = ok && jlen[j - 1] >= 0;
  }
  double v = ok ? rdr_single(pt, ch[0], len[0]) + rdr_value(pt, ch + 1, len + 1, k - 1) -
                      rdr_value(pt, joint, jlen, k - 1)
                : NAN;
  for (int j = 1; j < k; j++) free(joint[j - 1]);
  return v;
}

static dm_status rdr(const set_marginals *sm, const int *mem, int k, double *out) {
  chan_vec *ch[DM_PID_MAX_SOURCES];
  int len[DM_PID_MAX_SOURCES];
  dm_status st = DM_OK;
  for (int j = 0; j < k; j++) ch[j] = malloc(sizeof(chan_vec) * (sm->len[mem[j]] + 1));
  for (int j = 0; j < k; j++)
    if (!ch[j]) st = DM_ERR_NOMEM;
  double r = 0.0;
  for (int y = 0; y < sm->ny && st == DM_OK; y++) {
    const double pt = sm->py[y];
    if (!(pt > 0 && pt < 1)) continue;
    for (int j = 0; j < k; j++) {
      const int B = mem[j];
      len[j] = 0;
      for (size_t a = 0; a < sm->len[B]; a++) {
        const double joint = sm->pby[B][a + sm->len[B] * y];
        const chan_vec v = {joint / pt, (sm->pb[B][a] - joint) / (1 - pt)};
        if (v.x > 0 || v.y > 0) ch[j][len[j]++] = (chan_vec){v.x, fmax(0.0, v.y)};
      }
    }
    const double v = rdr_value(pt, ch, len, k);
    if (isnan(v)) st = DM_ERR_NOMEM;
    r += pt * v;
  }
  for (int j = 0; j < k; j++) free(ch[j]);
  *out = r;
  return st;
}

dm_status dm_pid_redundancies(int M, const int *n, int ny, const double *p, dm_red_measure measure,
                              const dm_lattice *lat, double *red, double *red_cells) {
  if (M < 2 || M > DM_PID_MAX_SOURCES || lat->M != M) return DM_ERR_ARG;
  set_marginals sm;
  dm_status st = set_marginals_make(M, n, ny, p, &sm);
  if (st != DM_OK) return st;
  const int pointwise = measure == DM_RED_PM || measure == DM_RED_PMMI || measure == DM_RED_SX;
  for (int a = 0; a < lat->L && st == DM_OK; a++) {
    const int *mem = lat->members + lat->start[a];
    const int k = lat->start[a + 1] - lat->start[a];
    double r = 0.0;
    if (measure == DM_RED_MMI) {
      r = INFINITY;
      for (int j = 0; j < k; j++) r = fmin(r, sm.mi[mem[j]]);
    } else if (measure == DM_RED_IMIN) {
      for (int y = 0; y < ny; y++) {
        double s = INFINITY;
        for (int j = 0; j < k; j++) s = fmin(s, sm.spec[mem[j]][y]);
        r += sm.py[y] * s;
      }
    } else if (measure == DM_RED_WEDGE) {
      st = wedge(&sm, p, mem, k, &r);
    } else if (measure == DM_RED_RDR) {
      st = rdr(&sm, mem, k, &r);
    } else if (pointwise) {
      int x[DM_PID_MAX_SOURCES + 1] = {0};
      for (size_t c = 0; c < sm.N; c++, next_cell(M, n, ny, x)) {
        double v = NAN;
        if (p[c] > 0) {
          if (measure == DM_RED_SX) {
            v = local_sx(&sm, mem, k, x);
          } else {
            double i[DM_PID_MAX_SOURCES], h[DM_PID_MAX_SOURCES], u[DM_PID_MAX_SOURCES], s;
            for (int j = 0; j < k; j++) local_source(&sm, mem[j], x, &i[j], &h[j]);
            dm_pid_pointwise(k, i, 0.0, h, measure == DM_RED_PM ? DM_PW_PM : DM_PW_PMMI, &v, u, &s);
          }
          r += p[c] * v;
        }
        if (red_cells) red_cells[c + sm.N * a] = v;
      }
    }
    red[a] = r;
  }
  set_marginals_free(&sm);
  return st;
}
