/* dm_data.h -- a multimodal data set in the core's layout.
 *
 * View v is an n x dims[v] row-major float matrix (already standardised),
 * or, when sp and sp[v] are set, a sparse matrix standardised as it is
 * read (so that a view of many mostly-zero columns is never dense in
 * memory); labels are 0..K-1 (NULL when unknown, e.g. at prediction
 * time). A sample may lack views: present (n x n_views, row-major; NULL
 * when every sample has every view) marks the views it has; an absent
 * view's row holds finite filler values (0 after standardising) that a
 * model must not read into anything it returns. */
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
  unsigned char *present; /* NULL: every view present; owned, malloc'ed */
} dm_data;

/* The views of data row `row` that are present (n_views flags), or NULL
 * when the data have every view for every row. */
static inline const unsigned char *dm_data_present(const dm_data *d, int row) {
  return d->present ? d->present + (size_t)row * d->n_views : NULL;
}

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
/* Writes to out the entries of rows[0..n-1] whose views `views[0..n_v-1]`
 * are all present, in order; returns how many. out may be rows. */
int dm_data_rows_with(const dm_data *d, int n_v, const int *views, const int *rows, int n,
                      int *out);

/* A copy of rows[0..n-1] of the views views[0..n_v-1] of src (labels
 * not copied), with their presence flags when src has them. */
dm_status dm_data_subset(const dm_data *src, const int *rows, int n, const int *views, int n_v,
                         dm_data *out);

void dm_data_gather(const dm_data *d, int n_v, const int *views,
                    const int *rows, int B, float *out, int ldo);

#endif
