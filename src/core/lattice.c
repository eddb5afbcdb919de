#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dm_lattice.h"

/* Sources ordered by size, then mask. */
static int source_before(int a, int b) {
  const int pa = dm_popcount((unsigned)a), pb = dm_popcount((unsigned)b);
  return pa != pb ? pa < pb : a < b;
}

static int is_subset(int a, int b) { return (a & b) == a; }

/* Every antichain as a bit set over the S sources (bit A - 1 for source A);
 * returns how many were written to out (NULL: just count). */
static int enumerate(int S, int next, unsigned chosen, unsigned *out, int count) {
  for (int A = next; A <= S; A++) {
    int ok = 1;
    for (int B = 1; B < A && ok; B++)
      if ((chosen >> (B - 1) & 1u) && (is_subset(A, B) || is_subset(B, A))) ok = 0;
    if (!ok) continue;
    const unsigned c = chosen | 1u << (A - 1);
    if (out) out[count] = c;
    count = enumerate(S, A + 1, c, out, count + 1);
  }
  return count;
}

/* b <= a for antichains given as bit sets over sources. */
static int leq_sets(unsigned b, unsigned a, int S) {
  for (int B = 1; B <= S; B++) {
    if (!(a >> (B - 1) & 1u)) continue;
    int found = 0;
    for (int A = 1; A <= S && !found; A++)
      if ((b >> (A - 1) & 1u) && is_subset(A, B)) found = 1;
    if (!found) return 0;
  }
  return 1;
}

/* Sorted member list of a node. */
static int members_of(unsigned set, int S, int *out) {
  int m = 0;
  for (int A = 1; A <= S; A++)
    if (set >> (A - 1) & 1u) out[m++] = A;
  for (int i = 1; i < m; i++)
    for (int j = i; j > 0 && source_before(out[j], out[j - 1]); j--) {
      int t = out[j];
      out[j] = out[j - 1];
      out[j - 1] = t;
    }
  return m;
}

typedef struct {
  unsigned set;
  int height;
  int n;
  int mem[16];
} node;

static int node_cmp(const void *pa, const void *pb) {
  const node *a = pa, *b = pb;
  if (a->height != b->height) return a->height < b->height ? -1 : 1;
  for (int k = 0; k < a->n && k < b->n; k++)
    if (a->mem[k] != b->mem[k]) return source_before(a->mem[k], b->mem[k]) ? -1 : 1;
  return (a->n > b->n) - (a->n < b->n);
}

void dm_lattice_destroy(dm_lattice *lat) {
  free(lat->start);
  free(lat->members);
  free(lat->mu_start);
  free(lat->mu_node);
  free(lat->mu_val);
  memset(lat, 0, sizeof(*lat));
}

dm_status dm_lattice_create(dm_lattice *lat, int M) {
  memset(lat, 0, sizeof(*lat));
  if (M < 1 || M > DM_LATTICE_MAX_VIEWS) return DM_ERR_ARG;
  const int S = (1 << M) - 1;
  const int L = enumerate(S, 1, 0u, NULL, 0);
  unsigned *sets = malloc(sizeof(unsigned) * L);
  node *nodes = malloc(sizeof(node) * L);
  char *leq = malloc((size_t)L * L);
  int *mu = malloc(sizeof(int) * (size_t)L * L);
  dm_status st = DM_OK;
  if (!sets || !nodes || !leq || !mu) {
    st = DM_ERR_NOMEM;
    goto done;
  }
  enumerate(S, 1, 0u, sets, 0);
  for (int a = 0; a < L; a++) {
    nodes[a].set = sets[a];
    nodes[a].n = members_of(sets[a], S, nodes[a].mem);
    nodes[a].height = 0;
  }
  /* Heights by relaxation: each sweep lengthens the longest chains. */
  for (int changed = 1; changed;) {
    changed = 0;
    for (int a = 0; a < L; a++)
      for (int b = 0; b < L; b++)
        if (a != b && nodes[b].height + 1 > nodes[a].height &&
            leq_sets(nodes[b].set, nodes[a].set, S)) {
          nodes[a].height = nodes[b].height + 1;
          changed = 1;
        }
  }
  qsort(nodes, L, sizeof(node), node_cmp);
  for (int a = 0; a < L; a++)
    for (int b = 0; b < L; b++) leq[(size_t)b * L + a] = (char)leq_sets(nodes[b].set, nodes[a].set, S);
  /* Moebius function of the sorted (hence topologically ordered) poset:
   * mu(a, a) = 1, mu(b, a) = -sum_{b <= c < a} mu(b, c). */
  for (int b = 0; b < L; b++)
    for (int a = 0; a < L; a++) {
      int v = 0;
      if (a == b) v = 1;
      else if (leq[(size_t)b * L + a]) {
        for (int c = b; c < a; c++)
          if (leq[(size_t)b * L + c] && leq[(size_t)c * L + a]) v -= mu[(size_t)b * L + c];
      }
      mu[(size_t)b * L + a] = v;
    }
  int n_mem = 0, n_mu = 0;
  for (int a = 0; a < L; a++) n_mem += nodes[a].n;
  for (size_t k = 0; k < (size_t)L * L; k++) n_mu += mu[k] != 0;
  lat->M = M;
  lat->L = L;
  lat->start = malloc(sizeof(int) * (L + 1));
  lat->members = malloc(sizeof(int) * n_mem);
  lat->mu_start = malloc(sizeof(int) * (L + 1));
  lat->mu_node = malloc(sizeof(int) * n_mu);
  lat->mu_val = malloc(sizeof(int) * n_mu);
  if (!lat->start || !lat->members || !lat->mu_start || !lat->mu_node ||
      !lat->mu_val) {
    st = DM_ERR_NOMEM;
    goto done;
  }
  int k = 0, q = 0;
  for (int a = 0; a < L; a++) {
    lat->start[a] = k;
    for (int j = 0; j < nodes[a].n; j++) lat->members[k++] = nodes[a].mem[j];
    lat->mu_start[a] = q;
    for (int b = 0; b <= a; b++)
      if (mu[(size_t)b * L + a] != 0) {
        lat->mu_node[q] = b;
        lat->mu_val[q++] = mu[(size_t)b * L + a];
      }
  }
  lat->start[L] = k;
  lat->mu_start[L] = q;
done:
  free(sets);
  free(nodes);
  free(leq);
  free(mu);
  if (st != DM_OK) dm_lattice_destroy(lat);
  return st;
}

void dm_lattice_invert(const dm_lattice *lat, const double *r, double *atoms) {
  for (int a = 0; a < lat->L; a++) {
    double v = 0.0;
    for (int q = lat->mu_start[a]; q < lat->mu_start[a + 1]; q++)
      v += lat->mu_val[q] * r[lat->mu_node[q]];
    atoms[a] = v;
  }
}

void dm_lattice_pmmi(const dm_lattice *lat, const double *i, double *atoms) {
  double red[DM_LATTICE_MAX_NODES];
  for (int a = 0; a < lat->L; a++) {
    double m = INFINITY;
    for (int j = lat->start[a]; j < lat->start[a + 1]; j++) m = fmin(m, i[lat->members[j] - 1]);
    red[a] = m;
  }
  dm_lattice_invert(lat, red, atoms);
}
