#include <stdlib.h>
#include <string.h>
#include "dm_data.h"
#include "dm_standardize.h"

dm_status dm_data_alloc(dm_data *d, int n, int n_views, const int *dims,
                        int K, int with_labels, const int *sparse) {
  memset(d, 0, sizeof(*d));
  if (n < 0 || n_views < 1) return DM_ERR_ARG;
  d->n = n;
  d->n_views = n_views;
  d->K = K;
  d->dims = malloc(sizeof(int) * n_views);
  d->x = calloc(n_views, sizeof(float *));
  if (!d->dims || !d->x) {
    dm_data_free(d);
    return DM_ERR_NOMEM;
  }
  for (int v = 0; v < n_views; v++) {
    d->dims[v] = dims[v];
    if (sparse && sparse[v]) {
      if (!d->sp && !(d->sp = calloc(n_views, sizeof(dm_sparse *)))) {
        dm_data_free(d);
        return DM_ERR_NOMEM;
      }
      dm_sparse *s = calloc(1, sizeof(dm_sparse));
      d->sp[v] = s;
      if (!s || !(s->center = malloc(sizeof(double) * ((size_t)dims[v] + 1))) ||
          !(s->inv_scale = malloc(sizeof(double) * ((size_t)dims[v] + 1))) ||
          !(s->zero = malloc(sizeof(float) * ((size_t)dims[v] + 1)))) {
        dm_data_free(d);
        return DM_ERR_NOMEM;
      }
      continue;
    }
    d->x[v] = malloc(sizeof(float) * ((size_t)n * dims[v] + 1));
    if (!d->x[v]) {
      dm_data_free(d);
      return DM_ERR_NOMEM;
    }
  }
  if (with_labels) {
    d->y = malloc(sizeof(int) * ((size_t)n + 1));
    if (!d->y) {
      dm_data_free(d);
      return DM_ERR_NOMEM;
    }
  }
  return DM_OK;
}

void dm_data_free(dm_data *d) {
  if (d->x)
    for (int v = 0; v < d->n_views; v++) free(d->x[v]);
  if (d->sp)
    for (int v = 0; v < d->n_views; v++) {
      dm_sparse *s = d->sp[v];
      if (!s) continue;
      free(s->ptr); free(s->col); free(s->val); free(s->center); free(s->inv_scale);
      free(s->zero);
      free(s);
    }
  free(d->sp);
  free(d->x);
  free(d->dims);
  free(d->y);
  memset(d, 0, sizeof(*d));
}

void dm_data_gather(const dm_data *d, int n_v, const int *views,
                    const int *rows, int B, float *out, int ldo) {
  int col = 0;
  for (int k = 0; k < n_v; k++) {
    int v = views[k], p = d->dims[v];
    const dm_sparse *s = d->sp ? d->sp[v] : NULL;
    if (s) {
      for (int i = 0; i < B; i++) {
        float *o = out + (size_t)i * ldo + col;
        memcpy(o, s->zero, sizeof(float) * p);
        for (int e = s->ptr[rows[i]]; e < s->ptr[rows[i] + 1]; e++) {
          const int j = s->col[e];
          if (j >= 0) o[j] = dm_standardize_one(s->val[e], s->center[j], s->inv_scale[j]);
        }
      }
    } else {
      const float *src = d->x[v];
      for (int i = 0; i < B; i++)
        memcpy(out + (size_t)i * ldo + col, src + (size_t)rows[i] * p,
               sizeof(float) * p);
    }
    col += p;
  }
}
