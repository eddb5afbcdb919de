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
  free(d->present);
  memset(d, 0, sizeof(*d));
}

int dm_data_rows_with(const dm_data *d, int n_v, const int *views, const int *rows, int n,
                      int *out) {
  int q = 0;
  for (int t = 0; t < n; t++) {
    const unsigned char *p = dm_data_present(d, rows[t]);
    int ok = 1;
    for (int k = 0; p && k < n_v; k++) ok &= p[views[k]] != 0;
    if (ok) out[q++] = rows[t];
  }
  return q;
}

dm_status dm_data_subset(const dm_data *src, const int *rows, int n, const int *views, int n_v,
                         dm_data *out) {
  int *dims = malloc(sizeof(int) * ((size_t)n_v + 1)), *sparse = malloc(sizeof(int) * ((size_t)n_v + 1));
  dm_status st = dims && sparse ? DM_OK : DM_ERR_NOMEM;
  for (int k = 0; k < n_v && st == DM_OK; k++) {
    dims[k] = src->dims[views[k]];
    sparse[k] = src->sp && src->sp[views[k]];
  }
  if (st == DM_OK) st = dm_data_alloc(out, n, n_v, dims, src->K, 0, sparse);
  free(dims);
  free(sparse);
  if (st != DM_OK) return st;
  for (int k = 0; k < n_v && st == DM_OK; k++) {
    const int v = views[k], p = src->dims[v];
    if (!out->sp || !out->sp[k]) {
      for (int i = 0; i < n; i++)
        memcpy(out->x[k] + (size_t)i * p, src->x[v] + (size_t)rows[i] * p, sizeof(float) * p);
      continue;
    }
    const dm_sparse *s = src->sp[v];
    dm_sparse *o = out->sp[k];
    size_t nnz = 0;
    for (int i = 0; i < n; i++) nnz += (size_t)(s->ptr[rows[i] + 1] - s->ptr[rows[i]]);
    o->ptr = malloc(sizeof(int) * ((size_t)n + 1));
    o->col = malloc(sizeof(int) * (nnz + 1));
    o->val = malloc(sizeof(double) * (nnz + 1));
    if (!o->ptr || !o->col || !o->val) {
      st = DM_ERR_NOMEM;
      break;
    }
    o->ptr[0] = 0;
    for (int i = 0; i < n; i++) {
      const int a = s->ptr[rows[i]], len = s->ptr[rows[i] + 1] - a;
      memcpy(o->col + o->ptr[i], s->col + a, sizeof(int) * len);
      memcpy(o->val + o->ptr[i], s->val + a, sizeof(double) * len);
      o->ptr[i + 1] = o->ptr[i] + len;
    }
    memcpy(o->center, s->center, sizeof(double) * p);
    memcpy(o->inv_scale, s->inv_scale, sizeof(double) * p);
    memcpy(o->zero, s->zero, sizeof(float) * p);
  }
  if (st == DM_OK && src->present) {
    out->present = malloc((size_t)n * n_v + 1);
    if (!out->present) st = DM_ERR_NOMEM;
    for (int i = 0; i < n && st == DM_OK; i++)
      for (int k = 0; k < n_v; k++)
        out->present[(size_t)i * n_v + k] = src->present[(size_t)rows[i] * src->n_views + views[k]];
  }
  if (st != DM_OK) dm_data_free(out);
  return st;
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
