/* dm_data.h -- a multimodal data set in the core's layout.
 *
 * View v is an n x dims[v] row-major float matrix (already standardised),
 * or, when sp and sp[v] are set, a sparse matrix standardised as it is
 * read (so that a view of many mostly-zero columns is never dense in
 * memory); labels are 0..K-1 (NULL when unknown, e.g. at prediction
 * time). */
#ifndef DM_DATA_H
#define DM_DATA_H

#include "dm_common.h"

/* A sparse view in compressed rows: row i holds the raw values
 * val[ptr[i] .. ptr[i+1]) of the columns col[] (the positions among the
 * view's dims columns; -1 for a column the model does not use). Column j
 * reads (x - center[j]) * inv_scale[j], and zero[j], that value at 0,
 * where row i stores nothing. */
typedef struct {
  int *ptr;
  int *col;
  double *val;
  double *center;
  double *inv_scale;
  float *zero;
} dm_sparse;

typedef struct {
  int n;
  int n_views;
  int K;
  int *dims;
  float **x;
  int *y;
  dm_sparse **sp; /* NULL: every view dense */
} dm_data;

/* Allocates the views (and labels when with_labels); contents undefined.
 * Views with sparse[v] != 0 get no dense matrix (x[v] NULL) but an empty
 * dm_sparse whose per-column arrays (center, inv_scale, zero) are
 * allocated; ptr, col and val are the caller's to allocate with malloc.
 * sparse NULL: all dense. */
dm_status dm_data_alloc(dm_data *d, int n, int n_views, const int *dims,
                        int K, int with_labels, const int *sparse);
void dm_data_free(dm_data *d);

/* Copies rows[0..B-1] of the listed views, standardised, side by side,
 * into out (B rows, leading dim ldo). */
void dm_data_gather(const dm_data *d, int n_v, const int *views,
                    const int *rows, int B, float *out, int ldo);

#endif
