/* dm_data.h -- a multimodal data set in the core's layout.
 *
 * View v is an n x dims[v] row-major float matrix (already standardised);
 * labels are 0..K-1 (NULL when unknown, e.g. at prediction time). */
#ifndef DM_DATA_H
#define DM_DATA_H

#include "dm_common.h"

typedef struct {
  int n;
  int n_views;
  int K;
  int *dims;
  float **x;
  int *y;
} dm_data;

/* Allocates the views (and labels when with_labels); contents undefined. */
dm_status dm_data_alloc(dm_data *d, int n, int n_views, const int *dims,
                        int K, int with_labels);
void dm_data_free(dm_data *d);

/* Copies rows[0..B-1] of the listed views, side by side, into out (B rows,
 * leading dim ldo). */
void dm_data_gather(const dm_data *d, int n_v, const int *views,
                    const int *rows, int B, float *out, int ldo);

#endif
